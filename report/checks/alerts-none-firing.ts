/**
 * alerts-none-firing: Alertmanager's route ends at a receiver that sends somewhere (a webhook, an
 * e-mail, …; not a receiver without any `*_configs`), and no alert is firing.
 */
import * as YAML from "yaml";
import {
  fail,
  pass,
  reach,
  skipped,
  unknown,
  unreached,
  type LiveCheck,
  type Outcome,
} from "./check";
import { getJson } from "./probe";

interface Status {
  config: { original: string };
}
interface Alert {
  labels: { alertname: string };
  status: { state: string };
}

export const alertsNoneFiring: LiveCheck = {
  id: "alerts-none-firing",
  items: ["ablage.system-overview-gruen", "ablage.keine-alerts"],
  timeoutSeconds: 10,
  run: async (ctx) => {
    if (!ctx.env.monitoring) return skipped("the spec has no monitoring");
    const other = unreached(ctx, "Alertmanager");
    if (other) return other;
    const access = reach(ctx);
    if (access.unreachable("alertmanager", "http") !== undefined)
      return unknown(
        "Alertmanager publishes no host port (hostPorts.alertmanager.http) to reach it by",
      );
    return access.forward("alertmanager", "http", (port) => judge(port));
  },
};

/** The route's receiver and the firing alerts from Alertmanager's API on 127.0.0.1:<port>. */
async function judge(port: number): Promise<Outcome> {
  const config = YAML.parse((await getJson<Status>(port, "/api/v2/status")).config.original) as {
    route?: { receiver?: string };
    receivers?: Record<string, unknown>[];
  };
  const name = config.route?.receiver;
  const receiver = (config.receivers ?? []).find((r) => r.name === name);
  const sends = Object.keys(receiver ?? {}).filter((k) => k.endsWith("_configs"));
  const firing = (
    await getJson<Alert[]>(port, "/api/v2/alerts?active=true&silenced=false&inhibited=false")
  )
    .filter((a) => a.status.state === "active")
    .map((a) => a.labels.alertname);
  const problems = [
    ...(sends.length === 0
      ? [
          `the route's receiver ${name ?? "(none)"} sends nowhere (no *_configs); expected a webhook or e-mail receiver`,
        ]
      : []),
    ...(firing.length > 0 ? [`firing: ${[...new Set(firing)].join(", ")}`] : []),
  ];
  const seen = `receiver ${name ?? "(none)"} (${sends.join(", ") || "nothing"}), ${firing.length} alerts firing`;
  return problems.length > 0 ? fail(`${seen}: ${problems.join("; ")}`) : pass(seen);
}
