import type { StackValidationPolicy } from "@pulumi/policy";
import { configTexts, subject } from "../lib/gate";
import { runs } from "../lib/identify";
import { running } from "../lib/stack";

interface Config {
  requiredAlerts: string[];
}

/**
 * Prometheus loads alert rules for at least error rate and latency (and whatever else is
 * configured): any Prometheus server, its rule files read from its own files or the stack's
 * ConfigMaps. A Prometheus whose rules the gate cannot find fails.
 */
export const monitoringConfigureAlertRules: StackValidationPolicy = {
  name: "monitoring-configure-alert-rules",
  description:
    "Prometheus carries the required alert rules (error rate and p95 latency by default).",
  severity: "high",
  tags: ["monitoring"],
  remediationSteps:
    "Keep golive's default rules (`monitoring.alertRules` adds your own; `disableDefaultRules` drops some) or deliver a rules file with the required alerts.",
  url: "https://golive.dev/checklists#004_48e34c42e0e0eda7.txt",
  configSchema: {
    properties: {
      requiredAlerts: {
        type: "array",
        items: { type: "string" },
        default: ["HighErrorRate", "HighLatencyP95"],
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const isRules = (c: string) => /(^|\n)\s*groups:/.test(c) && /\balert:/.test(c);
    const shared = configTexts(args.resources).filter((t) => isRules(t.content));
    for (const { resource, views } of running(args.resources)) {
      for (const w of views) {
        if (!runs(w, "prometheus")) continue;
        const own = w.files.filter((f) => isRules(f.content));
        const rules = (own.length > 0 ? own : shared).map((f) => f.content).join("\n");
        for (const alert of args.getConfig<Config>().requiredAlerts) {
          if (!new RegExp(`alert:\\s*["']?${alert}\\b`).test(rules))
            reportViolation(`${subject(w)}: Prometheus has no ${alert} alert rule.`, resource.urn);
        }
      }
    }
  },
};
