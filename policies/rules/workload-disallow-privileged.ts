import type { ResourceValidationPolicy } from "@pulumi/policy";
import { known } from "../lib/unknowns";
import { podSpecOf } from "../lib/workloads";

const dockerSock = /(^|\/)docker\.sock$/;

/** No privileged containers, no host network or PID namespace, no Docker socket inside a container. */
export const workloadDisallowPrivileged: ResourceValidationPolicy = {
  name: "workload-disallow-privileged",
  description:
    "Workloads run unprivileged: no privileged mode, host network/PID or mounted docker.sock.",
  severity: "critical",
  tags: ["workloads"],
  remediationSteps:
    "Drop `privileged`, `networkMode: host`, host namespaces and docker.sock mounts.",
  url: "https://golive.dev/checklists#000_a75db8db1bb96064.txt",
  validateResource: (args, reportViolation) => {
    const p = args.props;
    if (args.type === "docker:index/container:Container") {
      if (known(() => p.privileged) === true) reportViolation("The container is privileged.");
      if (known(() => p.networkMode) === "host")
        reportViolation("The container uses the host network.");
      if (known(() => p.pidMode) === "host")
        reportViolation("The container shares the host PID namespace.");
      for (const v of known(() => (p.volumes ?? []) as { hostPath?: string }[]) ?? []) {
        const hostPath = known(() => v.hostPath);
        if (hostPath && dockerSock.test(hostPath))
          reportViolation("The Docker socket is mounted into the container.");
      }
      return;
    }
    const pod = podSpecOf(args.type, p);
    if (!pod) return;
    if (known(() => pod.hostNetwork) === true) reportViolation("The pod uses the host network.");
    if (known(() => pod.hostPID) === true)
      reportViolation("The pod shares the host PID namespace.");
    for (const v of known(() => (pod.volumes ?? []) as { hostPath?: { path?: string } }[]) ?? []) {
      const path = known(() => v.hostPath?.path);
      if (path && dockerSock.test(path))
        reportViolation("The Docker socket is mounted into the pod.");
    }
    for (const c of known(
      () => [...(pod.containers ?? []), ...(pod.initContainers ?? [])] as Record<string, any>[],
    ) ?? []) {
      if (known(() => c.securityContext?.privileged) === true)
        reportViolation(`Container ${known(() => c.name)} is privileged.`);
      if (known(() => c.securityContext?.allowPrivilegeEscalation) === true) {
        reportViolation(`Container ${known(() => c.name)} allows privilege escalation.`);
      }
    }
  },
};
