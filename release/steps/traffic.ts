/**
 * split and switch: the gateway's weights. A split makes the new colour active with the plan's
 * share (the other colour keeps the rest); the switch makes it active with all traffic. The first
 * of them runs the service's migration: golive's migration job follows the active colour
 * (components/environment.ts), so its `up` runs the pre-migration backup and the new version's
 * migration before the gateway moves any traffic.
 */
import { blueGreenPath, type StepRun } from "./step";
import type { ReleaseLog } from "../log";

/** Whether an `up` ran the service's migration job (it created, replaced or updated the job). */
export function migrated(log: ReleaseLog, ran: readonly string[]): boolean {
  // The job's resources are named after it: `<prefix>-<service>-migration…`.
  return ran.some((urn) => urn.split("::").pop()!.includes(`-${log.service}-migration`));
}

export const split: StepRun = async (ctx, log, step) => {
  const share = log.plan.split!;
  const other = log.colour === "blue" ? "green" : "blue";
  ctx.doc.set([
    [blueGreenPath(log, "active"), log.colour],
    [blueGreenPath(log, "weights"), { [log.colour]: share, [other]: 100 - share }],
  ]);
  const r = await ctx.up(log, step.name);
  const ran = migrated(log, r.ran);
  return {
    ok: r.ok,
    message: r.ok
      ? `${log.colour} ${share} %, ${other} ${100 - share} %${ran ? "; migration job ran" : ""}; ${r.message}`
      : r.message,
    data: { changes: r.changes, migrated: ran },
  };
};

export const switchAll: StepRun = async (ctx, log, step) => {
  ctx.doc.set([
    [blueGreenPath(log, "active"), log.colour],
    [blueGreenPath(log, "weights"), undefined],
  ]);
  const r = await ctx.up(log, step.name);
  const ran = migrated(log, r.ran);
  return {
    ok: r.ok,
    message: r.ok
      ? `all traffic to ${log.colour} ${log.version}${ran ? "; migration job ran" : ""}; ${r.message}`
      : r.message,
    data: { changes: r.changes, migrated: ran },
  };
};
