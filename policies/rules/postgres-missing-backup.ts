import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { label } from "../lib/contract";
import { subject } from "../lib/gate";
import { runs } from "../lib/identify";
import { isPrimary } from "../lib/postgres";
import { running } from "../lib/stack";
import { isKnown, read, type WorkloadView } from "../lib/workloads";

interface Config {
  maxIntervalHours: number;
  minRetentionDays: number;
}

const backupTool = /\b(pg_dump|pg_dumpall|pg_basebackup|pgbackrest|wal-g|barman|golive-backup)\b/;

/** Hours between runs of a cron schedule (the common forms; undefined when it cannot tell). */
export function cronIntervalHours(schedule: string): number | undefined {
  const s = schedule.trim();
  const named: Record<string, number> = {
    "@hourly": 1,
    "@daily": 24,
    "@midnight": 24,
    "@weekly": 168,
    "@monthly": 720,
  };
  if (s in named) return named[s];
  const f = s.split(/\s+/);
  if (f.length !== 5) return undefined;
  const [, hour, dom, , dow] = f;
  if (dom !== "*" || dow !== "*") return dow !== "*" ? 168 : 720;
  if (hour === "*") return 1;
  const step = /^\*\/(\d+)$/.exec(hour);
  if (step) return Number(step[1]);
  if (/^\d+(,\d+)*$/.test(hour)) return 24 / hour.split(",").length;
  return undefined;
}

function backupOf(
  r: PolicyResource,
  w: WorkloadView,
): { interval?: number; retention?: number } | undefined {
  // A PostgreSQL server (a replica runs pg_basebackup) is no backup of itself.
  if (runs(w, "postgres")) return undefined;
  const golive = w.labels[label.backupOf] === "postgres" && w.labels[label.backupIntervalHours];
  const line = isKnown(w.argv) ? w.argv.join(" ") : "";
  if (!golive && !backupTool.test(line)) return undefined;
  // A one-off dump before a migration is no schedule.
  if (w.labels[label.migrationFor] !== undefined) return undefined;
  let interval = golive ? Number(w.labels[label.backupIntervalHours]) : undefined;
  if (interval === undefined && r.type === "kubernetes:batch/v1:CronJob") {
    const schedule = read(() => r.props.spec?.schedule as string);
    if (isKnown(schedule) && schedule) interval = cronIntervalHours(schedule);
  }
  const env = isKnown(w.env) ? w.env.vars : [];
  const retentionVar = env.find((e) => /^(BACKUP_)?RETENTION_DAYS$/.test(e.name));
  const retention =
    w.labels[label.backupRetentionDays] ??
    (retentionVar && isKnown(retentionVar.value) ? retentionVar.value : undefined);
  return { interval, retention: retention === undefined ? undefined : Number(retention) };
}

/**
 * Every PostgreSQL primary is backed up on a schedule, with retention: golive's backup workload,
 * or any CronJob/container running pg_dump, pg_basebackup, pgBackRest, WAL-G or Barman, whose
 * interval (label or cron schedule) and retention (label or RETENTION_DAYS) can be read.
 */
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
    const all = running(args.resources);
    const backups: { r: PolicyResource; w: WorkloadView; interval?: number; retention?: number }[] =
      [];
    for (const { resource, views } of all) {
      for (const w of views) {
        const b = backupOf(resource, w);
        if (b) backups.push({ r: resource, w, ...b });
      }
    }
    const primaries = all.flatMap(({ resource, views }) =>
      views.filter(isPrimary).map((w) => ({ resource, w })),
    );
    if (primaries.length === 0) return;
    if (backups.length === 0) {
      for (const p of primaries)
        reportViolation(`${subject(p.w)}: PostgreSQL has no scheduled backup.`, p.resource.urn);
      return;
    }
    for (const b of backups) {
      if (b.interval === undefined || Number.isNaN(b.interval))
        reportViolation(`${subject(b.w)}: the backup's schedule cannot be read.`, b.r.urn);
      else if (b.interval > maxIntervalHours)
        reportViolation(
          `Backups run every ${b.interval} h; at most ${maxIntervalHours} h is required.`,
          b.r.urn,
        );
      if (b.retention === undefined || Number.isNaN(b.retention))
        reportViolation(
          `${subject(b.w)}: the backup's retention cannot be read (label ${label.backupRetentionDays} or RETENTION_DAYS).`,
          b.r.urn,
        );
      else if (b.retention < minRetentionDays)
        reportViolation(
          `Backups are kept ${b.retention} days; at least ${minRetentionDays} are required.`,
          b.r.urn,
        );
    }
  },
};
