import type { ResourceValidationPolicy } from "@pulumi/policy";
import { labelsOf } from "../lib/resources";
import { workloadsOf } from "../lib/workloads";

/** CORS allows named origins only: `*` (any site may call the API with the user's session) is for dev. */
export const corsDisallowWildcard: ResourceValidationPolicy = {
  name: "cors-disallow-wildcard",
  description: "CORS origins are named explicitly, never `*` (advisory in dev).",
  severity: "high",
  tags: ["network"],
  remediationSteps:
    "List the customer's origins in `gateway.cors.origins` and the apps' CORS_ORIGINS.",
  url: "https://golive.dev/checklists#000_a75db8db1bb96064.txt:185",
  validateResource: (args, reportViolation) => {
    const labels = labelsOf(args.type, args.props);
    for (const key of [
      "golive.dev/cors-origins",
      "nginx.ingress.kubernetes.io/cors-allow-origin",
    ]) {
      if ((labels[key] ?? "").split(/[ ,]+/).includes("*")) {
        reportViolation(`${key} allows every origin ("*").`);
      }
    }
    for (const w of workloadsOf(args.type, args.props)) {
      for (const e of w.env ?? []) {
        if (/CORS/i.test(e.name) && e.value !== undefined && e.value.split(/[ ,]+/).includes("*")) {
          reportViolation(
            `${w.runtime} workload "${w.name}": ${e.name} allows every origin ("*").`,
          );
        }
      }
    }
  },
};
