import type { StackValidationPolicy } from "@pulumi/policy";
import { label } from "../lib/contract";
import { labelsOf } from "../lib/workloads";

const ladder = ["none", "pilot", "10%", "25%", "50%", "100%"];

/** A tenant canary climbs the ladder one rung at a time (pilot, 10 %, 25 %, 50 %, 100 %); rollbacks are fine. */
export const canaryEnforceLadderOrder: StackValidationPolicy = {
  name: "canary-enforce-ladder-order",
  description: "Agent package canaries advance at most one step of the ladder per rollout.",
  severity: "high",
  tags: ["release"],
  remediationSteps: "Set `step` to the rung after `previousStep`.",
  url: "https://golive.dev/checklists#004_48e34c42e0e0eda7.txt",
  validateStack: (args, reportViolation) => {
    const seen = new Set<string>();
    for (const r of args.resources) {
      for (const [key, value] of Object.entries(labelsOf(r.type, r.props))) {
        if (!key.startsWith(label.canaryPrefix) || seen.has(key)) continue;
        seen.add(key);
        const f = Object.fromEntries(value.split(",").map((kv) => kv.split("=")));
        if (ladder.indexOf(f.step) < 0 || ladder.indexOf(f.step) > ladder.indexOf(f.previous) + 1) {
          reportViolation(
            `${key.slice(label.canaryPrefix.length)}: step ${f.step} skips rungs after ${f.previous}.`,
            r.urn,
          );
        }
      }
    }
  },
};
