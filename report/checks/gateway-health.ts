/** gateway-health: the health path answers 200 over TLS through the gateway. */
import { fail, pass, reach, skipped, unknown, unreached, type LiveCheck } from "./check";
import type { RuntimeAccess } from "./access";
import { request } from "./probe";

/** A gateway URL as the messages say it: with the host port on Docker, else where it was reached. */
export function gatewayUrl(access: RuntimeAccess, domain: string, path: string, port: number) {
  return access.runtime === "docker"
    ? `https://${domain}:${port}${path}`
    : `https://${domain}${path} (${access.where("gateway")})`;
}

export const gatewayHealth: LiveCheck = {
  id: "gateway-health",
  items: [
    "cgs-assist.ssl-tls-verbindung-pruefen",
    "cgs-assist.health-checks-durchfuehren",
    "valero-neuroerp.alle-services-aktiv-und-erreichbar",
    "psa-platform.health-checks",
    "psa-platform.19-3.health-checks",
  ],
  timeoutSeconds: 10,
  run: async (ctx) => {
    const gw = ctx.env.gateway;
    if (!gw) return skipped("the spec has no gateway");
    const other = unreached(ctx, "the gateway");
    if (other) return other;
    const access = reach(ctx);
    if (access.unreachable("gateway", "https") !== undefined)
      return unknown("the gateway publishes no host port (gateway.hostPorts) this check can reach");
    const [r, where] = await access.forward("gateway", "https", async (port) => [
      await request("https", port, gw.healthPath, { host: gw.domain }),
      gatewayUrl(access, gw.domain, gw.healthPath, port),
    ]);
    return r.status === 200
      ? pass(`${where} answered 200`)
      : fail(`${where} answered ${r.status}, expected 200`);
  },
};
