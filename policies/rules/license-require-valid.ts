import type { ResourceValidationPolicy } from "@pulumi/policy";
import { types } from "../lib/contract";
import type { Facts } from "../lib/stack";
import { today } from "../lib/waivers";

interface Config {
  required: boolean;
  minDaysValid: number;
}

/** The license file is there, valid, covers the modules the deployment uses, and does not run out soon. */
export const licenseRequireValid: ResourceValidationPolicy = {
  name: "license-require-valid",
  description:
    "A license (when required) is present, well-formed, covers the used modules and is not about to expire.",
  severity: "critical",
  tags: ["license"],
  remediationSteps:
    "Generate the customer's license (license/license.json) and declare it under `license:`.",
  url: "https://golive.dev/checklists#000_a75db8db1bb96064.txt:51",
  configSchema: {
    properties: {
      required: { type: "boolean", default: false },
      minDaysValid: { type: "integer", default: 30, minimum: 0 },
    },
  },
  // Judged on the facts resource alone: a resource policy, so the SDK does not hand it every
  // resource of the stack.
  validateResource: (args, reportViolation) => {
    if (args.type !== types.facts) return;
    const found = { facts: args.props as Facts, urn: args.urn };
    const { required, minDaysValid } = args.getConfig<Config>();
    const { facts, urn } = found;
    for (const p of facts.licenseProblems ?? []) reportViolation(p, urn);
    const l = facts.license;
    if (!l) {
      if (required && (facts.licenseProblems ?? []).length === 0)
        reportViolation("No license is declared.", urn);
      return;
    }
    const days = Math.floor(
      (Date.parse(`${l.expires}T00:00:00Z`) - Date.parse(`${today()}T00:00:00Z`)) / 86_400_000,
    );
    if (days < 0) reportViolation(`The license expired on ${l.expires}.`, urn);
    else if (days < minDaysValid)
      reportViolation(`The license expires on ${l.expires}, in ${days} days.`, urn);
    const missing = l.requiredModules.filter((m) => !l.modules.includes(m));
    if (missing.length > 0)
      reportViolation(`The license does not cover: ${missing.join(", ")}.`, urn);
  },
};
