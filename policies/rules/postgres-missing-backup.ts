import type { StackValidationPolicy } from "@pulumi/policy";
import { workloads } from "../lib/stack";

interface Config {
  maxIntervalHours: number;
  minRetentionDays: number;
}

/** Every PostgreSQL primary is backed up on a schedule, with retention. */
export const postgresMissingBackup: StackValidationPolicy = {
  name: "postgres-missing-backup",
  description:
    "Every PostgreSQL primary has scheduled backups (at least daily) kept for the configured days.",
  severity: "critical",
  tags: ["data"],
  remediationSteps:
    "Keep `postgres.backups.enabled` with intervalHours ≤ 24 and retentionDays ≥ 7.",
  url: "https://golive.dev/checklists#000_a75db8db1bb96064.txt",
  configSchema: {
    properties: {
      maxIntervalHours: { type: "integer", default: 24, minimum: 1 },
      minRetentionDays: { type: "integer", default: 7, minimum: 1 },
    },
  },
  validateStack: (args, reportViolation) => {
    const { maxIntervalHours, minRetentionDays } = args.getConfig<Config>();
    const all = workloads(args.resources);
    const backups = all.filter(
      (w) =>
        w.labels["golive.dev/backup-of"] === "postgres" &&
        w.labels["golive.dev/backup-interval-hours"],
    );
    for (const p of all.filter((w) => w.labels["golive.dev/postgres-role"] === "primary")) {
      if (backups.length === 0) {
        reportViolation(`PostgreSQL ${p.name} has no scheduled backup.`, p.resource.urn);
        continue;
      }
      for (const b of backups) {
        const interval = Number(b.labels["golive.dev/backup-interval-hours"]);
        const retention = Number(b.labels["golive.dev/backup-retention-days"]);
        if (interval > maxIntervalHours)
          reportViolation(
            `Backups run every ${interval} h; at most ${maxIntervalHours} h is required.`,
            b.resource.urn,
          );
        if (retention < minRetentionDays)
          reportViolation(
            `Backups are kept ${retention} days; at least ${minRetentionDays} are required.`,
            b.resource.urn,
          );
      }
    }
  },
};
