import type { ResourceValidationPolicy } from "@pulumi/policy";
import { known } from "../lib/unknowns";

const recommended = [
  "app.kubernetes.io/name",
  "app.kubernetes.io/part-of",
  "app.kubernetes.io/managed-by",
];
const workloadKinds =
  /^kubernetes:(apps\/v1:(Deployment|StatefulSet|DaemonSet)|core\/v1:Service|batch\/v1:(Job|CronJob))$/;

/**
 * Kubernetes workloads carry the recommended app.kubernetes.io labels (required, unlike the
 * deprecated compliance-policies check, which only flagged other labels). With enforcement
 * "remediate" the missing ones are added: name from the resource, part-of "golive".
 */
export const workloadMissingLabels: ResourceValidationPolicy = {
  name: "workload-missing-labels",
  description: "Kubernetes workloads carry app.kubernetes.io/name, part-of and managed-by.",
  severity: "low",
  tags: ["workloads"],
  remediationSteps: "Run with enforcement `remediate`, or add the labels.",
  url: "https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/",
  validateResource: (args, reportViolation) => {
    if (!workloadKinds.test(args.type)) return;
    const labels = known(() => ({ ...(args.props.metadata?.labels ?? {}) })) ?? {};
    const missing = recommended.filter((l) => !(l in labels));
    if (missing.length > 0) reportViolation(`Missing labels: ${missing.join(", ")}.`);
  },
  remediateResource: (args) => {
    if (!workloadKinds.test(args.type)) return undefined;
    const props = { ...args.props };
    const metadata = { ...(props.metadata ?? {}) };
    const labels: Record<string, string> = { ...(metadata.labels ?? {}) };
    const defaults: Record<string, string> = {
      "app.kubernetes.io/name": metadata.name ?? args.name,
      "app.kubernetes.io/part-of": "golive",
      "app.kubernetes.io/managed-by": "golive",
    };
    let changed = false;
    for (const l of recommended) {
      if (!(l in labels)) {
        labels[l] = defaults[l];
        changed = true;
      }
    }
    if (!changed) return undefined;
    metadata.labels = labels;
    props.metadata = metadata;
    return props;
  },
};
