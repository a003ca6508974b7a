/** postgres-ready: the primary and every replica answer a query (the replicas in recovery). */
import { fail, unreached, pass, skipped, type LiveCheck } from "./check";
import { pgQuery } from "./postgres";

export const postgresReady: LiveCheck = {
  id: "postgres-ready",
  items: ["cgs-assist.datenbank-container-laeuft-docker", "psa-platform.keine-datenbank-errors"],
  timeoutSeconds: 20,
  run: async (ctx) => {
    const pg = ctx.env.postgres;
    if (!pg) return skipped("the spec has no PostgreSQL");
    const other = unreached(ctx, "PostgreSQL");
    if (other) return other;
    const seen: string[] = [];
    const bad: string[] = [];
    for (const w of ["postgres", ...pg.replicas]) {
      try {
        const [[recovery]] = await pgQuery(ctx, w, "select pg_is_in_recovery()");
        const expected = w === "postgres" ? "f" : "t";
        seen.push(`${w} answers${recovery === "t" ? " (in recovery)" : ""}`);
        if (recovery !== expected)
          bad.push(`${w}: pg_is_in_recovery() is ${recovery}, expected ${expected}`);
      } catch (e) {
        bad.push(`${w}: ${(e as Error).message}`);
      }
    }
    return bad.length > 0 ? fail(bad.join("; ")) : pass(seen.join(", "));
  },
};
