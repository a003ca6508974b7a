/** websocket-upgrade: an upgrade to verify.websocketPath through the gateway answers 101 with the right accept key. */
import { fail, pass, unknown, type LiveCheck } from "./check";
import { gatewayTarget, isOutcome } from "./gateway";
import { websocketAccept, websocketUpgrade } from "./websocket";

export const websocketUpgradeCheck: LiveCheck = {
  id: "websocket-upgrade",
  items: ["cgs-assist.websocket-verbindungen-pruefen"],
  timeoutSeconds: 15,
  run: async (ctx) => {
    const t = gatewayTarget(ctx);
    if (isOutcome(t)) return t;
    const path = ctx.env.verify.websocketPath;
    if (!path) return unknown("verify.websocketPath not declared");
    const r = await websocketUpgrade(t.port, t.domain, path);
    const where = `wss://${t.domain}:${t.port}${path}`;
    if (r.status !== 101)
      return fail(`${where} answered ${r.status}, expected 101 Switching Protocols`);
    if (r.headers["sec-websocket-accept"] !== websocketAccept(r.key))
      return fail(`${where} answered 101 without the Sec-WebSocket-Accept of the key sent`);
    return pass(`${where} answered 101 Switching Protocols with the matching accept key`);
  },
};
