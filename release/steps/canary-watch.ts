/**
 * canary-watch: a rung's watch window on per-tenant metrics (label `tenant`, as golive's
 * HighHandoffRate rule reads them) of the accounts the rung enabled: each measurement reads every
 * tenant's error rate (agent_errors_total / agent_requests_total, 5 m) and handoff rate
 * (agent_handoffs_total / agent_conversations_total, 15 m). It fails when any enabled tenant is
 * above a threshold, and cannot be read when no enabled tenant has metrics; the window is judged
 * as the release's watch window is (steps/watch.ts, Argo Rollouts' analysis).
 */
import type { ReleaseCanarySpec } from "../../components/config/spec/release-plan";
import { enabledAccounts } from "../../components/release/canary";
import { parseSpec } from "../../components/config/load";
import { rungOf } from "../canary";
import type { ReleaseContext } from "../context";
import type { CanaryLog, StepRecord } from "../log";
import type { StepOutcome } from "../runner";
import { prometheusAt, readBoth, verdict, type Measurement } from "./watch";

export function tenantQueries(pkg: string): { errorRate: string; handoffRate: string } {
  const ratio = (num: string, den: string, range: string) => {
    const sel = `{package="${pkg}"}`;
    const d = `sum by (tenant) (rate(${den}${sel}[${range}]))`;
    return `(sum by (tenant) (rate(${num}${sel}[${range}])) or ${d} * 0) / ${d} * 100`;
  };
  return {
    errorRate: ratio("agent_errors_total", "agent_requests_total", "5m"),
    handoffRate: ratio("agent_handoffs_total", "agent_conversations_total", "15m"),
  };
}

export type TenantReading = { values: ReadonlyMap<string, number> } | { error: string };

/** One measurement of the enabled tenants. */
export function tenantMeasurement(
  t: Pick<ReleaseCanarySpec, "errorRatePercent" | "handoffRatePercent">,
  enabled: readonly string[],
  errors: TenantReading,
  handoffs: TenantReading,
  at: Date,
): Measurement {
  const when = at.toISOString();
  const unread = [
    ...("error" in errors ? [`error rate: ${errors.error}`] : []),
    ...("error" in handoffs ? [`handoff rate: ${handoffs.error}`] : []),
  ];
  const e = "values" in errors ? errors.values : new Map<string, number>();
  const h = "values" in handoffs ? handoffs.values : new Map<string, number>();
  const seen = enabled.filter((a) => e.has(a) || h.has(a));
  const over = seen.flatMap((a) => [
    ...((e.get(a) ?? 0) > t.errorRatePercent
      ? [`${a} error rate ${e.get(a)!.toFixed(2)} % > ${t.errorRatePercent} %`]
      : []),
    ...((h.get(a) ?? 0) > t.handoffRatePercent
      ? [`${a} handoff rate ${h.get(a)!.toFixed(2)} % > ${t.handoffRatePercent} %`]
      : []),
  ]);
  const silent = enabled.filter((a) => !seen.includes(a));
  const tail = silent.length > 0 ? `; no metrics from ${silent.join(", ")}` : "";
  if (over.length > 0) return { at: when, status: "failed", message: `${over.join(", ")}${tail}` };
  if (seen.length === 0 || unread.length > 0)
    return {
      at: when,
      status: "error",
      message: [...unread, ...(seen.length === 0 ? ["no enabled tenant has metrics"] : [])].join(
        ", ",
      ),
    };
  const max = (m: ReadonlyMap<string, number>) => Math.max(0, ...seen.map((a) => m.get(a) ?? 0));
  return {
    at: when,
    status: "successful",
    message: `${seen.length} of ${enabled.length} enabled tenants within thresholds (highest error rate ${max(e).toFixed(2)} %, handoff rate ${max(h).toFixed(2)} %)${tail}`,
  };
}

/**
 * The enabled tenants no measurement of the window heard from: a rung whose tenants never report
 * was not watched, and does not pass on the others' metrics.
 */
export function unheard(enabled: readonly string[], readings: readonly TenantReading[]): string[] {
  const heard = new Set(readings.flatMap((r) => ("values" in r ? [...r.values.keys()] : [])));
  return enabled.filter((a) => !heard.has(a));
}

async function vector(base: string, query: string): Promise<TenantReading> {
  try {
    const res = await fetch(
      `${base.replace(/\/$/, "")}/api/v1/query?query=${encodeURIComponent(query)}`,
      { signal: AbortSignal.timeout(10_000) },
    );
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data?: { result?: { metric: { tenant?: string }; value: [number, string] }[] };
    };
    if (body.status !== "success") return { error: `Prometheus: ${body.error ?? res.status}` };
    const values = new Map<string, number>();
    for (const r of body.data?.result ?? []) {
      const v = Number(r.value[1]);
      if (r.metric.tenant !== undefined && Number.isFinite(v)) values.set(r.metric.tenant, v);
    }
    return { values };
  } catch (e) {
    return { error: `no answer from Prometheus at ${base}: ${(e as Error).message}` };
  }
}

export async function canaryWatch(
  ctx: ReleaseContext,
  log: CanaryLog,
  step: StepRecord,
): Promise<StepOutcome> {
  const w = log.canary.watch;
  const parsed = parseSpec(ctx.doc.raw());
  if (!parsed.ok) return { ok: false, message: "the spec no longer parses" };
  const c = parsed.spec.canaries[log.index];
  const enabled = enabledAccounts({ ...c, step: rungOf(step) });
  const prometheus = prometheusAt(
    await ctx.live(),
    w.prometheusUrl,
    "release.canary.watch.prometheusUrl",
  );
  if ("error" in prometheus) return { ok: false, message: prometheus.error };
  const q = tenantQueries(log.package);
  await ctx.interruption.pause(w.initialDelaySeconds * 1000);
  const ms: Measurement[] = [];
  const readings: TenantReading[] = [];
  for (;;) {
    const signal = ctx.interruption.reason();
    if (signal !== undefined)
      return {
        ok: false,
        message: `interrupted (${signal}) after ${ms.length} of ${w.count} measurements`,
        data: { measurements: ms, queries: q },
      };
    const started = Date.now();
    const [e, h] = await readBoth(prometheus, (base) =>
      Promise.all([vector(base, q.errorRate), vector(base, q.handoffRate)]),
    );
    readings.push(e, h);
    ms.push(tenantMeasurement(log.canary, enabled, e, h, new Date()));
    ctx.progress(
      `        ${step.name} ${String(ms.length).padStart(2)}/${w.count} ${ms.at(-1)!.status.padEnd(10)} ${ms.at(-1)!.message}`,
    );
    const v = verdict(w, ms);
    const silent = unheard(enabled, readings);
    if (v.done && v.ok && silent.length > 0)
      return {
        ok: false,
        message: `${log.package}: ${v.message}, but no metrics in the whole window from ${silent.join(", ")} (unknown, not a pass)`,
        data: { measurements: ms, queries: q },
      };
    if (v.done)
      return {
        ok: v.ok,
        message: `${log.package}: ${v.message}`,
        data: { measurements: ms, queries: q },
      };
    await ctx.interruption.pause(Math.max(0, w.intervalSeconds * 1000 - (Date.now() - started)));
  }
}
