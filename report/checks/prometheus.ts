/** Asking the stack's Prometheus (its published host port) an instant query, for the checks. */
import { skipped, unknown, type CheckContext, type Outcome } from "./check";
import { hostPort } from "./check";
import { getJson } from "./probe";

export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

interface Vector {
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

/** A function running instant queries, or the outcome saying why Prometheus cannot be asked. */
export function prometheus(ctx: CheckContext): ((q: string) => Promise<Sample[]>) | Outcome {
  if (!ctx.env.monitoring) return skipped("the spec has no monitoring");
  const port = hostPort(ctx, "prometheus", "http");
  if (port === undefined)
    return unknown("Prometheus publishes no host port (hostPorts.prometheus.http) to reach it by");
  return async (q) =>
    (await getJson<Vector>(port, `/api/v1/query?query=${encodeURIComponent(q)}`)).data.result.map(
      (r) => ({ metric: r.metric, value: Number(r.value[1]) }),
    );
}

/**
 * A per-job figure against a bound: which jobs are over it, and what was seen. Series whose
 * value is NaN (no request in the window) are no measurement and are left out.
 */
export function overBound(
  samples: readonly Sample[],
  bound: number,
  unit: string,
): { measured: Sample[]; over: Sample[]; seen: string } {
  const measured = samples.filter((s) => Number.isFinite(s.value));
  const over = measured.filter((s) => s.value >= bound);
  const seen = measured
    .map((s) => `${s.metric.job ?? "?"} ${s.value.toFixed(unit === "%" ? 2 : 1)} ${unit}`)
    .join(", ");
  return { measured, over, seen };
}
