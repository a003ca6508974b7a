/**
 * watch: the analysis window, in the manner of Argo Rollouts' AnalysisRun. After the initial
 * delay, `count` measurements `intervalSeconds` apart, each two Prometheus instant queries of the
 * new colour's job (its workload's name): the 5xx share of its requests and its p95 latency, over
 * the last minute. A measurement is successful when both are within the plan's thresholds, failed
 * when either is above, and an error when either cannot be read (no answer, no data, NaN). The
 * window fails as soon as failures exceed `failureLimit` or errors in a row exceed
 * `consecutiveErrorLimit`; at its end it passes only if at least one measurement was read.
 */
import type { ReleaseWatchSpec } from "../../components/config/spec/release-plan";
import type { Live } from "../context";
import { colourWorkload, type StepRun } from "./step";

export interface Measurement {
  readonly at: string;
  readonly status: "successful" | "failed" | "error";
  readonly errorRatePercent?: number;
  readonly p95Ms?: number;
  readonly message: string;
}

/** A query's value, or why there is none. */
export type Reading = { value: number } | { error: string };

export function queries(job: string): { errorRate: string; p95: string } {
  const sel = `job="${job}"`;
  return {
    errorRate: `(sum(rate(http_requests_total{${sel},status=~"5.."}[1m])) or vector(0)) / sum(rate(http_requests_total{${sel}}[1m])) * 100`,
    p95: `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${sel}}[1m]))) * 1000`,
  };
}

/** One measurement from its two readings. */
export function measurement(
  spec: ReleaseWatchSpec,
  errorRate: Reading,
  p95: Reading,
  at: Date,
): Measurement {
  const why = [
    ...("error" in errorRate ? [`error rate: ${errorRate.error}`] : []),
    ...("error" in p95 ? [`p95: ${p95.error}`] : []),
  ];
  const e = "value" in errorRate ? errorRate.value : undefined;
  const l = "value" in p95 ? p95.value : undefined;
  const seen = [
    ...(e !== undefined ? [`error rate ${e.toFixed(2)} %`] : []),
    ...(l !== undefined ? [`p95 ${l.toFixed(0)} ms`] : []),
  ];
  const over = [
    ...(e !== undefined && e > spec.errorRatePercent
      ? [`error rate above ${spec.errorRatePercent} %`]
      : []),
    ...(l !== undefined && l > spec.latencyP95Ms ? [`p95 above ${spec.latencyP95Ms} ms`] : []),
  ];
  const values = {
    ...(e !== undefined ? { errorRatePercent: e } : {}),
    ...(l !== undefined ? { p95Ms: l } : {}),
  };
  // A threshold crossed fails the measurement even when the other value is unreadable.
  if (over.length > 0)
    return {
      at: at.toISOString(),
      status: "failed",
      ...values,
      message: [...seen, ...over, ...why].join(", "),
    };
  if (why.length > 0)
    return {
      at: at.toISOString(),
      status: "error",
      ...values,
      message: [...seen, ...why].join(", "),
    };
  return { at: at.toISOString(), status: "successful", ...values, message: seen.join(", ") };
}

/** Where the window stands after these measurements: still open, passed or failed, and why. */
export function verdict(
  spec: ReleaseWatchSpec,
  ms: readonly Measurement[],
): { done: boolean; ok: boolean; message: string } {
  const failed = ms.filter((m) => m.status === "failed").length;
  const successful = ms.filter((m) => m.status === "successful").length;
  let inARow = 0;
  for (const m of ms) inARow = m.status === "error" ? inARow + 1 : 0;
  const counts = `${successful} successful, ${failed} failed, ${ms.length - successful - failed} unreadable of ${ms.length}`;
  const last = ms.at(-1)?.message ?? "";
  if (failed > spec.failureLimit)
    return {
      done: true,
      ok: false,
      message: `${counts}: more than ${spec.failureLimit} failed (${last})`,
    };
  if (inARow > spec.consecutiveErrorLimit)
    return {
      done: true,
      ok: false,
      message: `${counts}: ${inARow} unreadable in a row, more than ${spec.consecutiveErrorLimit} (${last})`,
    };
  if (ms.length < spec.count) return { done: false, ok: true, message: counts };
  if (successful === 0)
    return { done: true, ok: false, message: `${counts}: no measurement could be read (${last})` };
  return { done: true, ok: true, message: counts };
}

/** An instant query's single value. */
export async function instant(base: string, query: string): Promise<Reading> {
  try {
    const res = await fetch(
      `${base.replace(/\/$/, "")}/api/v1/query?query=${encodeURIComponent(query)}`,
      {
        signal: AbortSignal.timeout(10_000),
      },
    );
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data?: { result?: { value: [number, string] }[] };
    };
    if (body.status !== "success") return { error: `Prometheus: ${body.error ?? res.status}` };
    const result = body.data?.result ?? [];
    if (result.length === 0) return { error: "no data" };
    const value = Number(result[0].value[1]);
    return Number.isFinite(value) ? { value } : { error: `not a number (${result[0].value[1]})` };
  } catch (e) {
    return { error: `no answer from Prometheus at ${base}: ${(e as Error).message}` };
  }
}

/**
 * How a watch asks Prometheus: at the plan's URL, else through the runtime's access to the stack's
 * own Prometheus (its published host port on Docker, a `kubectl port-forward` on Kubernetes, an
 * SSH tunnel through the Proxmox node on LXC), opened for each measurement and closed after it.
 * `error` says why neither is there (`urlKey`: the plan's key for the URL).
 */
export function prometheusAt(
  live: Pick<Live, "access">,
  url: string | undefined,
  urlKey: string,
):
  { ask: <T>(use: (base: string) => Promise<T>) => Promise<T>; where: string } | { error: string } {
  if (url) return { ask: (use) => use(url), where: url };
  const why = live.access.unreachable("prometheus", "http");
  if (why !== undefined)
    return { error: `no Prometheus to watch: ${why}, and the plan names no ${urlKey}` };
  return {
    ask: (use) =>
      live.access.forward("prometheus", "http", (port) => use(`http://127.0.0.1:${port}`)),
    where: `the stack's Prometheus (${live.access.where("prometheus")})`,
  };
}

/** Both readings of one measurement; a forward that cannot open makes both unreadable. */
export async function readBoth<R>(
  prometheus: { ask: <T>(use: (base: string) => Promise<T>) => Promise<T> },
  read: (base: string) => Promise<[R, R]>,
): Promise<[R | { error: string }, R | { error: string }]> {
  try {
    return await prometheus.ask(read);
  } catch (e) {
    const error = `no way to Prometheus: ${(e as Error).message.split("\n")[0]}`;
    return [{ error }, { error }];
  }
}

export const watch: StepRun = async (ctx, log, step) => {
  const spec = log.plan.watch;
  const prometheus = prometheusAt(await ctx.live(), spec.prometheusUrl, "watch.prometheusUrl");
  if ("error" in prometheus) return { ok: false, message: prometheus.error };
  const job = colourWorkload(log);
  const q = queries(job);
  await ctx.interruption.pause(spec.initialDelaySeconds * 1000);
  const ms: Measurement[] = [];
  for (;;) {
    const signal = ctx.interruption.reason();
    if (signal !== undefined)
      return {
        ok: false,
        message: `interrupted (${signal}) after ${ms.length} of ${spec.count} measurements`,
        data: { measurements: ms, queries: q },
      };
    const started = Date.now();
    const [e, l] = await readBoth(prometheus, (base) =>
      Promise.all([instant(base, q.errorRate), instant(base, q.p95)]),
    );
    ms.push(measurement(spec, e, l, new Date()));
    ctx.progress(
      `        ${step.name} ${String(ms.length).padStart(2)}/${spec.count} ${ms.at(-1)!.status.padEnd(10)} ${ms.at(-1)!.message}`,
    );
    const v = verdict(spec, ms);
    if (v.done)
      return { ok: v.ok, message: `${job}: ${v.message}`, data: { measurements: ms, queries: q } };
    await ctx.interruption.pause(Math.max(0, spec.intervalSeconds * 1000 - (Date.now() - started)));
  }
};
