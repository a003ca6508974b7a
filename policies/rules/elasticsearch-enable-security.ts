import type { ResourceValidationPolicy } from "@pulumi/policy";
import { subject, unknownAtPreview } from "../lib/gate";
import { runs, versionOf } from "../lib/identify";
import { isKnown, workloadsOf } from "../lib/workloads";

/**
 * Elasticsearch 8 with security on (the Bitnami chart ships it off), on any Elasticsearch
 * server: version from tag, package or label; xpack.security.enabled from the environment or a
 * `-E` option. Elasticsearch 8 turns security on when nothing says otherwise.
 */
export const elasticsearchEnableSecurity: ResourceValidationPolicy = {
  name: "elasticsearch-enable-security",
  description: "Elasticsearch runs version 8 or later with xpack.security.enabled=true.",
  severity: "critical",
  tags: ["data", "secrets"],
  remediationSteps: "Keep `elasticsearch.security: true` and an 8.x version.",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  validateResource: (args, reportViolation) => {
    for (const w of workloadsOf(args.type, args.props)) {
      if (!runs(w, "elasticsearch")) continue;
      const version = versionOf(w, "elasticsearch");
      if (!isKnown(version))
        reportViolation(unknownAtPreview(subject(w), "the Elasticsearch version"));
      else if (version === undefined)
        reportViolation(`${subject(w)}: the Elasticsearch version cannot be read.`);
      else if (Number.parseInt(version, 10) < 8)
        reportViolation(`${subject(w)}: Elasticsearch ${version} is older than 8.`);
      if (!isKnown(w.env)) {
        reportViolation(unknownAtPreview(subject(w), "the environment"));
        continue;
      }
      const env = w.env.vars.find((e) => e.name === "xpack.security.enabled");
      const opt = isKnown(w.argv)
        ? w.argv.find((a) => a.startsWith("-Expack.security.enabled="))?.split("=")[1]
        : undefined;
      const value = opt ?? (env && isKnown(env.value) ? env.value : env ? undefined : "default");
      if (value === undefined)
        reportViolation(unknownAtPreview(subject(w), "xpack.security.enabled"));
      else if (value !== "true" && value !== "default")
        reportViolation(
          `${subject(w)}: Elasticsearch runs without security (xpack.security.enabled=${value}).`,
        );
    }
  },
};
