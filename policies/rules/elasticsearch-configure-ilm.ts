import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isWorkloadResource, labelsOf } from "../lib/resources";

/** Indices have a lifecycle: at least one ILM policy (applied through index templates). */
export const elasticsearchConfigureIlm: ResourceValidationPolicy = {
  name: "elasticsearch-configure-ilm",
  description:
    "Elasticsearch has ILM policies, so that indices roll over and are deleted on schedule.",
  severity: "medium",
  tags: ["data"],
  remediationSteps: "Define `elasticsearch.ilmPolicies` and reference them from `indexTemplates`.",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  validateResource: (args, reportViolation) => {
    if (!isWorkloadResource(args.type, args.props)) return;
    const labels = labelsOf(args.type, args.props);
    if (!("golive.dev/elasticsearch-version" in labels)) return;
    if (!labels["golive.dev/ilm-policies"]) reportViolation("Elasticsearch has no ILM policy.");
  },
};
