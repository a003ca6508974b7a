/** gateway-latency: the health path through the gateway answers 200 within verify.gatewayLatencyMs (median of 5). */
import { fail, pass, type LiveCheck } from "./check";
import { gatewayTarget, isOutcome, viaGateway } from "./gateway";
import { percentile } from "./stats";

export const gatewayLatency: LiveCheck = {
  id: "gateway-latency",
  items: ["ablage.response-times"],
  timeoutSeconds: 30,
  run: async (ctx) => {
    const t = gatewayTarget(ctx);
    if (isOutcome(t)) return t;
    const path = ctx.env.gateway!.healthPath;
    const bound = ctx.env.verify.gatewayLatencyMs;
    // One request first that is not counted: it pays for the TLS session cache and upstream dial.
    await viaGateway(t, path);
    const ms: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = process.hrtime.bigint();
      const r = await viaGateway(t, path);
      ms.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (r.status !== 200)
        return fail(`${path} through the gateway answered ${r.status}, expected 200`);
    }
    const median = percentile(ms, 50);
    const seen = `${path} through the gateway: median ${median.toFixed(1)} ms of 5 (max ${Math.max(...ms).toFixed(1)} ms)`;
    return median <= bound
      ? pass(`${seen}, bound ${bound} ms`)
      : fail(`${seen}, expected at most ${bound} ms (verify.gatewayLatencyMs)`);
  },
};
