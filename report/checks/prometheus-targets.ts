/** prometheus-targets: every active scrape target is up, and alert rules are loaded. */
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

interface Targets {
  data: {
    activeTargets: {
      labels: { job: string; instance: string };
      health: string;
      lastError: string;
    }[];
  };
}
interface Rules {
  data: { groups: { rules: { type: string; name: string }[] }[] };
}

export const prometheusTargets: LiveCheck = {
  id: "prometheus-targets",
  items: [
    "valero-neuroerp.alle-services-aktiv-und-erreichbar",
    "ablage.system-overview-gruen",
    "ablage.prometheus-targets",
  ],
  timeoutSeconds: 10,
  run: async (ctx) => {
    if (!ctx.env.monitoring) return skipped("the spec has no monitoring");
    const other = unreached(ctx, "Prometheus");
    if (other) return other;
    const access = reach(ctx);
    if (access.unreachable("prometheus", "http") !== undefined)
      return unknown(
        "Prometheus publishes no host port (hostPorts.prometheus.http) to reach it by",
      );
    return access.forward("prometheus", "http", (port) => judge(port));
  },
};

/** Targets and rules from Prometheus' API on 127.0.0.1:<port>. */
async function judge(port: number): Promise<Outcome> {
  const targets = (await getJson<Targets>(port, "/api/v1/targets?state=active")).data.activeTargets;
  const rules = (await getJson<Rules>(port, "/api/v1/rules")).data.groups
    .flatMap((g) => g.rules)
    .filter((r) => r.type === "alerting");
  const down = targets.filter((t) => t.health !== "up");
  const problems = [
    ...(targets.length === 0 ? ["no active target"] : []),
    ...down.map(
      (t) =>
        `${t.labels.job} (${t.labels.instance}) is ${t.health}${t.lastError ? `: ${t.lastError}` : ""}`,
    ),
    ...(rules.length === 0 ? ["no alert rule loaded"] : []),
  ];
  const seen = `${targets.length - down.length} of ${targets.length} targets up, ${rules.length} alert rules loaded`;
  return problems.length > 0 ? fail(`${seen}: ${problems.join("; ")}`) : pass(seen);
}
