import type { ResourceValidationPolicy } from "@pulumi/policy";
import { subject, unknownAtPreview } from "../lib/gate";
import { isKnown, workloadsOf, type WorkloadView } from "../lib/workloads";

/**
 * A one-off container that only hands fresh volumes to a user (`chown … /mount`) before the
 * workload starts: Docker's stand-in for Kubernetes' fsGroup. It runs nothing of the image's
 * program and exits; it is the one root container the gate accepts, recognised by what it runs.
 */
function onlyChownsVolumes(w: WorkloadView): boolean {
  if (w.role !== "job" || !isKnown(w.argv)) return false;
  const script = w.argv[0] === "sh" && w.argv[1] === "-c" ? w.argv.slice(2).join(" ") : undefined;
  return (
    script !== undefined &&
    script
      .split("&&")
      .every(
        (step) =>
          /^\s*chown\s+[\w.-]+:?[\w.-]*\s+\/[\w./-]+\s*$/.test(step) ||
          /^\s*touch\s+\/[\w./-]+\/\.golive-owner\s*$/.test(step),
      )
  );
}

/**
 * Workloads run as a non-root user, on every runtime: Kubernetes runAsNonRoot or a non-zero
 * runAsUser (no container overriding it with UID 0), Docker's `user`, LXC's systemd unit
 * (User=, DynamicUser=, or a Debian package's own unprivileged unit). Where only the image knows
 * its user (Docker without `user`, Kubernetes without runAsUser/runAsNonRoot), the pack cannot
 * see it at preview, and the gate refuses: the user must be stated.
 */
export const workloadEnforceNonRoot: ResourceValidationPolicy = {
  name: "workload-enforce-non-root",
  description: "Workloads run as non-root users (Kubernetes, Docker and LXC).",
  severity: "high",
  tags: ["workloads"],
  remediationSteps:
    "State a non-root user: the service's `securityContext.runAsUser` (golive sets one for its own services), Docker `user`, Kubernetes runAsNonRoot/runAsUser.",
  url: "https://golive.dev/checklists#001_2c0f42d52e13659e.txt",
  validateResource: (args, reportViolation) => {
    for (const w of workloadsOf(args.type, args.props)) {
      if (!isKnown(w.nonRoot)) {
        reportViolation(unknownAtPreview(subject(w), "the user it runs as"));
      } else if (w.nonRoot === "image") {
        reportViolation(
          `${subject(w)} runs as whatever user its ${w.runtime === "lxc" ? "package's unit" : "image"} sets, which the pack cannot read at preview: state a non-root user.`,
        );
      } else if (!w.nonRoot && !onlyChownsVolumes(w)) {
        reportViolation(`${subject(w)} runs as root.`);
      }
    }
  },
};
