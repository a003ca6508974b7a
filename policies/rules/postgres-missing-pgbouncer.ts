import type { StackValidationPolicy } from "@pulumi/policy";
import { subject } from "../lib/gate";
import { isPrimary } from "../lib/postgres";
import { runs } from "../lib/identify";
import { running } from "../lib/stack";

/** Apps reach PostgreSQL through pgBouncer, not with a connection per request. */
export const postgresMissingPgbouncer: StackValidationPolicy = {
  name: "postgres-missing-pgbouncer",
  description: "An environment with PostgreSQL runs pgBouncer in front of it.",
  severity: "medium",
  tags: ["data"],
  remediationSteps: "Keep `postgres.pgbouncer.enabled: true` (the default).",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  validateStack: (args, reportViolation) => {
    const all = running(args.resources);
    const bouncer = all.some((r) => r.views.some((w) => runs(w, "pgbouncer")));
    if (bouncer) return;
    for (const { resource, views } of all) {
      for (const w of views) {
        if (isPrimary(w))
          reportViolation(`${subject(w)}: PostgreSQL has no pgBouncer in front.`, resource.urn);
      }
    }
  },
};
