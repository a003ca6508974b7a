import type { ResourceValidationPolicy } from "@pulumi/policy";
import { subject } from "../lib/gate";
import { isKnown, workloadsOf } from "../lib/workloads";

interface Config {
  /** Names that hold secrets (regular expression, case-insensitive). */
  secretNamePattern: string;
}

/**
 * A secret never travels as a plain value. Kubernetes: a secret-named variable must come from a
 * secretKeyRef. Docker and LXC: golive lists the variables it delivers from secret Outputs in
 * the label golive.dev/secret-env; a secret-named variable with a literal value outside that list
 * was written into the config in clear. A value computed from another resource (unknown at
 * preview) is no literal.
 */
export const secretsDisallowPlainEnv: ResourceValidationPolicy = {
  name: "secrets-disallow-plain-env",
  description:
    "Secret-named environment variables come from secret references, never literal values.",
  severity: "critical",
  tags: ["secrets"],
  remediationSteps:
    "Move the value to `secretEnv: { NAME: { config: key } }` (set with `pulumi config set --secret`) or `{ generate: { length } }`.",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  configSchema: {
    properties: {
      secretNamePattern: {
        type: "string",
        default:
          "(SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|APIKEY|PRIVATE_KEY|CREDENTIALS?|ENCRYPTION_KEY)",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    const pattern = new RegExp(args.getConfig<Config>().secretNamePattern, "i");
    for (const w of workloadsOf(args.type, args.props)) {
      if (!isKnown(w.env)) continue; // a list computed elsewhere holds no literal of this resource
      for (const e of w.env.vars) {
        if (!pattern.test(e.name) || e.fromSecret || !isKnown(e.value) || e.value === "") continue;
        reportViolation(`${subject(w)} sets ${e.name} as a plain value.`);
      }
    }
  },
};
