import type { StackValidationPolicy } from "@pulumi/policy";
import { workloads } from "../lib/stack";

/** Apps reach PostgreSQL through pgBouncer, not with a connection per request. */
export const postgresMissingPgbouncer: StackValidationPolicy = {
  name: "postgres-missing-pgbouncer",
  description: "An environment with PostgreSQL runs pgBouncer in front of it.",
  severity: "medium",
  tags: ["data"],
  remediationSteps: "Keep `postgres.pgbouncer.enabled: true` (the default).",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  validateStack: (args, reportViolation) => {
    const all = workloads(args.resources);
    const bouncer = all.some((w) => w.component === "connection-pooler");
    for (const p of all.filter((w) => w.labels["golive.dev/postgres-role"] === "primary")) {
      if (!bouncer)
        reportViolation(`PostgreSQL ${p.name} has no pgBouncer in front.`, p.resource.urn);
    }
  },
};
