import type { ResourceValidationPolicy } from "@pulumi/policy";
import { types } from "../lib/contract";
import type { Facts } from "../lib/stack";

interface Config {
  requiredFlags: string[];
}

/** Critical features can be switched off by flag (rollback without a redeploy): the configured flags exist. */
export const featuresRequireCriticalFlags: ResourceValidationPolicy = {
  name: "features-require-critical-flags",
  description: "The feature flags the stack's pack config names as critical are declared.",
  severity: "medium",
  tags: ["release"],
  remediationSteps: "Declare each flag under `features:`.",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  configSchema: {
    properties: { requiredFlags: { type: "array", items: { type: "string" }, default: [] } },
  },
  // Judged on the facts resource alone: a resource policy, so the SDK does not hand it every
  // resource of the stack.
  validateResource: (args, reportViolation) => {
    if (args.type !== types.facts) return;
    const found = { facts: args.props as Facts, urn: args.urn };
    for (const flag of args.getConfig<Config>().requiredFlags) {
      if (typeof found.facts.features?.[flag] !== "boolean") {
        reportViolation(`The critical feature flag "${flag}" is not declared.`, found.urn);
      }
    }
  },
};
