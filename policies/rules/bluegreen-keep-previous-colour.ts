import type { StackValidationPolicy } from "@pulumi/policy";
import { colours, colourWorkload } from "../lib/contract";
import { factsOf, workloads } from "../lib/stack";

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
    const found = factsOf(args.resources);
    if (!found) return;
    const names = new Set(workloads(args.resources).map((w) => w.name));
    for (const [svc, bg] of Object.entries(found.facts.blueGreen ?? {})) {
      for (const colour of colours) {
        if (!names.has(colourWorkload(svc, colour))) {
          reportViolation(
            `${svc}: the ${colour} colour (${bg.releases[colour]}) is not deployed, so there is nothing to roll back to.`,
            found.urn,
          );
        }
      }
      if (bg.weights[bg.active] <= 0) {
        reportViolation(
          `${svc}: the active colour ${bg.active} gets no traffic (weight 0).`,
          found.urn,
        );
      }
    }
  },
};
