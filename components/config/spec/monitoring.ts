/** Monitoring: Prometheus, Alertmanager and its receiver, Grafana, thresholds and alert rules. */
import { z } from "zod";
import { image } from "./common";

/** The alert rules every golive Prometheus carries unless the spec drops them. */
export const defaultAlertRuleNames = [
  "ServiceDown",
  "HighErrorRate",
  "HighLatencyP95",
  "HighHandoffRate",
  "PostgresReplicaLag",
  "DiskSpaceLow",
] as const;

/** An alert rule a team adds to golive's (rendered into Prometheus' rules file). */
export const alertRuleSpec = z
  .object({
    /** The alert's name (`alert:`), e.g. "QueueBacklog". */
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an alert name such as QueueBacklog"),
    /** The PromQL expression that fires the alert. */
    expr: z.string().trim().min(1),
    /** How long `expr` must hold before the alert fires (a Prometheus duration). Defaults to 5m. */
    for: z
      .string()
      .regex(/^(\d+(ms|s|m|h|d|w|y))+$/, 'a Prometheus duration such as "5m" or "1h30m"')
      .default("5m"),
    severity: z.enum(["critical", "warning", "info"]).default("warning"),
    /** The `summary` annotation; may use templates such as {{ $labels.job }}. */
    summary: z.string().min(1),
  })
  .strict();

export const monitoringSpec = z
  .object({
    retentionDays: z.number().int().min(1).default(15),
    storageGb: z.number().int().min(1).default(20),
    /** Where alerts go: a webhook or e-mail. A null receiver is refused by the policy pack. */
    receiver: z.discriminatedUnion("kind", [
      z.object({ kind: z.literal("webhook"), url: z.string().url() }).strict(),
      z
        .object({
          kind: z.literal("email"),
          to: z.string().email(),
          from: z.string().email(),
          smarthost: z.string().regex(/^[^:]+:\d+$/, "host:port"),
        })
        .strict(),
      z.object({ kind: z.literal("null") }).strict(),
    ]),
    thresholds: z
      .object({
        errorRatePercent: z.number().positive().default(1),
        latencyP95Ms: z.number().int().positive().default(500),
        handoffRatePercent: z.number().positive().default(10),
        replicaLagSeconds: z.number().int().positive().default(30),
        diskFreePercent: z.number().positive().max(100).default(15),
      })
      .strict()
      .prefault({}),
    /** Rules added to golive's defaults (names must not repeat an enabled default's). */
    alertRules: z.array(alertRuleSpec).default([]),
    /**
     * Default rules left out, by name (e.g. [HighLatencyP95]); to replace one, leave it out and add
     * a rule of that name to `alertRules`. The policy pack judges what a Prometheus must carry.
     */
    disableDefaultRules: z.array(z.enum(defaultAlertRuleNames)).default([]),
    grafana: z
      .object({ enabled: z.boolean().default(true) })
      .strict()
      .prefault({}),
    prometheusImage: image.default("prom/prometheus:v2.54.1"),
    alertmanagerImage: image.default("prom/alertmanager:v0.27.0"),
    grafanaImage: image.default("grafana/grafana:11.2.0"),
    nodeExporterImage: image.default("prom/node-exporter:v1.8.2"),
  })
  .strict();

export type MonitoringSpec = z.output<typeof monitoringSpec>;
export type AlertRuleSpec = z.output<typeof alertRuleSpec>;
