import type { StackValidationPolicy } from "@pulumi/policy";
import { factsOf } from "../lib/stack";

interface Config {
  requiredFlags: string[];
}

/** Critical features can be switched off by flag (rollback without a redeploy): the configured flags exist. */
export const featuresRequireCriticalFlags: StackValidationPolicy = {
  name: "features-require-critical-flags",
  description: "The feature flags the stack's pack config names as critical are declared.",
  severity: "medium",
  tags: ["release"],
  remediationSteps: "Declare each flag under `features:`.",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  configSchema: {
    properties: { requiredFlags: { type: "array", items: { type: "string" }, default: [] } },
  },
  validateStack: (args, reportViolation) => {
    const found = factsOf(args.resources);
    if (!found) return;
    for (const flag of args.getConfig<Config>().requiredFlags) {
      if (typeof found.facts.features?.[flag] !== "boolean") {
        reportViolation(`The critical feature flag "${flag}" is not declared.`, found.urn);
      }
    }
  },
};
