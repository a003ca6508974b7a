import type { ResourceValidationPolicy } from "@pulumi/policy";
import { subject, unknownAtPreview } from "../lib/gate";
import { runs, versionOf } from "../lib/identify";
import { isKnown, workloadsOf } from "../lib/workloads";

interface Config {
  minimumMajor: number;
}

/**
 * PostgreSQL 15 or later, as the ERP and PSA checklists demand: the version read from the image
 * tag (postgres:16.4), the Debian package (postgresql-16) or golive's label, on every runtime.
 */
export const postgresEnforceMinVersion: ResourceValidationPolicy = {
  name: "postgres-enforce-min-version",
  description:
    "PostgreSQL runs a major version at or above the configured minimum (15 by default).",
  severity: "high",
  tags: ["data"],
  remediationSteps: 'Set `postgres.version` to "15" or later (golive defaults to "16").',
  url: "https://golive.dev/checklists#001_2c0f42d52e13659e.txt",
  configSchema: {
    properties: { minimumMajor: { type: "integer", default: 15, minimum: 9 } },
  },
  validateResource: (args, reportViolation) => {
    const { minimumMajor } = args.getConfig<Config>();
    for (const w of workloadsOf(args.type, args.props)) {
      if (!runs(w, "postgres")) continue;
      const version = versionOf(w, "postgres");
      if (!isKnown(version)) {
        reportViolation(unknownAtPreview(subject(w), "the PostgreSQL version"));
        continue;
      }
      const major = Number.parseInt(version ?? "", 10);
      if (Number.isNaN(major)) {
        reportViolation(
          `${subject(w)} runs PostgreSQL ${w.image !== undefined ? `"${String(w.image)}"` : `from ${w.packages.join(" ")}`}, whose major version cannot be read.`,
        );
      } else if (major < minimumMajor) {
        reportViolation(
          `${subject(w)} runs PostgreSQL ${major}; at least ${minimumMajor} is required.`,
        );
      }
    }
  },
};
