import type { StackValidationPolicy } from "@pulumi/policy";
import { subject } from "../lib/gate";
import { isPrimary, isReplica } from "../lib/postgres";
import { runs } from "../lib/identify";
import { running } from "../lib/stack";

/** A production PostgreSQL primary has at least one streaming replica (hot standby), any author's. */
export const postgresMissingReplica: StackValidationPolicy = {
  name: "postgres-missing-replica",
  description: "Every PostgreSQL primary has a streaming replica.",
  severity: "high",
  tags: ["data"],
  remediationSteps: "Set `postgres.replicas: 1` or more.",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  validateStack: (args, reportViolation) => {
    const all = running(args.resources);
    const replicas = all.flatMap((r) => r.views).filter((w) => runs(w, "postgres") && isReplica(w));
    for (const { resource, views } of all) {
      for (const w of views) {
        if (isPrimary(w) && replicas.length === 0)
          reportViolation(`${subject(w)}: PostgreSQL has no replica.`, resource.urn);
      }
    }
  },
};
