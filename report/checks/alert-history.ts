/**
 * alert-history: no critical alert fired in the watch window after the deploy
 * (verify.alertWindowMinutes), from Prometheus' ALERTS series. While Prometheus' data does not
 * yet cover the window the answer is unknown: the window is not over.
 */
import { fail, pass, unknown, type LiveCheck } from "./check";
import { prometheus } from "./prometheus";

/** A Prometheus range of whole minutes. */
const range = (minutes: number) => `${minutes}m`;

export const alertHistory: LiveCheck = {
  id: "alert-history",
  items: ["cgs-assist.24h-monitoring", "psa-platform.monitoring-intensiv-fuer-2-stunden"],
  timeoutSeconds: 20,
  run: async (ctx) => {
    const query = prometheus(ctx);
    if (typeof query !== "function") return query;
    const minutes = ctx.env.verify.alertWindowMinutes;
    // How much of the window Prometheus has data for, on its own clock: now minus its oldest `up`
    // sample in the window (a step every 30 s).
    const covered = await query(
      `time() - min(min_over_time(timestamp(up)[${range(minutes)}:30s]))`,
    );
    if (covered.length === 0 || !Number.isFinite(covered[0].value))
      return unknown("Prometheus has no `up` series yet to date its data by");
    const coveredMinutes = covered[0].value / 60;
    const fired = await query(
      `max by (alertname, job) (max_over_time(ALERTS{alertstate="firing",severity="critical"}[${range(minutes)}]))`,
    );
    const names = fired.map(
      (a) => `${a.metric.alertname}${a.metric.job ? ` (${a.metric.job})` : ""}`,
    );
    if (names.length > 0)
      return fail(
        `critical alerts fired in the last ${minutes} min: ${names.join(", ")}; expected none in the watch window`,
      );
    // A sample every 30 s: the window counts as covered within a minute of its length.
    if (coveredMinutes < minutes - 1)
      return unknown(
        `no critical alert so far, but the watch window of ${minutes} min (verify.alertWindowMinutes) is not over: Prometheus has ${coveredMinutes.toFixed(0)} min of data`,
      );
    return pass(`no critical alert fired in the last ${minutes} min (verify.alertWindowMinutes)`);
  },
};
