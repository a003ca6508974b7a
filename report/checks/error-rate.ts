/**
 * error-rate: Prometheus' share of 5xx in http_requests_total over 5 minutes, per job, is below
 * monitoring.thresholds.errorRatePercent, and HighErrorRate is not firing.
 */
import { fail, pass, unknown, type LiveCheck } from "./check";
import { overBound, prometheus } from "./prometheus";

export const errorRate: LiveCheck = {
  id: "error-rate",
  items: ["cgs-assist.performance-metriken-pruefen", "psa-platform.error-rate-0-1"],
  timeoutSeconds: 15,
  run: async (ctx) => {
    const query = prometheus(ctx);
    if (typeof query !== "function") return query;
    const bound = ctx.env.monitoring!.errorRatePercent;
    // `or … * 0`: a job with requests and no 5xx series at all has a share of 0, not no share.
    const share = await query(
      '100 * (sum by (job) (rate(http_requests_total{status=~"5.."}[5m])) or sum by (job) (rate(http_requests_total[5m])) * 0) / sum by (job) (rate(http_requests_total[5m]))',
    );
    const firing = await query('ALERTS{alertstate="firing",alertname="HighErrorRate"}');
    const j = overBound(share, bound, "%");
    if (j.measured.length === 0)
      return unknown("no job has http_requests_total requests in the last 5 minutes");
    const problems = [
      ...j.over.map(
        (s) => `${s.metric.job} ${s.value.toFixed(2)} % 5xx, expected below ${bound} %`,
      ),
      ...firing.map((a) => `HighErrorRate firing for ${a.metric.job ?? "?"}`),
    ];
    const seen = `5xx share ${j.seen} (threshold ${bound} %)`;
    return problems.length > 0 ? fail(`${seen}: ${problems.join("; ")}`) : pass(seen);
  },
};
