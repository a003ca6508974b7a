import type { ResourceValidationPolicy } from "@pulumi/policy";
import { subject } from "../lib/gate";
import { lxcFacts, workloadsOf } from "../lib/workloads";

/** CPU and memory requests and limits on every workload: no noisy neighbour takes the host down. */
export const workloadMissingResourceLimits: ResourceValidationPolicy = {
  name: "workload-missing-resource-limits",
  description: "Every workload sets CPU and memory limits (and requests on Kubernetes).",
  severity: "medium",
  tags: ["workloads", "host"],
  remediationSteps:
    "Add `resources: { requests: { cpu, memory }, limits: { cpu, memory } }` to the service spec.",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  validateResource: (args, reportViolation) => {
    const ct = lxcFacts(args.type, args.props);
    if (ct) {
      // An LXC container's cgroup limits are its cores and memory.
      const missing = [ct.cores > 0 ? "" : "CPU limit", ct.memoryMb > 0 ? "" : "memory limit"];
      if (missing.some(Boolean))
        reportViolation(
          `lxc container ${ct.id} (${ct.hostname}) has no ${missing.filter(Boolean).join(", ")}.`,
        );
      return;
    }
    for (const w of workloadsOf(args.type, args.props)) {
      const missing: string[] = [];
      if (!w.limits.cpu) missing.push("CPU limit");
      if (!w.limits.memory) missing.push("memory limit");
      if (w.runtime === "kubernetes") {
        if (!w.requests.cpu) missing.push("CPU request");
        if (!w.requests.memory) missing.push("memory request");
      }
      if (missing.length > 0) {
        reportViolation(`${subject(w)} has no ${missing.join(", ")}.`);
      }
    }
  },
};
