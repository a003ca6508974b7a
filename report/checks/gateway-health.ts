/** gateway-health: the health path answers 200 over TLS through the gateway. */
import { fail, pass, skipped, unknown, type LiveCheck } from "./check";
import { request } from "./probe";

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
    if (gw.httpsPort === undefined)
      return unknown("the gateway publishes no host port (gateway.hostPorts) this check can reach");
    const r = await request("https", gw.httpsPort, gw.healthPath, { host: gw.domain });
    const where = `https://${gw.domain}:${gw.httpsPort}${gw.healthPath}`;
    return r.status === 200
      ? pass(`${where} answered 200`)
      : fail(`${where} answered ${r.status}, expected 200`);
  },
};
