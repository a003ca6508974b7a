/** pgbouncer: pgBouncer answers a query as the application's user, in its database. */
import { fail, pass, reach, skipped, unknown, unreached, type LiveCheck } from "./check";
import { pgQuery } from "./postgres";

export const pgbouncer: LiveCheck = {
  id: "pgbouncer",
  items: ["cgs-assist.netzwerk-konnektivitaet-testen"],
  timeoutSeconds: 15,
  run: async (ctx) => {
    const pg = ctx.env.postgres;
    if (!pg?.pgbouncer) return skipped("the spec has no pgBouncer");
    const other = unreached(ctx, "pgBouncer");
    if (other) return other;
    if (reach(ctx).unreachable("pgbouncer", "pgbouncer") !== undefined)
      return unknown(
        "pgBouncer publishes no host port (hostPorts.pgbouncer.pgbouncer) to reach it by",
      );
    const [[who]] = await pgQuery(
      ctx,
      "pgbouncer",
      "select current_user || '@' || current_database()",
      "pgbouncer",
    );
    const expected = `${pg.user}@${pg.database}`;
    return who === expected
      ? pass(`pgBouncer answered as ${who}`)
      : fail(`pgBouncer answered as ${who}, expected ${expected}`);
  },
};
