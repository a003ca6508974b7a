import type { ResourceValidationPolicy } from "@pulumi/policy";
import { label } from "../lib/contract";
import { subject } from "../lib/gate";
import { runs } from "../lib/identify";
import { workloadsOf } from "../lib/workloads";

/**
 * Indices have a lifecycle: at least one ILM policy. ILM policies live in the cluster, not in
 * any resource, so the gate reads the declaration golive writes from `elasticsearch.ilmPolicies`
 * (label golive.dev/ilm-policies); an Elasticsearch server without one, golive's or not, fails.
 */
export const elasticsearchConfigureIlm: ResourceValidationPolicy = {
  name: "elasticsearch-configure-ilm",
  description:
    "Elasticsearch has ILM policies, so that indices roll over and are deleted on schedule.",
  severity: "medium",
  tags: ["data"],
  remediationSteps:
    "Define `elasticsearch.ilmPolicies` and reference them from `indexTemplates` (or, outside golive, label the workload golive.dev/ilm-policies).",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  validateResource: (args, reportViolation) => {
    for (const w of workloadsOf(args.type, args.props)) {
      if (!runs(w, "elasticsearch")) continue;
      if (!w.labels[label.ilmPolicies])
        reportViolation(`${subject(w)}: Elasticsearch has no ILM policy.`);
    }
  },
};
