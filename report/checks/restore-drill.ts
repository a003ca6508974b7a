/**
 * restore-drill: a restore drill succeeded within the last `restoreDrillDays` days. With
 * `--restore-drill` it runs one first: the newest base backup unpacked into a scratch instance (a
 * throw-away container with the backup loop's image and volumes, no network), started, and its
 * tables counted; the drill's record (`.last-restore-drill` in the backups volume: time, backup,
 * tables restored) is what later runs read.
 */
import {
  container,
  fail,
  pass,
  reach,
  skipped,
  unknown,
  unreached,
  type CheckContext,
  type LiveCheck,
} from "./check";
import { backupDir } from "./postgres-backup";
import { pgQuery } from "./postgres";
import { docker } from "./probe";

export const drillRecord = `${backupDir}/.last-restore-drill`;

/** The drill, as the script the scratch container runs (exits non-zero saying what failed). */
export function drillScript(database: string, user: string): string {
  return [
    "set -euo pipefail",
    `stamp=$(ls -1 ${backupDir} | grep -E '^[0-9]{8}T[0-9]{6}Z$' | sort | tail -1 || true)`,
    `test -n "$stamp" || { echo "no base backup in ${backupDir}" >&2; exit 1; }`,
    'bin=$(dirname "$(command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl | tail -1)")',
    "d=$(mktemp -d)",
    `tar -xzf ${backupDir}/$stamp/base.tar.gz -C "$d"`,
    `if [ -f ${backupDir}/$stamp/pg_wal.tar.gz ]; then tar -xzf ${backupDir}/$stamp/pg_wal.tar.gz -C "$d/pg_wal"; fi`,
    'rm -f "$d/standby.signal" "$d/recovery.signal"',
    'printf "local all all trust\\n" > /tmp/drill-hba.conf',
    'chown -R postgres:postgres "$d" /tmp/drill-hba.conf && chmod 700 "$d"',
    `runuser -u postgres -- "$bin/pg_ctl" -D "$d" -w -t 90 -l /tmp/drill.log -o "-c archive_mode=off -c listen_addresses= -c unix_socket_directories=/tmp -c hba_file=/tmp/drill-hba.conf" start >/dev/null || { tail -20 /tmp/drill.log >&2; exit 1; }`,
    `n=$(runuser -u postgres -- "$bin/psql" -h /tmp -U ${user} -d ${database} -XAtqc "select count(*) from pg_tables where schemaname = 'public'")`,
    'runuser -u postgres -- "$bin/pg_ctl" -D "$d" -m fast -w stop >/dev/null',
    `echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $stamp $n" > ${drillRecord}`,
    `cat ${drillRecord}`,
  ].join("\n");
}

async function runDrill(ctx: CheckContext): Promise<void> {
  const pg = ctx.env.postgres!;
  const backup = container(ctx, "postgres-backup");
  const image = (await docker(["inspect", "--format", "{{.Config.Image}}", backup])).trim();
  await docker(
    [
      "run",
      "--rm",
      "--network",
      "none",
      "--volumes-from",
      backup,
      "--user",
      "0",
      "--entrypoint",
      "bash",
      image,
      "-c",
      drillScript(pg.database, pg.user),
    ],
    120,
  );
}

export const restoreDrill: LiveCheck = {
  id: "restore-drill",
  items: ["cgs-assist.backup-restore-testen"],
  timeoutSeconds: 150,
  run: async (ctx) => {
    const pg = ctx.env.postgres;
    if (!pg) return skipped("the spec has no PostgreSQL");
    if (pg.backupIntervalHours === undefined)
      return fail(
        "the spec has no backup loop to restore from (postgres.backups.enabled is false)",
      );
    const other = unreached(ctx, "the restore drill");
    if (other) return other;
    if (ctx.runRestoreDrill) {
      // The scratch instance is a throw-away container beside the backup loop's: Docker's.
      if (ctx.env.runtime !== "docker")
        return unknown(
          `golive verify --restore-drill runs the drill on Docker only so far; on ${ctx.env.runtime} the last drill's record is read without --restore-drill`,
        );
      await runDrill(ctx);
    }
    const record = await reach(ctx).exec("postgres-backup", [
      "sh",
      "-c",
      `cat ${drillRecord} 2>/dev/null || true`,
    ]);
    const [at, stamp, tables] = record.trim().split(" ");
    if (!at)
      return fail(
        `no restore drill recorded; expected one within ${ctx.restoreDrillDays} days (run golive verify --restore-drill)`,
      );
    const days = (ctx.now.getTime() - Date.parse(at)) / 86_400_000;
    // Tables made after the backup are rightly missing from it: the primary's count is context.
    const primary = await pgQuery(
      ctx,
      "postgres",
      "select count(*) from pg_tables where schemaname = 'public'",
    ).then(
      (rows) => rows[0]?.[0] ?? "?",
      () => "?",
    );
    const seen = `last drill ${at}: backup ${stamp} restored into a scratch instance, ${tables} tables (the primary has ${primary} now)`;
    return days <= ctx.restoreDrillDays
      ? pass(seen)
      : fail(
          `${seen}, ${days.toFixed(0)} days ago; expected one within ${ctx.restoreDrillDays} days (run golive verify --restore-drill)`,
        );
  },
};
