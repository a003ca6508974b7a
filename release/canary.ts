/**
 * The tenant canary ladder as a run: from a package's current rung (`canaries[i].step`) up the
 * ladder (pilot accounts, then 10 / 25 / 50 / 100 % of the accounts), one rung at a time as the
 * policy pack demands, each rung an `up` that delivers its manifests and then a watch window on
 * the per-tenant metrics of the accounts it enabled, with the Branchen-Pakete seed's thresholds.
 * A failed rung is rolled back by disabling its manifests: the package goes back to the rung
 * before it (its accounts get `enabled_agents: []`, the orchestrator's fallback routes).
 */
import { canaryLadder, type EnvironmentSpec } from "../components/config/spec";
import { releaseCanarySpec } from "../components/config/spec/release-plan";
import { enabledAccounts } from "../components/release/canary";
import type { ReleaseContext } from "./context";
import type { CanaryLog, StepRecord } from "./log";
import { PlanError } from "./plan";
import type { RollbackAction } from "./runner";

export type Rung = (typeof canaryLadder)[number];

export interface CanaryPlan {
  readonly stack: string;
  readonly package: string;
  readonly service: string;
  readonly index: number;
  readonly before: { readonly step: string; readonly previousStep: string };
  readonly rungs: readonly Rung[];
  readonly canary: ReturnType<typeof releaseCanarySpec.parse>;
  readonly steps: readonly Pick<StepRecord, "name" | "kind" | "what">[];
}

/** The run of `pkg`'s ladder from its current rung up to `to` (default 100 %). */
export function resolveCanary(
  stack: string,
  spec: EnvironmentSpec,
  pkg: string,
  to: string = "100%",
): CanaryPlan {
  const index = spec.canaries.findIndex((c) => c.package === pkg);
  if (index < 0)
    throw new PlanError(
      `--canary ${pkg}: golive:environment.canaries has no package ${pkg} (expected one of ${spec.canaries.map((c) => c.package).join(", ") || "none"})`,
    );
  if (!(canaryLadder as readonly string[]).includes(to))
    throw new PlanError(`--to ${to}: not a rung of the ladder (${canaryLadder.join(", ")})`);
  const c = spec.canaries[index];
  const from = canaryLadder.indexOf(c.step);
  const rungs = canaryLadder.slice(from + 1, canaryLadder.indexOf(to as Rung) + 1);
  if (rungs.length === 0)
    throw new PlanError(
      `--canary ${pkg}: golive:environment.canaries[${index}].step is ${c.step} already (expected a rung below ${to})`,
    );
  const canary = spec.release?.canary ?? releaseCanarySpec.parse({});
  const w = canary.watch;
  return {
    stack,
    package: pkg,
    service: c.service,
    index,
    before: { step: c.step, previousStep: c.previousStep },
    rungs,
    canary,
    steps: rungs.flatMap((r) => [
      {
        name: `enable-${r}`,
        kind: "canary-step" as const,
        what: `${pkg} at ${r}: ${enabledAccounts({ ...c, step: r }).length} of ${c.accounts.length} accounts enabled`,
      },
      {
        name: `watch-${r}`,
        kind: "canary-watch" as const,
        what: `watch ${w.count} × ${w.intervalSeconds} s: every enabled tenant's error rate ≤ ${canary.errorRatePercent} %, handoff rate ≤ ${canary.handoffRatePercent} %, failure limit ${w.failureLimit}`,
      },
    ]),
  };
}

export function newCanaryLog(p: CanaryPlan, now: Date): CanaryLog {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return {
    kind: "canary",
    id: `${stamp}-canary-${p.package}-${p.rungs.at(-1)!.replace("%", "pct")}`,
    stack: p.stack,
    package: p.package,
    service: p.service,
    index: p.index,
    before: p.before,
    canary: p.canary,
    startedAt: now.toISOString(),
    state: "running",
    resumed: 0,
    steps: p.steps.map((s) => ({ ...s, status: "pending" })),
    rollback: [],
    files: {},
  };
}

export function formatCanaryPlan(p: CanaryPlan): string {
  const w = p.canary.watch;
  return [
    `canary ${p.package} on ${p.service} (${p.stack}): at ${p.before.step}, up to ${p.rungs.at(-1)}`,
    "steps:",
    ...p.steps.map((s, i) => `  ${String(i + 1).padStart(2)}. ${s.name.padEnd(16)} ${s.what}`),
    "thresholds:",
    `  per tenant: error rate ≤ ${p.canary.errorRatePercent} %, handoff rate ≤ ${p.canary.handoffRatePercent} %`,
    `  watch: initial delay ${w.initialDelaySeconds} s, ${w.count} measurements every ${w.intervalSeconds} s, failure limit ${w.failureLimit}, consecutive error limit ${w.consecutiveErrorLimit}`,
    "on a failed step:",
    "  the rung's manifests disabled: the package back to the rung before it",
  ].join("\n");
}

/** A step's rung (`enable-25%` → 25%). */
export const rungOf = (step: Pick<StepRecord, "name">): Rung =>
  step.name.replace(/^(enable|watch)-/, "") as Rung;

/**
 * The rung before `rung` (the run climbs one rung at a time from its starting one, so the rung
 * below its first is the one it started at).
 */
export function rungBefore(log: Pick<CanaryLog, "before">, rung: Rung): string {
  return canaryLadder[canaryLadder.indexOf(rung) - 1] ?? log.before.step;
}

/** The spec paths of the run's canary. */
export const canaryPath = (log: Pick<CanaryLog, "index">, key: "step" | "previousStep") => [
  "canaries",
  log.index,
  key,
];

/** The rung a rollback disables: the last one the run started to enable, if any. */
export function rollbackRung(log: CanaryLog): Rung | undefined {
  const started = log.steps.filter((s) => s.kind === "canary-step" && s.status !== "pending");
  return started.length > 0 ? rungOf(started.at(-1)!) : undefined;
}

export function canaryRollbackActions(ctx: ReleaseContext, log: CanaryLog): RollbackAction[] {
  const rung = rollbackRung(log);
  if (rung === undefined) return [];
  const back = rungBefore(log, rung);
  return [
    {
      action: `disable ${rung}: back to ${back}`,
      run: async () => {
        ctx.doc.set([
          [canaryPath(log, "step"), back],
          [canaryPath(log, "previousStep"), rung],
        ]);
        const r = await ctx.up(log, "rollback");
        return r.ok
          ? {
              ok: true,
              message: `${log.package} at ${back} again, ${rung}'s accounts disabled; ${r.message}`,
            }
          : { ok: false, message: r.message };
      },
    },
  ];
}
