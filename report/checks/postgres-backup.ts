/**
 * postgres-backup: the newest base backup the backup loop finished (a `<YYYYMMDDTHHMMSSZ>` folder
 * in its volume, components/services/postgres/config.ts backupDir) is younger than
 * postgres.backups.intervalHours.
 */
import { fail, pass, reach, skipped, unreached, type LiveCheck } from "./check";

export const backupDir = "/var/lib/postgresql/backups";

/** The newest finished backup's stamp as a time, from a folder listing. */
export function newestBackup(listing: string): { stamp: string; at: Date } | undefined {
  const stamps = listing
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^\d{8}T\d{6}Z$/.test(l))
    .sort();
  const stamp = stamps.at(-1);
  if (!stamp) return undefined;
  const iso = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`;
  return { stamp, at: new Date(iso) };
}

export const postgresBackup: LiveCheck = {
  id: "postgres-backup",
  items: ["ablage.backup-erstellt"],
  timeoutSeconds: 15,
  run: async (ctx) => {
    const pg = ctx.env.postgres;
    if (!pg) return skipped("the spec has no PostgreSQL");
    if (pg.backupIntervalHours === undefined)
      return fail("the spec has no backup loop (postgres.backups.enabled is false)");
    const other = unreached(ctx, "the backup loop");
    if (other) return other;
    const listing = await reach(ctx).exec("postgres-backup", ["ls", "-1", backupDir]);
    const newest = newestBackup(listing);
    if (!newest) return fail(`no finished base backup in ${backupDir}`);
    const hours = (ctx.now.getTime() - newest.at.getTime()) / 3_600_000;
    const seen = `newest base backup ${newest.stamp}, ${hours.toFixed(1)} h old`;
    return hours <= pg.backupIntervalHours
      ? pass(`${seen} (interval ${pg.backupIntervalHours} h)`)
      : fail(`${seen}: older than the backup interval of ${pg.backupIntervalHours} h`);
  },
};
