import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isWorkloadResource, labelsOf } from "../lib/resources";
import { workloadsOf } from "../lib/workloads";

/** Elasticsearch 8 with security on (the Bitnami chart ships it off). */
export const elasticsearchEnableSecurity: ResourceValidationPolicy = {
  name: "elasticsearch-enable-security",
  description: "Elasticsearch runs version 8 or later with xpack.security.enabled=true.",
  severity: "critical",
  tags: ["data", "secrets"],
  remediationSteps: "Keep `elasticsearch.security: true` and an 8.x version.",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  validateResource: (args, reportViolation) => {
    if (!isWorkloadResource(args.type, args.props)) return;
    const version = labelsOf(args.type, args.props)["golive.dev/elasticsearch-version"];
    if (version === undefined) return;
    if (Number.parseInt(version, 10) < 8)
      reportViolation(`Elasticsearch ${version} is older than 8.`);
    for (const w of workloadsOf(args.type, args.props)) {
      const security = (w.env ?? []).find((e) => e.name === "xpack.security.enabled");
      if (w.env !== undefined && security?.value !== "true") {
        reportViolation(
          `Elasticsearch "${w.name}" runs without security (xpack.security.enabled).`,
        );
      }
    }
  },
};
