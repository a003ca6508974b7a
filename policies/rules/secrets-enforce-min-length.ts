import type { ResourceValidationPolicy } from "@pulumi/policy";
import { workloadsOf } from "../lib/workloads";

interface Config {
  minLength: number;
  names: string[];
}

/**
 * Signing keys are long enough (SECRET_KEY, JWT_SECRET…: 32 characters or more). Literal and
 * config values are measured; generated ones by the length golive generates them with.
 */
export const secretsEnforceMinLength: ResourceValidationPolicy = {
  name: "secrets-enforce-min-length",
  description: "SECRET_KEY, JWT_SECRET and similar keys are at least 32 characters long.",
  severity: "high",
  tags: ["secrets"],
  remediationSteps:
    "Use `{ generate: { length: 48 } }` or set a longer value with `pulumi config set --secret`.",
  url: "https://golive.dev/checklists#002_3edfb88dbd4090f7.txt",
  configSchema: {
    properties: {
      minLength: { type: "integer", default: 32, minimum: 1 },
      names: {
        type: "array",
        items: { type: "string" },
        default: ["SECRET_KEY", "JWT_SECRET", "JWT_SECRET_KEY", "ENCRYPTION_KEY"],
      },
    },
  },
  validateResource: (args, reportViolation) => {
    const { minLength, names } = args.getConfig<Config>();
    if (args.type === "pulumi-nodejs:dynamic/golive:GeneratedSecret") {
      const length = Number(args.props.length);
      if (length < minLength) {
        reportViolation(
          `${args.name} generates ${length} characters; at least ${minLength} are required.`,
        );
      }
      return;
    }
    for (const w of workloadsOf(args.type, args.props)) {
      for (const e of w.env ?? []) {
        if (names.includes(e.name) && e.value !== undefined && e.value.length < minLength) {
          reportViolation(
            `${w.runtime} workload "${w.name}": ${e.name} has ${e.value.length} characters; at least ${minLength} are required.`,
          );
        }
      }
    }
  },
};
