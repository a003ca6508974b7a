import type { StackValidationPolicy } from "@pulumi/policy";
import { workloads } from "../lib/stack";

/** A go-live environment is monitored: Prometheus and Alertmanager run in it. */
export const monitoringMissingStack: StackValidationPolicy = {
  name: "monitoring-missing-stack",
  description: "The environment runs Prometheus and Alertmanager.",
  severity: "high",
  tags: ["monitoring"],
  remediationSteps: "Add `monitoring: { receiver: … }` to the environment.",
  url: "https://golive.dev/checklists#000_a75db8db1bb96064.txt",
  validateStack: (args, reportViolation) => {
    const all = workloads(args.resources);
    if (all.length === 0) return;
    if (!all.some((w) => w.component === "monitoring"))
      reportViolation("No Prometheus runs in this environment.");
    if (!all.some((w) => w.component === "alerting"))
      reportViolation("No Alertmanager runs in this environment.");
  },
};
