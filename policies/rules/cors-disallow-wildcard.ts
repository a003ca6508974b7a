import type { ResourceValidationPolicy } from "@pulumi/policy";
import { label } from "../lib/contract";
import { subject, unknownAtPreview } from "../lib/gate";
import { isKnown, labelsOf, workloadsOf } from "../lib/workloads";

const wildcard = (v: string) =>
  v.split(/[ ,;]+/).some((o) => o.replace(/^['"]|['"]$/g, "") === "*");

/**
 * CORS allows named origins only: `*` (any site may call the API with the user's session) is for
 * dev. Judged on the gateway's origins, ingress annotations, environment variables and
 * command-line options (`--cors-origins=*`).
 */
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
    for (const key of [label.corsOrigins, "nginx.ingress.kubernetes.io/cors-allow-origin"]) {
      if (labels[key] !== undefined && wildcard(labels[key])) {
        reportViolation(`${key} allows every origin ("*").`);
      }
    }
    for (const w of workloadsOf(args.type, args.props)) {
      if (!isKnown(w.env)) {
        reportViolation(unknownAtPreview(subject(w), "the environment"));
      } else {
        for (const e of w.env.vars) {
          if (!/CORS/i.test(e.name)) continue;
          if (!isKnown(e.value)) reportViolation(unknownAtPreview(subject(w), e.name));
          else if (wildcard(e.value))
            reportViolation(`${subject(w)}: ${e.name} allows every origin ("*").`);
        }
        if (w.env.hidden)
          reportViolation(unknownAtPreview(subject(w), `its CORS settings (${w.env.hidden})`));
      }
      if (isKnown(w.argv)) {
        for (let i = 0; i < w.argv.length; i++) {
          const a = w.argv[i];
          const eq = a.indexOf("=");
          const flag = eq > 0 ? a.slice(0, eq) : a;
          if (!/^--?[\w.-]*cors[\w.-]*$/i.test(flag)) continue;
          const value = eq > 0 ? a.slice(eq + 1) : (w.argv[i + 1] ?? "");
          if (wildcard(value)) reportViolation(`${subject(w)}: ${flag} allows every origin ("*").`);
        }
      }
    }
  },
};
