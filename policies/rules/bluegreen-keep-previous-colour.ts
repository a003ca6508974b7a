import type { StackValidationPolicy } from "@pulumi/policy";
import { labelsOf } from "../lib/resources";
import { workloads } from "../lib/stack";

/** During and after a blue/green switch both colours stay deployed, and the active one gets traffic. */
export const bluegreenKeepPreviousColour: StackValidationPolicy = {
  name: "bluegreen-keep-previous-colour",
  description:
    "Blue/green services keep both colours deployed (rollback) and send traffic to the active one.",
  severity: "high",
  tags: ["release"],
  remediationSteps:
    "Keep both `blueGreen.blue` and `.green`; roll back by setting `active` to the previous colour.",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  validateStack: (args, reportViolation) => {
    const names = new Set(workloads(args.resources).map((w) => w.name));
    for (const r of args.resources) {
      for (const [key, value] of Object.entries(labelsOf(r.type, r.props))) {
        if (!key.startsWith("golive.dev/blue-green.")) continue;
        const svc = key.slice("golive.dev/blue-green.".length);
        const f = Object.fromEntries(value.split(",").map((kv) => kv.split("=")));
        for (const colour of ["blue", "green"]) {
          if (!names.has(`${svc}-${colour}`)) {
            reportViolation(
              `${svc}: the ${colour} colour is not deployed, so there is nothing to roll back to.`,
              r.urn,
            );
          }
        }
        if (Number(f[f.active]) <= 0)
          reportViolation(
            `${svc}: the active colour ${f.active} gets no traffic (weight 0).`,
            r.urn,
          );
      }
    }
  },
};
