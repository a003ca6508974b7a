/**
 * The release plan `golive release <stack> --version <tag>` runs (docs/release.md): which service
 * it releases (a blue/green one by its idle colour, any other in place), whether maintenance
 * mode, a pre-release backup, a split and a smoke command are part of it, the watch window's
 * Prometheus thresholds, how a migration is rolled back, which workers an in-place release stops
 * during its migration, and what `golive verify` must find afterwards. Every field has the default
 * of the seeds' procedures, so `release: {}` is a complete plan (blue/green: preflight, backup,
 * idle colour, health, switch, a 10-minute watch, verify; in place, the Ablage procedure:
 * maintenance mode around backup, worker stop, migration and start).
 */
import { z } from "zod";
import { name } from "./common";

const seconds = (min: number) => z.number().int().min(min);

/**
 * The watch window: `count` measurements, `intervalSeconds` apart, after `initialDelaySeconds`,
 * each one a Prometheus instant query of the new colour's error rate and p95 latency. A
 * measurement fails when either is above its threshold; the window fails when more than
 * `failureLimit` fail, or when more than `consecutiveErrorLimit` in a row cannot be read (no
 * answer, no data), or when not one measurement could be read. As Argo Rollouts' analysis runs.
 */
export const releaseWatchSpec = z
  .object({
    /** Wait before the first measurement (rate() needs two scrapes). Defaults to 30. */
    initialDelaySeconds: seconds(0).default(30),
    /** Between two measurements. Defaults to 60. */
    intervalSeconds: seconds(1).default(60),
    /** Measurements taken (10 × 60 s: the PSA-Platform seed's 10 minutes). Defaults to 10. */
    count: seconds(1).default(10),
    /** Failed measurements tolerated. Defaults to 0. */
    failureLimit: seconds(0).default(0),
    /** Unreadable measurements in a row tolerated. Defaults to 4 (Argo Rollouts' default). */
    consecutiveErrorLimit: seconds(0).default(4),
    /** Highest error rate (5xx share of requests, %) a measurement passes with. Defaults to 1. */
    errorRatePercent: z.number().positive().max(100).default(1),
    /** Highest p95 latency (ms) a measurement passes with. Defaults to 500. */
    latencyP95Ms: z.number().positive().default(500),
    /**
     * Where Prometheus answers; defaults to 127.0.0.1 and Prometheus' published host port
     * (`hostPorts.prometheus.http`).
     */
    prometheusUrl: z.url({ protocol: /^https?$/ }).optional(),
  })
  .strict();

export const releasePlanSpec = z
  .object({
    /**
     * The service released: a blue/green one deploys its idle colour and switches; any other is
     * released in place (its image's tag). Defaults to the spec's only blue/green service, else
     * to its only service that is no worker.
     */
    service: name.optional(),
    /**
     * Maintenance mode during the release (the Ablage and PSA-Platform maintenance-window
     * procedures): on after the preflight, off after the switch (in place: after the health
     * check), before the smoke test and the watch. Defaults to false for a blue/green release and
     * to true for an in-place one (its old version stops while the new one migrates and starts).
     */
    maintenance: z.boolean().optional(),
    /**
     * In place only: the services stopped before the migration and started again after it, in
     * the spec's dependency order (Ablage: `docker-compose stop worker` first). Stopped through
     * the spec, `replicas: 0`. Defaults to every service with `worker: true`.
     */
    workers: z.array(name).optional(),
    /**
     * In place only: how long a worker may take to finish what it is doing after SIGTERM before
     * it is killed. Defaults to 30.
     */
    workerStopSeconds: seconds(1).default(30),
    /** A pg_dump of the database before anything changes, confirmed readable. Defaults to true. */
    backup: z.boolean().default(true),
    /**
     * What a rollback does to the database once the new release's migration has run: "restore"
     * the pre-release dump, run a "command" (e.g. ["npm", "run", "migrate:rollback"]), or "keep"
     * it (an expand/contract migration the previous release runs on). Defaults to "restore".
     */
    migrationRollback: z
      .union([
        z.enum(["restore", "keep"]),
        z.object({ command: z.array(z.string().min(1)).min(1) }).strict(),
      ])
      .default("restore"),
    /** How long the new colour may take to report healthy. Defaults to 120. */
    healthTimeoutSeconds: seconds(1).default(120),
    /**
     * The smoke test run against the new colour before it gets traffic: a command and its
     * arguments, run by the operator's shell-less exec with GOLIVE_RELEASE_* in its environment
     * (docs/release.md). Absent, the plan has no smoke step.
     */
    smoke: z
      .object({
        command: z.array(z.string().min(1)).min(1),
        timeoutSeconds: seconds(1).default(300),
      })
      .strict()
      .optional(),
    /**
     * The new colour's share of traffic (%) during the watch window before the full switch, e.g.
     * 50 for the PSA-Platform seed's 50/50. Absent, the switch is whole and the watch follows it.
     */
    split: z.number().int().min(1).max(99).optional(),
    watch: releaseWatchSpec.prefault({}),
    verify: z
      .object({
        /** Run `golive verify` at the end. Defaults to true. */
        enabled: z.boolean().default(true),
        /** The live checks that must pass (IDs of report/checklist/checks.ts). Defaults to all. */
        checks: z
          .array(z.string().regex(/^[a-z0-9-]+$/, "a check ID"))
          .min(1)
          .optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((p) => !(p.maintenance === true && p.split !== undefined), {
    path: ["split"],
    message: "a split needs traffic, and maintenance mode stops it: drop one of the two",
  });

/**
 * The tenant canary run (`golive release <stack> --canary <package>`): each rung of the ladder
 * after the package's current one, gated by per-tenant metrics of the accounts it enabled, with
 * the Branchen-Pakete seed's thresholds (error rate < 1 %, handoff rate < 5 %).
 */
export const releaseCanarySpec = z
  .object({
    /** Highest error rate of any tenant (agent_errors_total / agent_requests_total, %). Defaults to 1. */
    errorRatePercent: z.number().positive().max(100).default(1),
    /** Highest handoff rate (agent_handoffs_total / agent_conversations_total, %). Defaults to 5. */
    handoffRatePercent: z.number().positive().max(100).default(5),
    /** Each rung's watch window (its errorRatePercent and latencyP95Ms are not read). */
    watch: releaseWatchSpec.prefault({}),
  })
  .strict();

/** The release block of the environment spec. */
export const releaseSpec = z
  .object({ plan: releasePlanSpec.prefault({}), canary: releaseCanarySpec.prefault({}) })
  .strict();

export type ReleasePlanSpec = z.output<typeof releasePlanSpec>;
export type ReleaseWatchSpec = z.output<typeof releaseWatchSpec>;
export type ReleaseCanarySpec = z.output<typeof releaseCanarySpec>;
