/** Reaching PostgreSQL for the checks: the primary or a replica, as the application's user. */
import type { CheckContext } from "./check";
import { container, hostPort } from "./check";
import { sql } from "./probe";

export function pgQuery(ctx: CheckContext, workload: string, query: string, via = "postgres") {
  const pg = ctx.env.postgres!;
  return sql(
    { port: hostPort(ctx, workload, via), container: container(ctx, workload) },
    { user: pg.user, password: ctx.secrets.postgresPassword, database: pg.database },
    query,
  );
}
