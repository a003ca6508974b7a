import type { StackValidationPolicy } from "@pulumi/policy";
import { runs } from "../lib/identify";
import { running } from "../lib/stack";

/** A go-live environment is monitored: Prometheus and Alertmanager run in it (any author's). */
export const monitoringMissingStack: StackValidationPolicy = {
  name: "monitoring-missing-stack",
  description: "The environment runs Prometheus and Alertmanager.",
  severity: "high",
  tags: ["monitoring"],
  remediationSteps: "Add `monitoring: { receiver: … }` to the environment.",
  url: "https://golive.dev/checklists#000_a75db8db1bb96064.txt",
  validateStack: (args, reportViolation) => {
    const views = running(args.resources).flatMap((r) => r.views);
    if (views.length === 0) return;
    if (!views.some((w) => runs(w, "prometheus")))
      reportViolation("No Prometheus runs in this environment.");
    if (!views.some((w) => runs(w, "alertmanager")))
      reportViolation("No Alertmanager runs in this environment.");
  },
};
