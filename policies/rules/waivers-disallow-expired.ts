import type { StackValidationPolicy } from "@pulumi/policy";
import { waiversOf } from "../lib/waivers";

/** An expired (or malformed) waiver waives nothing and must be renewed with a reason or removed. */
export const waiversDisallowExpired: StackValidationPolicy = {
  name: "waivers-disallow-expired",
  description: "Policy waivers are dated, reasoned and not expired.",
  severity: "high",
  tags: ["release"],
  remediationSteps: "Fix the waived violation, or renew the waiver with a new `until` and reason.",
  url: "https://golive.dev/docs/policies#waivers",
  validateStack: (args, reportViolation) => {
    for (const r of args.resources) {
      for (const w of waiversOf(r.type, r.props)) {
        if (w.problem)
          reportViolation(`The waiver of ${w.policy} is invalid: ${w.problem}.`, r.urn);
        else if (w.expired)
          reportViolation(`The waiver of ${w.policy} expired on ${w.until} (${w.reason}).`, r.urn);
      }
    }
  },
};
