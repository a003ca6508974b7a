import type { StackValidationPolicy } from "@pulumi/policy";
import { waitsFor, workloads } from "../lib/stack";

const dataComponents = new Set([
  "database",
  "cache",
  "message-broker",
  "search",
  "object-storage",
  "connection-pooler",
]);

/**
 * Every app starts after its databases: its resource waits (dependsOn, directly or through its
 * component) for every data service whose address it is given; on LXC its start order is later
 * than theirs too.
 */
export const startupEnforceDependencyOrder: StackValidationPolicy = {
  name: "startup-enforce-dependency-order",
  description: "Apps wait for the data services they depend on, and start after them.",
  severity: "high",
  tags: ["workloads", "data"],
  remediationSteps: "List the data services in the service's `dependsOn`.",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  validateStack: (args, reportViolation) => {
    const all = workloads(args.resources);
    for (const app of all.filter((w) => w.component === "app" || w.component === "worker")) {
      const waits = waitsFor(app.resource);
      const deps = (app.labels["golive.dev/depends-on"] ?? "").split(",").filter(Boolean);
      for (const dep of deps) {
        const realised = all.filter((w) => w.name === dep && dataComponents.has(w.component));
        if (realised.length === 0) continue;
        if (!realised.some((d) => waits.has(d.resource.urn))) {
          reportViolation(
            `${app.name} depends on ${dep} but its deployment does not wait for it.`,
            app.resource.urn,
          );
        }
        const appOrder = Number(app.labels["golive.dev/start-order"]);
        for (const d of realised) {
          const dataOrder = Number(d.labels["golive.dev/start-order"]);
          if (appOrder <= dataOrder) {
            reportViolation(
              `${app.name} starts at order ${appOrder}, not after ${dep} (${dataOrder}).`,
              app.resource.urn,
            );
          }
        }
      }
    }
  },
};
