/**
 * The resolved plan of one release: the stack's spec and its `release.plan` (defaults filled in
 * by the spec and, where they depend on the service, here), the version asked for, where the
 * service stands now, and the steps in the order the seeds' procedures run them. A blue/green
 * service deploys its idle colour and switches traffic to it (PSA-Platform); any other service is
 * released in place (Ablage, CGS): maintenance mode, backup, workers stopped, the new image with
 * its migration, workers started, health, maintenance off, smoke. Pure: tested without the engine.
 */
import type { EnvironmentSpec } from "../components/config/spec";
import { releasePlanSpec, type ReleasePlanSpec } from "../components/config/spec/release-plan";
import { startOrder } from "../components/environment";
import { repository, versionOf } from "../components/release/bluegreen";

export const stepKinds = [
  "preflight",
  "maintenance-on",
  "backup",
  "deploy-idle",
  "stop-workers",
  "deploy",
  "start-workers",
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

/** Where a blue/green service stands before the release: what a rollback brings back. */
export interface Before {
  readonly active: Colour;
  readonly versions: Readonly<Record<Colour, string>>;
  readonly weights?: Readonly<Record<Colour, number>>;
  readonly maintenance: boolean;
}

/** A worker an in-place release stops, and the replicas it gets back. */
export interface WorkerBefore {
  readonly name: string;
  readonly replicas: number;
  /** Whether the spec states `replicas` (else it is put back absent, the default). */
  readonly declared: boolean;
}

/** Where an in-place service stands before the release: what a rollback brings back. */
export interface InPlaceBefore {
  /** `services.<service>.image` as the spec states it. */
  readonly image: string;
  /** Its version (the image's tag). */
  readonly version: string;
  /** The workers stopped during the release, in the spec's dependency order. */
  readonly workers: readonly WorkerBefore[];
  readonly maintenance: boolean;
}

/** The plan as resolved: maintenance and the workers decided for the service released. */
export type ResolvedPlanSpec = ReleasePlanSpec & {
  readonly maintenance: boolean;
  readonly workers: readonly string[];
};

interface PlanCommon {
  readonly stack: string;
  readonly service: string;
  readonly version: string;
  /** Whether the service runs a migration job. */
  readonly migration: boolean;
  readonly plan: ResolvedPlanSpec;
  readonly steps: readonly PlannedStep[];
}

/** A blue/green release (logs written before in-place releases existed have no strategy). */
export interface BlueGreenPlan extends PlanCommon {
  readonly strategy?: "blue-green";
  /** The colour the release deploys and switches to (the idle one). */
  readonly colour: Colour;
  readonly before: Before;
}

/** An in-place release: the one workload of the service at the new image tag. */
export interface InPlacePlan extends PlanCommon {
  readonly strategy: "in-place";
  /** No colour: `GOLIVE_RELEASE_COLOUR` is "none". */
  readonly colour: "none";
  /** The image the deploy step sets (the repository at the new tag). */
  readonly image: string;
  readonly before: InPlaceBefore;
}

export type ResolvedPlan = BlueGreenPlan | InPlacePlan;

/** A plan that cannot run: the message names the config path and what was expected. */
export class PlanError extends Error {}

const at = (...p: (string | number)[]) => `golive:environment.${p.join(".")}`;

/** The service released: the plan's, else the only blue/green one, else the only non-worker. */
function pickService(spec: EnvironmentSpec, named: string | undefined): string {
  if (named !== undefined) {
    if (!spec.services[named])
      throw new PlanError(
        `${at("release", "plan", "service")}: names no service (${named}); expected one of ${Object.keys(spec.services).join(", ")}`,
      );
    return named;
  }
  const blueGreen = Object.keys(spec.services).filter((n) => spec.services[n].blueGreen);
  if (blueGreen.length === 1) return blueGreen[0];
  if (blueGreen.length > 1)
    throw new PlanError(
      `${at("release", "plan", "service")}: is missing: the spec has ${blueGreen.length} blue/green services (${blueGreen.join(", ")}); name the one released`,
    );
  const apps = Object.keys(spec.services).filter((n) => !spec.services[n].worker);
  if (apps.length !== 1)
    throw new PlanError(
      `${at("release", "plan", "service")}: is missing: the spec has no blue/green service and ${apps.length} services that are no worker (${apps.join(", ") || "none"}); name the one released`,
    );
  return apps[0];
}

const tagPattern = /^[A-Za-z0-9._-]+$/;

/**
 * The plan of releasing `version` on `stack`, from its validated spec. `raw` is the spec as
 * written (what parseSpec read): with it, a worker's `replicas` the spec does not state is put
 * back absent after the release.
 */
export function resolvePlan(
  stack: string,
  spec: EnvironmentSpec,
  version: string,
  raw?: unknown,
): ResolvedPlan {
  const plan = spec.release?.plan ?? releasePlanSpec.parse({});
  const service = pickService(spec, plan.service);
  if (!tagPattern.test(version))
    throw new PlanError(`--version: ${JSON.stringify(version)} is not an image tag`);
  return spec.services[service].blueGreen
    ? blueGreenPlan(stack, spec, plan, service, version)
    : inPlacePlan(stack, spec, plan, service, version, raw);
}

/**
 * The steps every release opens with: the preview of what it deploys (`previewed`) through the
 * pack, maintenance mode on where the plan has it, and the pre-release dump where the stack has
 * PostgreSQL and the plan a backup.
 */
function openingSteps(
  plan: ResolvedPlanSpec,
  spec: EnvironmentSpec,
  previewed: string,
): PlannedStep[] {
  return [
    {
      name: "preflight",
      kind: "preflight",
      what: `preview of ${previewed} through the policy pack`,
    },
    ...(plan.maintenance
      ? [{ name: "maintenance-on", kind: "maintenance-on" as const, what: "maintenance mode on" }]
      : []),
    ...(plan.backup && spec.postgres !== undefined
      ? [
          {
            name: "backup",
            kind: "backup" as const,
            what: "pg_dump of the database, confirmed readable",
          },
        ]
      : []),
  ];
}

function smokeStep(plan: ReleasePlanSpec): PlannedStep[] {
  return plan.smoke
    ? [{ name: "smoke", kind: "smoke", what: `smoke: ${plan.smoke.command.join(" ")}` }]
    : [];
}

function maintenanceOffStep(plan: ResolvedPlanSpec): PlannedStep[] {
  return plan.maintenance
    ? [{ name: "maintenance-off", kind: "maintenance-off", what: "maintenance mode off" }]
    : [];
}

function verifyStep(plan: ReleasePlanSpec): PlannedStep[] {
  return plan.verify.enabled
    ? [
        {
          name: "verify",
          kind: "verify",
          what: `golive verify: gates read, ${plan.verify.checks ? plan.verify.checks.join(", ") : "every live check"} passing`,
        },
      ]
    : [];
}

const watchWhat = (plan: ReleasePlanSpec) =>
  `watch ${plan.watch.count} × ${plan.watch.intervalSeconds} s: error rate ≤ ${plan.watch.errorRatePercent} %, p95 ≤ ${plan.watch.latencyP95Ms} ms, failure limit ${plan.watch.failureLimit}`;

function blueGreenPlan(
  stack: string,
  spec: EnvironmentSpec,
  given: ReleasePlanSpec,
  service: string,
  version: string,
): BlueGreenPlan {
  const s = spec.services[service];
  const bg = s.blueGreen!;
  if (given.workers !== undefined && given.workers.length > 0)
    throw new PlanError(
      `${at("release", "plan", "workers")}: ${service} is blue/green: its old colour keeps serving while the new one starts, and no worker is stopped (expected no workers, or an in-place service)`,
    );
  if (bg.weights)
    throw new PlanError(
      `${at("services", service, "blueGreen", "weights")}: a split is in place (blue ${bg.weights.blue}, green ${bg.weights.green}): finish or roll back the last release first (expected no weights)`,
    );
  const plan: ResolvedPlanSpec = { ...given, maintenance: given.maintenance ?? false, workers: [] };
  const colour = otherColour(bg.active);
  if (bg[bg.active] === version)
    throw new PlanError(
      `--version ${version}: ${bg.active} already serves it (${at("services", service, "blueGreen", bg.active)})`,
    );
  const before: Before = {
    active: bg.active,
    versions: { blue: bg.blue, green: bg.green },
    maintenance: spec.maintenance.enabled,
  };
  const watch = watchWhat(plan);
  const migrates = (what: string) =>
    s.migration ? `${what} (the pre-migration backup and migration job of ${version} first)` : what;
  const steps: PlannedStep[] = [
    ...openingSteps(plan, spec, `${colour} ${version}`),
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
    ...smokeStep(plan),
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
    ...maintenanceOffStep(plan),
    ...(plan.split === undefined ? [{ name: "watch", kind: "watch" as const, what: watch }] : []),
    ...verifyStep(plan),
  ];
  return {
    strategy: "blue-green",
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

/** Whether a raw spec states a service's replicas. */
function declaredReplicas(raw: unknown, service: string): boolean {
  const services = (raw as { services?: Record<string, { replicas?: unknown }> } | null)?.services;
  return services?.[service]?.replicas !== undefined;
}

function inPlacePlan(
  stack: string,
  spec: EnvironmentSpec,
  given: ReleasePlanSpec,
  service: string,
  version: string,
  raw: unknown,
): InPlacePlan {
  const s = spec.services[service];
  if (given.split !== undefined)
    throw new PlanError(
      `${at("release", "plan", "split")}: ${service} is released in place (no blueGreen): one version runs at a time, and there is nothing to split traffic with (expected no split, or services.${service}.blueGreen)`,
    );
  const named = given.workers;
  const workerNames =
    named ?? Object.keys(spec.services).filter((n) => n !== service && spec.services[n].worker);
  for (const [i, w] of workerNames.entries()) {
    if (!spec.services[w])
      throw new PlanError(
        `${at("release", "plan", "workers", i)}: names no service (${w}); expected one of ${Object.keys(spec.services).join(", ")}`,
      );
    if (w === service)
      throw new PlanError(
        `${at("release", "plan", "workers", i)}: ${w} is the service released: the deploy step replaces it (expected the services stopped while it migrates)`,
      );
    if (spec.services[w].blueGreen)
      throw new PlanError(
        `${at("release", "plan", "workers", i)}: ${w} is blue/green: stopping it takes both colours out (expected a service without blueGreen)`,
      );
  }
  if (workerNames.length > 0 && spec.runtime === "lxc")
    throw new PlanError(
      `${at("release", "plan", "workers")}: a release stops workers with replicas: 0, and the LXC runtime runs one container per workload whatever its replicas (expected workers: [] on LXC, the workers stopped by hand)`,
    );
  if (versionOf(s.image) === version)
    throw new PlanError(
      `--version ${version}: ${service} already runs it (${at("services", service, "image")}: ${s.image})`,
    );
  const order = startOrder(spec.services).filter((n) => workerNames.includes(n));
  const workers: WorkerBefore[] = order.map((n) => ({
    name: n,
    replicas: spec.services[n].replicas,
    declared: raw === undefined || declaredReplicas(raw, n),
  }));
  // A worker already stopped stays out of the plan's stop and start (it is not ours to start).
  const running = workers.filter((w) => w.replicas > 0);
  const plan: ResolvedPlanSpec = {
    ...given,
    maintenance: given.maintenance ?? true,
    workers: running.map((w) => w.name),
  };
  const image = `${repository(s.image)}:${version}`;
  const names = running.map((w) => w.name).join(", ");
  const steps: PlannedStep[] = [
    ...openingSteps(plan, spec, `${service} ${version}`),
    ...(running.length > 0
      ? [
          {
            name: "stop-workers",
            kind: "stop-workers" as const,
            what: `${names} stopped (SIGTERM, ${plan.workerStopSeconds} s to finish), replicas: 0`,
          },
        ]
      : []),
    {
      name: "deploy",
      kind: "deploy",
      what: `${service} to ${version}${s.migration ? " (the pre-migration backup and migration job first)" : ""}`,
    },
    ...(running.length > 0
      ? [
          {
            name: "start-workers",
            kind: "start-workers" as const,
            what: `${names} started again, in dependency order`,
          },
        ]
      : []),
    {
      name: "health",
      kind: "health",
      what: `${service} healthy within ${plan.healthTimeoutSeconds} s`,
    },
    ...maintenanceOffStep(plan),
    ...smokeStep(plan),
    { name: "watch", kind: "watch", what: watchWhat(plan) },
    ...verifyStep(plan),
  ];
  return {
    strategy: "in-place",
    stack,
    service,
    version,
    colour: "none",
    image,
    before: {
      image: s.image,
      version: versionOf(s.image),
      workers: running,
      maintenance: spec.maintenance.enabled,
    },
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
  const inPlace = p.strategy === "in-place";
  const header = inPlace
    ? `release ${p.service} ${p.version} on ${p.stack} in place: ${p.before.version} runs${p.before.workers.length > 0 ? `; workers ${p.before.workers.map((x) => x.name).join(", ")}` : ""}; downtime behind ${p.plan.maintenance ? "maintenance mode" : "no maintenance mode"}`
    : `release ${p.service} ${p.version} on ${p.stack}: ${p.before.active} ${p.before.versions[p.before.active]} serves, ${p.colour} ${p.before.versions[p.colour]} idle`;
  const onFailure = inPlace
    ? `  ${p.migration ? `the database first (once the deploy ran): ${rollback}; then ` : ""}${p.service} back to ${p.before.version}${p.before.workers.length > 0 ? ", workers running" : ""}, maintenance ${p.before.maintenance ? "on" : "off"}, in one up`
    : `  traffic back to ${p.before.active}${p.before.maintenance ? "" : ", maintenance off"}${p.migration ? `; the database: ${rollback}` : ""}`;
  return [
    header,
    "steps:",
    ...p.steps.map((s, i) => `  ${String(i + 1).padStart(2)}. ${s.name.padEnd(16)} ${s.what}`),
    "thresholds:",
    `  watch: initial delay ${w.initialDelaySeconds} s, ${w.count} measurements every ${w.intervalSeconds} s, failure limit ${w.failureLimit}, consecutive error limit ${w.consecutiveErrorLimit}`,
    `  error rate ≤ ${w.errorRatePercent} %, p95 latency ≤ ${w.latencyP95Ms} ms (Prometheus ${w.prometheusUrl ?? "on its published host port"})`,
    `  health within ${p.plan.healthTimeoutSeconds} s${p.plan.smoke ? `, smoke within ${p.plan.smoke.timeoutSeconds} s` : ""}`,
    "on a failed step:",
    onFailure,
  ].join("\n");
}
