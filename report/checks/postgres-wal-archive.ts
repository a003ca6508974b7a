/** postgres-wal-archive: pg_stat_archiver has archived WAL, and no failure since the last success. */
import { fail, unreached, pass, skipped, type LiveCheck } from "./check";
import { pgQuery } from "./postgres";

export const postgresWalArchive: LiveCheck = {
  id: "postgres-wal-archive",
  items: ["ablage.backup-erstellt"],
  timeoutSeconds: 15,
  run: async (ctx) => {
    const pg = ctx.env.postgres;
    if (!pg) return skipped("the spec has no PostgreSQL");
    if (!pg.walArchive) return skipped("the spec archives no WAL (postgres.walArchive)");
    const other = unreached(ctx, "WAL archiving");
    if (other) return other;
    const [[archived, failed, lastArchived, lastFailed, failedSince]] = await pgQuery(
      ctx,
      "postgres",
      "select archived_count, failed_count, coalesce(last_archived_wal || ' at ' || last_archived_time, 'never'), coalesce(last_failed_wal || ' at ' || last_failed_time, 'never'), coalesce(last_failed_time > coalesce(last_archived_time, 'epoch'), false) from pg_stat_archiver",
    );
    const seen = `${archived} archived (last ${lastArchived}), ${failed} failed (last ${lastFailed})`;
    if (Number(archived) === 0) return fail(`no WAL archived yet: ${seen}`);
    if (failedSince === "t") return fail(`archiving fails since its last success: ${seen}`);
    return pass(seen);
  },
};
