/**
 * gateway-routes: every route prefix the gateway serves answers below 500, and every path the
 * spec names in verify.routes answers 2xx or 3xx, through the gateway over TLS.
 */
import { fail, pass, type LiveCheck } from "./check";
import { gatewayTarget, isOutcome, viaGateway } from "./gateway";

export const gatewayRoutes: LiveCheck = {
  id: "gateway-routes",
  items: [
    "cgs-assist.api-endpoints-testen",
    "ablage.admin-panel-erreichbar",
    "psa-platform.api-versionierung-funktioniert",
    "psa-platform.dashboard-laedt",
  ],
  timeoutSeconds: 60,
  run: async (ctx) => {
    const t = gatewayTarget(ctx);
    if (isOutcome(t)) return t;
    const declared = ctx.env.verify.routes;
    const prefixes = (ctx.env.gateway?.routes ?? []).filter((p) => !declared.includes(p));
    const seen: string[] = [];
    const bad: string[] = [];
    for (const [path, wanted] of [
      ...prefixes.map((p) => [p, "below 500"] as const),
      ...declared.map((p) => [p, "2xx or 3xx"] as const),
    ]) {
      const r = await viaGateway(t, path);
      seen.push(`${path} ${r.status}`);
      const ok =
        wanted === "below 500" ? r.status > 0 && r.status < 500 : r.status >= 200 && r.status < 400;
      if (!ok) bad.push(`${path} answered ${r.status}, expected ${wanted}`);
    }
    if (seen.length === 0) return fail("the gateway serves no route and verify.routes names none");
    return bad.length > 0
      ? fail(`${bad.join("; ")} (seen: ${seen.join(", ")})`)
      : pass(seen.join(", "));
  },
};
