/**
 * What undoing a release takes, judged from its log. A blue/green release: first traffic back to the colour that served
 * before (its weights, maintenance mode as it was; the new version stays deployed on the idle
 * colour, out of traffic, for a look; the idle colour's version is put back only when it never
 * got deployed), in an `up` when anything changed or a traffic step ran; then the database, once
 * the new release's migration may have run, as the plan says: the pre-release dump restored, the
 * rollback command run, or kept. Traffic first, as the seeds' rollback scripts do.
 *
 * An in-place release has no old colour to send traffic to: it restores the version. The database
 * first, once the deploy step (the migration) may have run, as the plan says; then, in one `up`,
 * the previous image, the workers' replicas and maintenance mode as they were. The database comes
 * first because that `up` runs the previous version's migration job again: it must find the
 * schema that version knows (an Alembic `upgrade head` of the old code fails on a newer revision).
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import type { ReleaseContext } from "./context";
import type { BlueGreenLog, InPlaceLog, ReleaseLog } from "./log";
import type { RollbackAction } from "./runner";
import { restoreDump } from "./steps/backup";
import { startStoppedContainers, workersBack } from "./steps/in-place";
import { blueGreenPath } from "./steps/step";

const ran = (log: ReleaseLog, kind: string) =>
  log.steps.some((s) => s.kind === kind && s.status !== "pending");

/** The pure part: which actions, in order (tested without the engine). */
export function rollbackPlan(log: ReleaseLog): ("traffic" | "version" | "database")[] {
  const inPlace = log.strategy === "in-place";
  const migratingStep = log.steps.find((s) =>
    inPlace ? s.kind === "deploy" : s.kind === "split" || s.kind === "switch",
  );
  const migrated =
    log.migration && migratingStep !== undefined && migratingStep.status !== "pending";
  const database = migrated && log.plan.migrationRollback !== "keep" ? ["database" as const] : [];
  return inPlace ? [...database, "version"] : ["traffic", ...database];
}

/** Maintenance mode as it was: a change only when it differs (a spec without the key has it off). */
function maintenanceBack(ctx: ReleaseContext, before: boolean): [string[], boolean][] {
  return ((ctx.doc.get(["maintenance", "enabled"]) as boolean | undefined) ?? false) === before
    ? []
    : [[["maintenance", "enabled"], before]];
}

/** The previous image, the workers' replicas and maintenance as they were, in one `up`. */
function versionBack(ctx: ReleaseContext, log: InPlaceLog): RollbackAction {
  const b = log.before;
  return {
    action: `${log.service} back to ${b.version}`,
    run: async () => {
      const changed = ctx.doc.set([
        [["services", log.service, "image"], b.image],
        ...workersBack(log),
        ...maintenanceBack(ctx, b.maintenance),
      ]);
      const touched = ["maintenance-on", "stop-workers", "deploy", "start-workers"].some((k) =>
        ran(log, k),
      );
      if (!changed && !touched)
        return { ok: true, message: `${log.service} never left ${b.version}: nothing to change` };
      const r = await ctx.up(log, "rollback");
      const workers = b.workers.map((w) => w.name).join(", ");
      // A stop-workers whose up failed left its containers stopped, and the up did not see it.
      const env = r.ok && ran(log, "stop-workers") ? (await ctx.live()).env : undefined;
      const started =
        env?.runtime === "docker"
          ? startStoppedContainers(
              env.prefix,
              b.workers.map((w) => w.name),
            )
          : [];
      return r.ok
        ? {
            ok: true,
            message: `${log.service} ${b.version} runs again${workers ? `, ${workers} running` : ""}${started.length > 0 ? ` (${started.join(", ")} started again)` : ""}${ran(log, "maintenance-on") ? `, maintenance ${b.maintenance ? "on" : "off"} as before` : ""}; ${r.message}`,
          }
        : { ok: false, message: r.message };
    },
  };
}

export function rollbackActions(ctx: ReleaseContext, log: ReleaseLog): RollbackAction[] {
  return rollbackPlan(log).map((what): RollbackAction => {
    if (what === "version") return versionBack(ctx, log as InPlaceLog);
    if (what === "traffic") return trafficBack(ctx, log as BlueGreenLog);
    return databaseBack(ctx, log);
  });
}

function trafficBack(ctx: ReleaseContext, log: BlueGreenLog): RollbackAction {
  const b = log.before;
  return {
    action: `traffic to ${b.active}`,
    run: async () => {
      const maintenance = maintenanceBack(ctx, b.maintenance);
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
}

function databaseBack(ctx: ReleaseContext, log: ReleaseLog): RollbackAction {
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
}
