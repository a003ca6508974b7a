/**
 * postgres-replication: every replica's slot on the primary is active and its walsender streaming,
 * with replay lag under monitoring.thresholds.replicaLagSeconds.
 */
import { fail, unreached, pass, skipped, type LiveCheck } from "./check";
import { pgQuery } from "./postgres";

export const postgresReplication: LiveCheck = {
  id: "postgres-replication",
  items: ["psa-platform.replication-slots-erstellt"],
  timeoutSeconds: 15,
  run: async (ctx) => {
    const pg = ctx.env.postgres;
    if (!pg) return skipped("the spec has no PostgreSQL");
    if (pg.replicas.length === 0) return skipped("the spec has no PostgreSQL replica");
    const other = unreached(ctx, "replication");
    if (other) return other;
    const maxLag = ctx.env.monitoring?.replicaLagSeconds ?? 30;
    const rows = await pgQuery(
      ctx,
      "postgres",
      "select s.slot_name, s.active, coalesce(r.state, 'none'), coalesce(extract(epoch from r.replay_lag), 0) from pg_replication_slots s left join pg_stat_replication r on r.pid = s.active_pid where s.slot_type = 'physical' order by 1",
    );
    const streaming = rows.filter(([, active, state]) => active === "t" && state === "streaming");
    const seen = rows.map(
      ([slot, active, state, lag]) =>
        `${slot} ${active === "t" ? state : "inactive"} lag ${Number(lag).toFixed(1)} s`,
    );
    const lagging = streaming.filter(([, , , lag]) => Number(lag) > maxLag);
    if (streaming.length < pg.replicas.length)
      return fail(
        `${streaming.length} of ${pg.replicas.length} replicas streaming (${seen.join(", ") || "no replication slot"}); expected every replica streaming from its slot`,
      );
    if (lagging.length > 0) return fail(`replay lag above ${maxLag} s: ${seen.join(", ")}`);
    return pass(`${seen.join(", ")} (threshold ${maxLag} s)`);
  },
};
