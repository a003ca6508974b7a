/**
 * The resolved plan of one release: the stack's spec and its `release.plan` (defaults filled in
 * by the spec), the version asked for, the service's colours now, and the steps in the order the
 * seeds' procedures run them. Pure: tested without the engine.
 */
import type { EnvironmentSpec } from "../components/config/spec";
import { releasePlanSpec, type ReleasePlanSpec } from "../components/config/spec/release-plan";

export const stepKinds = [
  "preflight",
  "maintenance-on",
  "backup",
  "deploy-idle",
  "health",
  "smoke",
  "split",
  "switch",
  "maintenance-off",
  "watch",
  "verify",
] as const;
export type StepKind = (typeof stepKinds)[number];

export type Colour = "blue" | "green";
export const otherColour = (c: Colour): Colour => (c === "blue" ? "green" : "blue");

/** One step of the plan: its kind, a name unique in the plan, and what it does, in one line. */
export interface PlannedStep {
  readonly name: string;
  readonly kind: StepKind;
  readonly what: string;
}

/** Where the service stands before the release: what a rollback brings back. */
export interface Before {
  readonly active: Colour;
  readonly versions: Readonly<Record<Colour, string>>;
  readonly weights?: Readonly<Record<Colour, number>>;
  readonly maintenance: boolean;
}

export interface ResolvedPlan {
  readonly stack: string;
  readonly service: string;
  readonly version: string;
  /** The colour the release deploys and switches to (the idle one). */
  readonly colour: Colour;
  readonly before: Before;
  /** Whether the service runs a migration job (it runs in the first up giving the new colour traffic). */
  readonly migration: boolean;
  readonly plan: ReleasePlanSpec;
  readonly steps: readonly PlannedStep[];
}

/** A plan that cannot run: the message names the config path and what was expected. */
export class PlanError extends Error {}

/** The plan of releasing `version` on `stack`, from its validated spec. */
export function resolvePlan(stack: string, spec: EnvironmentSpec, version: string): ResolvedPlan {
  const plan = spec.release?.plan ?? releasePlanSpec.parse({});
  const blueGreen = Object.entries(spec.services).filter(([, s]) => s.blueGreen);
  let service = plan.service;
  if (service === undefined) {
    if (blueGreen.length !== 1)
      throw new PlanError(
        `golive:environment.release.plan.service: is missing: the spec has ${blueGreen.length} blue/green services (${blueGreen.map(([n]) => n).join(", ") || "none"}); name the one released`,
      );
    service = blueGreen[0][0];
  }
  const s = spec.services[service];
  if (!s)
    throw new PlanError(
      `golive:environment.release.plan.service: names no service (${service}); expected one of ${Object.keys(spec.services).join(", ")}`,
    );
  const bg = s.blueGreen;
  if (!bg)
    throw new PlanError(
      `golive:environment.services.${service}.blueGreen: is missing: golive release deploys the idle colour of a blue/green service`,
    );
  if (bg.weights)
    throw new PlanError(
      `golive:environment.services.${service}.blueGreen.weights: a split is in place (blue ${bg.weights.blue}, green ${bg.weights.green}): finish or roll back the last release first (expected no weights)`,
    );
  if (!/^[A-Za-z0-9._-]+$/.test(version))
    throw new PlanError(`--version: ${JSON.stringify(version)} is not an image tag`);
  const colour = otherColour(bg.active);
  if (bg[bg.active] === version)
    throw new PlanError(
      `--version ${version}: ${bg.active} already serves it (golive:environment.services.${service}.blueGreen.${bg.active})`,
    );
  const before: Before = {
    active: bg.active,
    versions: { blue: bg.blue, green: bg.green },
    maintenance: spec.maintenance.enabled,
  };
  const backup = plan.backup && spec.postgres !== undefined;
  const watch = `watch ${plan.watch.count} × ${plan.watch.intervalSeconds} s: error rate ≤ ${plan.watch.errorRatePercent} %, p95 ≤ ${plan.watch.latencyP95Ms} ms, failure limit ${plan.watch.failureLimit}`;
  const migrates = (what: string) =>
    s.migration ? `${what} (the pre-migration backup and migration job of ${version} first)` : what;
  const steps: PlannedStep[] = [
    {
      name: "preflight",
      kind: "preflight",
      what: `preview of ${colour} ${version} through the policy pack`,
    },
    ...(plan.maintenance
      ? [{ name: "maintenance-on", kind: "maintenance-on" as const, what: "maintenance mode on" }]
      : []),
    ...(backup
      ? [
          {
            name: "backup",
            kind: "backup" as const,
            what: "pg_dump of the database, confirmed readable",
          },
        ]
      : []),
    {
      name: "deploy-idle",
      kind: "deploy-idle",
      what: `${service}-${colour} to ${version}, no traffic`,
    },
    {
      name: "health",
      kind: "health",
      what: `${service}-${colour} healthy within ${plan.healthTimeoutSeconds} s`,
    },
    ...(plan.smoke
      ? [{ name: "smoke", kind: "smoke" as const, what: `smoke: ${plan.smoke.command.join(" ")}` }]
      : []),
    ...(plan.split !== undefined
      ? [
          {
            name: "split",
            kind: "split" as const,
            what: migrates(`${colour} ${plan.split} %, ${bg.active} ${100 - plan.split} %`),
          },
          { name: "watch-split", kind: "watch" as const, what: watch },
          { name: "switch", kind: "switch" as const, what: `all traffic to ${colour}` },
        ]
      : [
          {
            name: "switch",
            kind: "switch" as const,
            what: migrates(`all traffic to ${colour}`),
          },
        ]),
    ...(plan.maintenance
      ? [
          {
            name: "maintenance-off",
            kind: "maintenance-off" as const,
            what: "maintenance mode off",
          },
        ]
      : []),
    ...(plan.split === undefined ? [{ name: "watch", kind: "watch" as const, what: watch }] : []),
    ...(plan.verify.enabled
      ? [
          {
            name: "verify",
            kind: "verify" as const,
            what: `golive verify: gates read, ${plan.verify.checks ? plan.verify.checks.join(", ") : "every live check"} passing`,
          },
        ]
      : []),
  ];
  return {
    stack,
    service,
    version,
    colour,
    before,
    migration: s.migration !== undefined,
    plan,
    steps,
  };
}

/** The plan as `golive release --plan` prints it. */
export function formatPlan(p: ResolvedPlan): string {
  const w = p.plan.watch;
  const rollback =
    typeof p.plan.migrationRollback === "string"
      ? p.plan.migrationRollback
      : `command ${p.plan.migrationRollback.command.join(" ")}`;
  return [
    `release ${p.service} ${p.version} on ${p.stack}: ${p.before.active} ${p.before.versions[p.before.active]} serves, ${p.colour} ${p.before.versions[p.colour]} idle`,
    "steps:",
    ...p.steps.map((s, i) => `  ${String(i + 1).padStart(2)}. ${s.name.padEnd(16)} ${s.what}`),
    "thresholds:",
    `  watch: initial delay ${w.initialDelaySeconds} s, ${w.count} measurements every ${w.intervalSeconds} s, failure limit ${w.failureLimit}, consecutive error limit ${w.consecutiveErrorLimit}`,
    `  error rate ≤ ${w.errorRatePercent} %, p95 latency ≤ ${w.latencyP95Ms} ms (Prometheus ${w.prometheusUrl ?? "on its published host port"})`,
    `  health within ${p.plan.healthTimeoutSeconds} s${p.plan.smoke ? `, smoke within ${p.plan.smoke.timeoutSeconds} s` : ""}`,
    "on a failed step:",
    `  traffic back to ${p.before.active}${p.before.maintenance ? "" : ", maintenance off"}${p.migration ? `; the database: ${rollback}` : ""}`,
  ].join("\n");
}
