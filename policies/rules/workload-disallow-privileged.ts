import type { ResourceValidationPolicy } from "@pulumi/policy";
import { unknownAtPreview } from "../lib/gate";
import { dockerContainer, podSpecOf } from "../lib/kinds";
import { isKnown, lxcFacts, read, type Fact } from "../lib/workloads";

const dockerSock = /(^|\/)docker\.sock$/;
/** Capabilities that amount to root on the host. */
const hostCaps =
  /^(CAP_)?(ALL|SYS_ADMIN|SYS_MODULE|SYS_PTRACE|NET_ADMIN|SYS_RAWIO|DAC_READ_SEARCH)$/i;

/**
 * No privileged containers, no host network, PID or IPC namespace, no host-level capabilities,
 * no Docker socket inside a container, no privileged LXC container. A setting that is unknown at
 * preview is refused, not passed.
 */
export const workloadDisallowPrivileged: ResourceValidationPolicy = {
  name: "workload-disallow-privileged",
  description:
    "Workloads run unprivileged: no privileged mode, host network/PID/IPC, host capabilities or mounted docker.sock.",
  severity: "critical",
  tags: ["workloads"],
  remediationSteps:
    "Drop `privileged`, `networkMode: host`, host namespaces, added capabilities and docker.sock mounts.",
  url: "https://golive.dev/checklists#000_a75db8db1bb96064.txt",
  validateResource: (args, reportViolation) => {
    const p = args.props;
    const judge = (
      what: string,
      v: Fact<unknown>,
      bad: (v: unknown) => boolean,
      message: string,
    ) => {
      if (!isKnown(v)) reportViolation(unknownAtPreview(what, message.replace(/\.$/, "")));
      else if (bad(v)) reportViolation(`${what}: ${message}`);
    };
    const ct = lxcFacts(args.type, p);
    if (ct) {
      if (!ct.unprivileged)
        reportViolation(`LXC container ${ct.id} (${ct.hostname}) is privileged.`);
      return;
    }
    if (args.type === dockerContainer) {
      const c = "the container";
      judge(
        c,
        read(() => p.privileged),
        (v) => v === true,
        "runs privileged.",
      );
      judge(
        c,
        read(() => p.networkMode),
        (v) => v === "host",
        "uses the host network.",
      );
      judge(
        c,
        read(() => p.pidMode),
        (v) => v === "host",
        "shares the host PID namespace.",
      );
      judge(
        c,
        read(() => p.ipcMode),
        (v) => v === "host",
        "shares the host IPC namespace.",
      );
      judge(
        c,
        read(() => [...((p.capabilities?.adds ?? []) as string[])]),
        (v) => (v as string[]).some((cap) => hostCaps.test(cap)),
        "adds host-level capabilities.",
      );
      const volumes = read(() => [...((p.volumes ?? []) as { hostPath?: string }[])]);
      judge(
        c,
        isKnown(volumes) ? read(() => volumes.map((v) => v.hostPath)) : volumes,
        (v) => (v as (string | undefined)[]).some((h) => h !== undefined && dockerSock.test(h)),
        "mounts the Docker socket.",
      );
      return;
    }
    const pod = podSpecOf(args.type, p);
    if (!pod) return;
    judge(
      "the pod",
      read(() => pod.hostNetwork),
      (v) => v === true,
      "uses the host network.",
    );
    judge(
      "the pod",
      read(() => pod.hostPID),
      (v) => v === true,
      "shares the host PID namespace.",
    );
    judge(
      "the pod",
      read(() => pod.hostIPC),
      (v) => v === true,
      "shares the host IPC namespace.",
    );
    const volumes = read(() => [...((pod.volumes ?? []) as { hostPath?: { path?: string } }[])]);
    judge(
      "the pod",
      isKnown(volumes) ? read(() => volumes.map((v) => v.hostPath?.path)) : volumes,
      (v) => (v as (string | undefined)[]).some((h) => h !== undefined && dockerSock.test(h)),
      "mounts the Docker socket.",
    );
    const containers = read(
      () => [...(pod.containers ?? []), ...(pod.initContainers ?? [])] as Record<string, any>[],
    );
    if (!isKnown(containers)) {
      reportViolation(unknownAtPreview("the pod", "its containers"));
      return;
    }
    for (const c of containers) {
      const who = `container ${read(() => c.name as string)?.toString()}`;
      judge(
        who,
        read(() => c.securityContext?.privileged),
        (v) => v === true,
        "is privileged.",
      );
      judge(
        who,
        read(() => c.securityContext?.allowPrivilegeEscalation),
        (v) => v === true,
        "allows privilege escalation.",
      );
      judge(
        who,
        read(() => [...((c.securityContext?.capabilities?.add ?? []) as string[])]),
        (v) => (v as string[]).some((cap) => hostCaps.test(cap)),
        "adds host-level capabilities.",
      );
    }
  },
};
