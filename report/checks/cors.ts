/** cors: a preflight from an allowed origin is answered with that origin (never `*`), a foreign one is not. */
import {
  fail,
  pass,
  reach,
  skipped,
  unknown,
  unreached,
  type CheckContext,
  type LiveCheck,
  type Outcome,
} from "./check";
import { request } from "./probe";

const foreign = "https://foreign.invalid";

export const cors: LiveCheck = {
  id: "cors",
  items: ["cgs-assist.cors-konfiguration-testen"],
  timeoutSeconds: 10,
  run: async (ctx) => {
    const gw = ctx.env.gateway;
    if (!gw) return skipped("the spec has no gateway");
    const other = unreached(ctx, "CORS");
    if (other) return other;
    const access = reach(ctx);
    if (access.unreachable("gateway", "https") !== undefined)
      return unknown("the gateway publishes no host port (gateway.hostPorts) this check can reach");
    return access.forward("gateway", "https", (port) => judge(port, gw));
  },
};

/** The preflights through the gateway's HTTPS port on 127.0.0.1:<port>. */
async function judge(
  port: number,
  gw: NonNullable<CheckContext["env"]["gateway"]>,
): Promise<Outcome> {
  const preflight = (origin: string) =>
    request("https", port, gw.healthPath, {
      host: gw.domain,
      method: "OPTIONS",
      headers: { Origin: origin, "Access-Control-Request-Method": "GET" },
    }).then((r) => String(r.headers["access-control-allow-origin"] ?? ""));
  const problems: string[] = [];
  const seen: string[] = [];
  for (const origin of gw.corsOrigins) {
    const allow = await preflight(origin);
    seen.push(`${origin} → ${allow || "(none)"}`);
    if (allow !== origin)
      problems.push(
        `${origin} was answered ${allow || "without Access-Control-Allow-Origin"}, expected ${origin}`,
      );
  }
  const other = await preflight(foreign);
  seen.push(`${foreign} → ${other || "(none)"}`);
  if (other !== "")
    problems.push(
      `a foreign origin was allowed (${other}); expected no Access-Control-Allow-Origin`,
    );
  return problems.length > 0 ? fail(problems.join("; ")) : pass(seen.join(", "));
}
