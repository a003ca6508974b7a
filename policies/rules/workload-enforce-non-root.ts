import type { ResourceValidationPolicy } from "@pulumi/policy";
import { known } from "../lib/unknowns";
import { podSpecOf } from "../lib/workloads";

/** Kubernetes pods run as a non-root user (runAsNonRoot, and no container overriding it with UID 0). */
export const workloadEnforceNonRoot: ResourceValidationPolicy = {
  name: "workload-enforce-non-root",
  description: "Kubernetes workloads run as non-root users.",
  severity: "high",
  tags: ["workloads"],
  remediationSteps:
    "Set the pod's securityContext.runAsNonRoot (golive does) and a non-zero runAsUser.",
  url: "https://golive.dev/checklists#001_2c0f42d52e13659e.txt",
  validateResource: (args, reportViolation) => {
    const pod = podSpecOf(args.type, args.props);
    if (!pod) return;
    const podNonRoot = known(() => pod.securityContext?.runAsNonRoot) === true;
    const podUser = known(() => pod.securityContext?.runAsUser as number | undefined);
    for (const c of known(() => [...(pod.containers ?? [])] as Record<string, any>[]) ?? []) {
      const nonRoot =
        known(() => c.securityContext?.runAsNonRoot as boolean | undefined) ?? podNonRoot;
      const user = known(() => c.securityContext?.runAsUser as number | undefined) ?? podUser;
      if (!nonRoot || user === 0) {
        reportViolation(`Container ${known(() => c.name)} may run as root.`);
      }
    }
  },
};
