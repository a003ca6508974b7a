import type { ResourceValidationPolicy } from "@pulumi/policy";
import { types } from "../lib/contract";
import { subject, unknownAtPreview } from "../lib/gate";
import { isKnown, workloadsOf } from "../lib/workloads";

interface Config {
  minLength: number;
  names: string[];
}

/**
 * Signing keys are long enough (SECRET_KEY, JWT_SECRET…: 32 characters or more), however they
 * are set: a literal is measured; a secret (generated, or set with `pulumi config set --secret`)
 * by the length golive records beside it (golive.dev/secret-lengths), never by its value. A key
 * whose length cannot be read at preview is refused.
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
    if (args.type === types.generatedSecret) {
      const length = Number(args.props.length);
      if (!(length >= minLength)) {
        reportViolation(
          `${args.name} generates ${length} characters; at least ${minLength} are required.`,
        );
      }
      return;
    }
    for (const w of workloadsOf(args.type, args.props)) {
      if (!isKnown(w.env)) continue;
      for (const e of w.env.vars) {
        if (!names.includes(e.name)) continue;
        const length = e.length ?? (isKnown(e.value) ? e.value.length : undefined);
        if (length === undefined) {
          reportViolation(unknownAtPreview(subject(w), `the length of ${e.name}`));
        } else if (length < minLength) {
          reportViolation(
            `${subject(w)}: ${e.name} has ${length} characters; at least ${minLength} are required.`,
          );
        }
      }
    }
  },
};
