import type { ResourceValidationPolicy } from "@pulumi/policy";
import { filesOf, carriesFiles, labelsOf } from "../lib/resources";

interface Config {
  requiredAlerts: string[];
}

/** Prometheus loads alert rules for at least error rate and latency (and whatever else is configured). */
export const monitoringConfigureAlertRules: ResourceValidationPolicy = {
  name: "monitoring-configure-alert-rules",
  description:
    "Prometheus carries the required alert rules (error rate and p95 latency by default).",
  severity: "high",
  tags: ["monitoring"],
  remediationSteps: "Use golive's MonitoringStack (its rules file has them) or add the rules.",
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
  validateResource: (args, reportViolation) => {
    if (!carriesFiles(args.type, args.props)) return;
    if (labelsOf(args.type, args.props)["app.kubernetes.io/component"] !== "monitoring") return;
    const rules = filesOf(args.type, args.props)
      .filter((f) => /groups:/.test(f.content))
      .map((f) => f.content)
      .join("\n");
    for (const alert of args.getConfig<Config>().requiredAlerts) {
      if (!new RegExp(`alert: ${alert}\\b`).test(rules))
        reportViolation(`Prometheus has no ${alert} alert rule.`);
    }
  },
};
