import type { ResourceValidationPolicy } from "@pulumi/policy";
import { label } from "../lib/contract";
import { isPodKind, k8sService } from "../lib/kinds";
import { known } from "../lib/unknowns";

const recommended = [label.name, label.partOf, label.managedBy];
const labelled = (type: string) => isPodKind(type) || type === k8sService;

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
    if (!labelled(args.type)) return;
    const labels = known(() => ({ ...(args.props.metadata?.labels ?? {}) })) ?? {};
    const missing = recommended.filter((l) => !(l in labels));
    if (missing.length > 0) reportViolation(`Missing labels: ${missing.join(", ")}.`);
  },
  remediateResource: (args) => {
    if (!labelled(args.type)) return undefined;
    const props = { ...args.props };
    const metadata = { ...(props.metadata ?? {}) };
    const labels: Record<string, string> = { ...(metadata.labels ?? {}) };
    const defaults: Record<string, string> = {
      [label.name]: metadata.name ?? args.name,
      [label.partOf]: "golive",
      [label.managedBy]: "golive",
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
