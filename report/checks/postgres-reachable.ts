/**
 * postgres-reachable: from inside every app container that depends on PostgreSQL, the database
 * host and port the app was given (DATABASE_HOST, DATABASE_PORT) accept a connection.
 */
import { dockerOnly, fail, pass, skipped, unknown, type LiveCheck } from "./check";
import { containerEnv, containersOf, tcpFromInside } from "./inside";

export const postgresReachable: LiveCheck = {
  id: "postgres-reachable",
  items: ["cgs-assist.netzwerk-konnektivitaet-testen"],
  timeoutSeconds: 60,
  run: async (ctx) => {
    if (!ctx.env.postgres) return skipped("the spec has no PostgreSQL");
    const apps = ctx.env.apps.filter((a) =>
      a.dependsOn.some((d) => d === "postgres" || d === "pgbouncer"),
    );
    if (apps.length === 0) return skipped("no app service depends on PostgreSQL");
    const other = dockerOnly(ctx, "PostgreSQL from the app containers");
    if (other) return other;
    const seen: string[] = [];
    const bad: string[] = [];
    for (const app of apps) {
      const names = await containersOf(ctx, app.name);
      if (names.length === 0) bad.push(`${app.name}: no container`);
      for (const name of names) {
        const env = await containerEnv(name);
        const host = env.DATABASE_HOST;
        const port = Number(env.DATABASE_PORT ?? "5432");
        if (!host) {
          bad.push(`${name} has no DATABASE_HOST in its environment`);
          continue;
        }
        const r = await tcpFromInside(name, host, port);
        if (!r) return unknown(`${name} has no pg_isready, bash, python3 or nc to connect with`);
        seen.push(`${name} → ${host}:${port} (${r.via})`);
        if (!r.ok)
          bad.push(`${name}: ${host}:${port} not reachable (${r.via}), expected a connection`);
      }
    }
    return bad.length > 0 ? fail(bad.join("; ")) : pass(seen.join(", "));
  },
};
