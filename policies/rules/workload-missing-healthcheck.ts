import type { ResourceValidationPolicy } from "@pulumi/policy";
import { subject } from "../lib/gate";
import { workloadsOf } from "../lib/workloads";

/**
 * Every long-running container has a health check: Docker healthcheck, Kubernetes liveness and
 * readiness probes. Init containers (Kubernetes allows no probes on them) and jobs (their exit
 * code is their health) are exempt.
 */
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
      if (w.role !== "main") continue;
      const missing = [
        w.healthCheck.liveness ? undefined : "liveness",
        w.healthCheck.readiness ? undefined : "readiness",
      ].filter((m) => m !== undefined);
      if (missing.length > 0) {
        reportViolation(`${subject(w)} has no ${missing.join(" or ")} check.`);
      }
    }
  },
};
