/**
 * What undoing a release takes, judged from its log: first traffic back to the colour that served
 * before (its weights, maintenance mode as it was; the new version stays deployed on the idle
 * colour, out of traffic, for a look; the idle colour's version is put back only when it never
 * got deployed), in an `up` when anything changed or a traffic step ran; then the database, once
 * the new release's migration may have run, as the plan says: the pre-release dump restored, the
 * rollback command run, or kept. Traffic first, as the seeds' rollback scripts do.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import type { ReleaseContext } from "./context";
import type { ReleaseLog } from "./log";
import type { RollbackAction } from "./runner";
import { restoreDump } from "./steps/backup";
import { blueGreenPath } from "./steps/step";

const ran = (log: ReleaseLog, kind: string) =>
  log.steps.some((s) => s.kind === kind && s.status !== "pending");

/** The pure part: which actions, in order (tested without the engine). */
export function rollbackPlan(log: ReleaseLog): ("traffic" | "database")[] {
  const migratingStep = log.steps.find((s) => s.kind === "split" || s.kind === "switch");
  const migrated =
    log.migration && migratingStep !== undefined && migratingStep.status !== "pending";
  return [
    "traffic",
    ...(migrated && log.plan.migrationRollback !== "keep" ? ["database" as const] : []),
  ];
}

export function rollbackActions(ctx: ReleaseContext, log: ReleaseLog): RollbackAction[] {
  const b = log.before;
  return rollbackPlan(log).map((what): RollbackAction => {
    if (what === "traffic")
      return {
        action: `traffic to ${b.active}`,
        run: async () => {
          // Maintenance as it was: written only when it differs (a spec without the key has it off).
          const maintenance =
            ((ctx.doc.get(["maintenance", "enabled"]) as boolean | undefined) ?? false) ===
            b.maintenance
              ? []
              : [[["maintenance", "enabled"], b.maintenance] as [string[], boolean]];
          const changed = ctx.doc.set([
            [blueGreenPath(log, "active"), b.active],
            [blueGreenPath(log, "weights"), b.weights],
            ...maintenance,
            ...(ran(log, "deploy-idle")
              ? []
              : [[blueGreenPath(log, log.colour), b.versions[log.colour]] as [string[], string]]),
          ]);
          const moved = ["split", "switch", "maintenance-on"].some((k) => ran(log, k));
          if (!changed && !moved)
            return { ok: true, message: `traffic never left ${b.active}: nothing to change` };
          const r = await ctx.up(log, "rollback");
          return r.ok
            ? {
                ok: true,
                message: `${b.active} ${b.versions[b.active]} serves again${ran(log, "maintenance-on") ? `, maintenance ${b.maintenance ? "on" : "off"} as before` : ""}; ${log.colour} ${log.version} kept idle; ${r.message}`,
              }
            : { ok: false, message: r.message };
        },
      };
    const how = log.plan.migrationRollback;
    if (how === "restore" || how === "keep")
      return {
        action: "restore the pre-release dump",
        run: async () => {
          if (!log.files.dump)
            return { ok: false, message: "the plan says restore, but the release took no dump" };
          return restoreDump(await ctx.live(), path.join(ctx.folder, log.files.dump));
        },
      };
    return {
      action: `migration rollback: ${how.command.join(" ")}`,
      run: () => {
        const [cmd, ...args] = how.command;
        const r = spawnSync(cmd, args, { cwd: ctx.dir, encoding: "utf8", timeout: 900_000 });
        const out = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n").slice(-2).join(" | ");
        return Promise.resolve(
          r.status === 0
            ? { ok: true, message: `done${out ? `: ${out}` : ""}` }
            : {
                ok: false,
                message: `exit ${r.status ?? r.error?.message}${out ? `: ${out}` : ""}`,
              },
        );
      },
    };
  });
}
