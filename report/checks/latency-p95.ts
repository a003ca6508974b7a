/**
 * latency-p95: Prometheus' p95 of http_request_duration_seconds over 5 minutes, per job, is below
 * monitoring.thresholds.latencyP95Ms, and HighLatencyP95 is not firing.
 */
import { fail, pass, unknown, type LiveCheck } from "./check";
import { overBound, prometheus } from "./prometheus";

export const latencyP95: LiveCheck = {
  id: "latency-p95",
  items: [
    "cgs-assist.response-zeiten-messen",
    "cgs-assist.performance-metriken-pruefen",
    "valero-neuroerp.antwortzeiten-innerhalb-der",
    "ablage.response-times",
    "psa-platform.api-response-times-im-normalbereich",
    "psa-platform.api-response-times-normal",
  ],
  timeoutSeconds: 15,
  run: async (ctx) => {
    const query = prometheus(ctx);
    if (typeof query !== "function") return query;
    const bound = ctx.env.monitoring!.latencyP95Ms;
    const p95 = await query(
      "1000 * histogram_quantile(0.95, sum by (le, job) (rate(http_request_duration_seconds_bucket[5m])))",
    );
    const firing = await query('ALERTS{alertstate="firing",alertname="HighLatencyP95"}');
    const j = overBound(p95, bound, "ms");
    if (j.measured.length === 0)
      return unknown("no job has http_request_duration_seconds requests in the last 5 minutes");
    const problems = [
      ...j.over.map(
        (s) => `${s.metric.job} p95 ${s.value.toFixed(1)} ms, expected below ${bound} ms`,
      ),
      ...firing.map((a) => `HighLatencyP95 firing for ${a.metric.job ?? "?"}`),
    ];
    const seen = `p95 ${j.seen} (threshold ${bound} ms)`;
    return problems.length > 0 ? fail(`${seen}: ${problems.join("; ")}`) : pass(seen);
  },
};
