import type { ResourceValidationPolicy } from "@pulumi/policy";
import { subject, unknownAtPreview } from "../lib/gate";
import { isPrimary, settingsOf } from "../lib/postgres";
import { isKnown, workloadsOf } from "../lib/workloads";

/**
 * The PostgreSQL primary archives its WAL (point-in-time recovery, replica catch-up): any
 * PostgreSQL server that is not a replica, golive's or not, on every runtime. PostgreSQL's
 * default is archive_mode=off, so a server that sets nothing fails.
 */
export const postgresEnableWalArchiving: ResourceValidationPolicy = {
  name: "postgres-enable-wal-archiving",
  description: "The PostgreSQL primary runs with archive_mode=on and an archive_command.",
  severity: "high",
  tags: ["data"],
  remediationSteps: "Keep `postgres.walArchive.enabled: true` (the default).",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  validateResource: (args, reportViolation) => {
    for (const w of workloadsOf(args.type, args.props)) {
      if (!isPrimary(w)) continue;
      if (!isKnown(w.argv)) {
        reportViolation(unknownAtPreview(subject(w), "the command line"));
        continue;
      }
      const s = settingsOf(w);
      if (!/^(on|always)$/.test(s.archive_mode ?? "") || !(s.archive_command ?? "").trim()) {
        reportViolation(
          `${subject(w)}: the PostgreSQL primary does not archive its WAL (archive_mode/archive_command).`,
        );
      }
    }
  },
};
