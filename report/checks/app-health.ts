/** app-health: every app's own health endpoint answers 200 from inside its container. */
import { dockerOnly, fail, pass, skipped, unknown, type LiveCheck } from "./check";
import { containersOf, httpFromInside } from "./inside";

export const appHealth: LiveCheck = {
  id: "app-health",
  items: [
    "cgs-assist.netzwerk-konnektivitaet-testen",
    "psa-platform.health-check-endpoints-funktionsfaehig",
  ],
  timeoutSeconds: 60,
  run: async (ctx) => {
    if (ctx.env.apps.length === 0) return skipped("the spec has no app service");
    const other = dockerOnly(ctx, "an app's own health endpoint");
    if (other) return other;
    const without = ctx.env.apps.filter((a) => !a.health).map((a) => a.name);
    if (without.length > 0)
      return unknown(
        `no HTTP health check to call for ${without.join(", ")} (services.<name>.healthCheck.path)`,
      );
    const seen: string[] = [];
    const bad: string[] = [];
    for (const app of ctx.env.apps) {
      const url = `http://127.0.0.1:${app.health!.port}${app.health!.path}`;
      const names = await containersOf(ctx, app.name);
      if (names.length === 0) bad.push(`${app.name}: no container`);
      for (const name of names) {
        const status = await httpFromInside(name, url);
        if (status === undefined)
          return unknown(`${name} has no curl, python3 or wget to call ${url} with`);
        seen.push(`${name} ${url} ${status}`);
        if (status !== 200)
          bad.push(`${name}: ${url} answered ${status || "nothing"}, expected 200`);
      }
    }
    return bad.length > 0 ? fail(bad.join("; ")) : pass(seen.join(", "));
  },
};
