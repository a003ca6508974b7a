/** Small statistics the latency and load checks share. */

/** The p-th percentile (nearest rank) of the values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** A load test's sample judged by the spec's thresholds. */
export function judgeLoad(
  sample: readonly { ms: number; status: number }[],
  thresholds: { latencyP95Ms: number; errorRatePercent: number },
): { ok: boolean; seen: string; problems: string[] } {
  const errors = sample.filter((s) => s.status === 0 || s.status >= 500).length;
  const p95 = percentile(
    sample.map((s) => s.ms),
    95,
  );
  const errorRate = sample.length === 0 ? 100 : (100 * errors) / sample.length;
  const problems = [
    ...(sample.length === 0 ? ["no request was sent"] : []),
    ...(p95 >= thresholds.latencyP95Ms
      ? [`p95 ${p95.toFixed(1)} ms, expected below ${thresholds.latencyP95Ms} ms`]
      : []),
    ...(errorRate >= thresholds.errorRatePercent
      ? [
          `${errorRate.toFixed(2)} % errors (${errors} of ${sample.length}), expected below ${thresholds.errorRatePercent} %`,
        ]
      : []),
  ];
  const seen = `${sample.length} requests, p95 ${Number.isNaN(p95) ? "n/a" : p95.toFixed(1)} ms, ${errors} errors (${errorRate.toFixed(2)} %)`;
  return { ok: problems.length === 0, seen, problems };
}
