/** canary-step: the package one rung up (`step`, and `previousStep` the rung it comes from), then `up`. */
import { canaryPath, rungBefore, rungOf } from "../canary";
import type { CanaryLog, StepRecord } from "../log";
import type { ReleaseContext } from "../context";
import type { StepOutcome } from "../runner";

export async function canaryStep(
  ctx: ReleaseContext,
  log: CanaryLog,
  step: StepRecord,
): Promise<StepOutcome> {
  const rung = rungOf(step);
  const previous = rungBefore(log, rung);
  ctx.doc.set([
    [canaryPath(log, "previousStep"), previous],
    [canaryPath(log, "step"), rung],
  ]);
  const r = await ctx.up(log, step.name);
  return {
    ok: r.ok,
    message: r.ok ? `${log.package} at ${rung} (after ${previous}); ${r.message}` : r.message,
    data: { changes: r.changes },
  };
}
