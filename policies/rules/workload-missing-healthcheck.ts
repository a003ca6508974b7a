import type { ResourceValidationPolicy } from "@pulumi/policy";
import { workloadsOf } from "../lib/workloads";

/** Every service has a health check: Docker healthcheck, Kubernetes liveness and readiness probes. */
export const workloadMissingHealthcheck: ResourceValidationPolicy = {
  name: "workload-missing-healthcheck",
  description:
    "Every workload declares a health check (Docker) or liveness and readiness probes (Kubernetes).",
  severity: "high",
  tags: ["workloads"],
  remediationSteps:
    "Add `healthCheck: { path: /health, port: … }` (or a `command`) to the service spec.",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  validateResource: (args, reportViolation) => {
    for (const w of workloadsOf(args.type, args.props)) {
      if (w.job) {
        continue; // a job's success is its exit code, which the deployment already waits for
      }
      const missing = [
        w.healthCheck.liveness ? undefined : "liveness",
        w.healthCheck.readiness ? undefined : "readiness",
      ].filter((m) => m !== undefined);
      if (missing.length > 0) {
        reportViolation(`${w.runtime} workload "${w.name}" has no ${missing.join(" or ")} check.`);
      }
    }
  },
};
