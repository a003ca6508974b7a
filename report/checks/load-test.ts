/**
 * load-test: verify.load.requests requests, verify.load.concurrency at a time, to a path through
 * the gateway; the p95 latency and the share of 5xx or failed requests must stay below
 * monitoring.thresholds (latencyP95Ms, errorRatePercent).
 */
import { fail, pass, unknown, type LiveCheck } from "./check";
import { gatewayTarget, isOutcome, viaGateway } from "./gateway";
import { judgeLoad } from "./stats";

export const loadTest: LiveCheck = {
  id: "load-test",
  items: [
    "cgs-assist.last-tests-durchfuehren",
    "valero-neuroerp.lasttest-durchgefuehrt",
    "psa-platform.load-test-nach-deployment",
  ],
  timeoutSeconds: 120,
  run: async (ctx) => {
    const load = ctx.env.verify.load;
    if (!load) return unknown("verify.load not declared");
    const mon = ctx.env.monitoring;
    if (!mon) return unknown("the spec has no monitoring.thresholds to judge a load test by");
    const t = gatewayTarget(ctx);
    if (isOutcome(t)) return t;
    const path = load.path ?? ctx.env.gateway!.healthPath;
    const sample: { ms: number; status: number }[] = [];
    let next = 0;
    const deadline = Date.now() + 100_000;
    const worker = async () => {
      while (next < load.requests && Date.now() < deadline) {
        next++;
        const start = process.hrtime.bigint();
        // A request that fails (refused, reset, no answer in 10 s) counts as an error: status 0.
        const status = await viaGateway(t, path, { timeoutSeconds: 10 }).then(
          (r) => r.status,
          () => 0,
        );
        sample.push({ ms: Number(process.hrtime.bigint() - start) / 1e6, status });
      }
    };
    await Promise.all(Array.from({ length: load.concurrency }, worker));
    if (sample.length < load.requests)
      return unknown(`only ${sample.length} of ${load.requests} requests sent within 100 s`);
    const j = judgeLoad(sample, mon);
    const seen = `${path}, ${load.concurrency} at a time: ${j.seen}`;
    return j.ok
      ? pass(`${seen} (thresholds p95 ${mon.latencyP95Ms} ms, errors ${mon.errorRatePercent} %)`)
      : fail(`${seen}: ${j.problems.join("; ")}`);
  },
};
