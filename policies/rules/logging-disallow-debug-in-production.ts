import type { ResourceValidationPolicy } from "@pulumi/policy";
import { workloadsOf } from "../lib/workloads";

/** DEBUG logging leaks data and fills disks: not in production (the pack config disables this in dev). */
export const loggingDisallowDebugInProduction: ResourceValidationPolicy = {
  name: "logging-disallow-debug-in-production",
  description: "No workload logs at DEBUG level (disabled for dev stacks by the pack config).",
  severity: "medium",
  tags: ["monitoring"],
  remediationSteps: "Set LOG_LEVEL to INFO (golive's default outside dev).",
  url: "https://golive.dev/checklists#000_a75db8db1bb96064.txt",
  validateResource: (args, reportViolation) => {
    for (const w of workloadsOf(args.type, args.props)) {
      const level = (w.env ?? []).find((e) => e.name === "LOG_LEVEL")?.value;
      if (level !== undefined && /^(debug|trace)$/i.test(level)) {
        reportViolation(`${w.runtime} workload "${w.name}" logs at ${level}.`);
      }
    }
  },
};
