import type { StackValidationPolicy } from "@pulumi/policy";
import { waiversOf } from "../lib/waivers";

/** Every active waiver is reported (advisory), so the go-live report lists what was exempted and why. */
export const waiversReportActive: StackValidationPolicy = {
  name: "waivers-report-active",
  description: "Reports each active policy waiver with its reason and expiry (advisory by design).",
  enforcementLevel: "advisory",
  severity: "low",
  tags: ["release"],
  remediationSteps: "Review the waiver before its expiry; fix the cause and drop it.",
  url: "https://golive.dev/docs/policies#waivers",
  validateStack: (args, reportViolation) => {
    for (const r of args.resources) {
      for (const w of waiversOf(r.type, r.props)) {
        if (!w.expired)
          reportViolation(`waiver of ${w.policy} until ${w.until}: ${w.reason}`, r.urn);
      }
    }
  },
};
