/**
 * Reaching PostgreSQL for the checks: the primary or a replica, as the application's user. Through
 * its port where this side reaches it (a published host port, a port-forward), psql running here;
 * else psql inside the workload's container, over its local socket.
 */
import type { CheckContext } from "./check";
import { reach } from "./check";
import { psql, psqlArgs, psqlRows } from "./probe";

export async function pgQuery(
  ctx: CheckContext,
  workload: string,
  query: string,
  via = "postgres",
): Promise<string[][]> {
  const pg = ctx.env.postgres!;
  const login = { user: pg.user, password: ctx.secrets.postgresPassword, database: pg.database };
  const access = reach(ctx);
  if (access.unreachable(workload, via) === undefined)
    return access.forward(workload, via, (port) => psql(port, login, query));
  return psqlRows(await access.exec(workload, ["psql", ...psqlArgs(login, query)]));
}
