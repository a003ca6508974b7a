import type { StackValidationPolicy } from "@pulumi/policy";
import { workloads } from "../lib/stack";

/** A production PostgreSQL primary has at least one streaming replica (hot standby). */
export const postgresMissingReplica: StackValidationPolicy = {
  name: "postgres-missing-replica",
  description: "Every PostgreSQL primary has a streaming replica.",
  severity: "high",
  tags: ["data"],
  remediationSteps: "Set `postgres.replicas: 1` or more.",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  validateStack: (args, reportViolation) => {
    const all = workloads(args.resources);
    const replicas = all.filter((w) => w.labels["golive.dev/postgres-role"] === "replica");
    for (const p of all.filter((w) => w.labels["golive.dev/postgres-role"] === "primary")) {
      if (replicas.length === 0)
        reportViolation(`PostgreSQL ${p.name} has no replica.`, p.resource.urn);
    }
  },
};
