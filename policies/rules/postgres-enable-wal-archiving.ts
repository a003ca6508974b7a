import type { ResourceValidationPolicy } from "@pulumi/policy";
import { commandsOf, isWorkloadResource, labelsOf } from "../lib/resources";

/** The PostgreSQL primary archives its WAL (point-in-time recovery, replica catch-up). */
export const postgresEnableWalArchiving: ResourceValidationPolicy = {
  name: "postgres-enable-wal-archiving",
  description: "The PostgreSQL primary runs with archive_mode=on and an archive_command.",
  severity: "high",
  tags: ["data"],
  remediationSteps: "Keep `postgres.walArchive.enabled: true` (the default).",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  validateResource: (args, reportViolation) => {
    if (!isWorkloadResource(args.type, args.props)) return;
    if (labelsOf(args.type, args.props)["golive.dev/postgres-role"] !== "primary") return;
    const line = commandsOf(args.type, args.props)
      .map((c) => c.join(" "))
      .join(" ");
    if (!/archive_mode=on/.test(line) || !/archive_command=\S/.test(line)) {
      reportViolation(
        "The PostgreSQL primary does not archive its WAL (archive_mode/archive_command).",
      );
    }
  },
};
