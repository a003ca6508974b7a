import type { ResourceValidationPolicy } from "@pulumi/policy";
import { parseImage, workloadsOf } from "../lib/workloads";

interface Config {
  minimumMajor: number;
}

/** PostgreSQL 15 or later, as the ERP and PSA checklists demand. */
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
      if (w.image === undefined) {
        continue;
      }
      const { repository, tag } = parseImage(w.image);
      if (!/(^|\/)postgres(ql)?$/.test(repository)) {
        continue;
      }
      const major = Number.parseInt(tag, 10);
      if (Number.isNaN(major)) {
        reportViolation(
          `PostgreSQL workload "${w.name}" runs "${w.image}", whose major version cannot be read.`,
        );
      } else if (major < minimumMajor) {
        reportViolation(
          `PostgreSQL workload "${w.name}" runs version ${major}; at least ${minimumMajor} is required.`,
        );
      }
    }
  },
};
