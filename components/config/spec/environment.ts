/**
 * The environment spec as a whole: the runtime and tier, the services and data services, and the
 * settings of the environment itself (feature flags, maintenance, data retention, waivers).
 */
import { z } from "zod";
import { date, name, port } from "./common";
import {
  elasticsearchSpec,
  minioSpec,
  mongodbSpec,
  rabbitmqSpec,
  redisSpec,
} from "./data-services";
import { gatewaySpec } from "./gateway";
import { monitoringSpec } from "./monitoring";
import { postgresSpec } from "./postgres";
import { canarySpec, licenseSpec } from "./release";
import { releaseSpec } from "./release-plan";
import { hostSpec, kubernetesSpec, lxcSpec } from "./runtime";
import { serviceSpec } from "./services";
import { verifySpec } from "./verify";

export const environmentSpec = z
  .object({
    runtime: z.enum(["docker", "kubernetes", "lxc"]),
    tier: z.enum(["dev", "staging", "production"]),
    /** Prefix for every image, for registries and air-gapped mirrors (e.g. "registry.local:5000/"). */
    imageRegistry: z.string().default(""),
    host: hostSpec.optional(),
    gateway: gatewaySpec.optional(),
    /** Feature flags, passed to every app as FEATURE_<NAME>=true|false. */
    features: z
      .record(z.string().regex(/^[a-z][a-z0-9_]*$/, "a lowercase flag name"), z.boolean())
      .default({}),
    license: licenseSpec.optional(),
    /** Maintenance mode: the gateway answers 503 with a maintenance page; health stays routed. */
    maintenance: z
      .object({
        enabled: z.boolean().default(false),
        message: z.string().default("Planned maintenance"),
      })
      .strict()
      .prefault({}),
    canaries: z.array(canarySpec).default([]),
    /** What `golive release` runs (docs/release.md); absent, its defaults. */
    release: releaseSpec.optional(),
    /**
     * What `pulumi destroy` does with data volumes (databases, queues, search indexes, metrics,
     * backups, the gateway's certificates): "retain" (the default) leaves them behind, so a destroy
     * never loses data; "delete" removes them with the environment (throw-away dev and test stacks).
     * Scratch volumes (Alertmanager's silences) are always removed. Docker and Kubernetes; on LXC the
     * data lives in the container's mount points, which `pct destroy --purge` removes.
     */
    dataRetention: z.enum(["retain", "delete"]).default("retain"),
    /**
     * Docker only: publish workload ports on 127.0.0.1 of the Docker host, by workload and port
     * name, e.g. { postgres: { postgres: 25432 }, prometheus: { http: 29090 } }, for operators and
     * smoke checks on a single host. Unknown workload or port names are refused at `up`/preview.
     */
    hostPorts: z.record(name, z.record(z.string().min(1), port)).default({}),
    /**
     * Exemptions from named policies, by workload: { <workload>: { <policy>: { reason, until } } }.
     * Reported by the policy pack; an expired one no longer waives.
     */
    waivers: z
      .record(
        z.string(),
        z.record(
          z.string().regex(/^[a-z0-9-]+$/, "a policy name"),
          z
            .object({
              reason: z.string().min(10, "a reason of at least 10 characters"),
              /** The last day the waiver waives; an unquoted YAML date is fine. */
              until: date,
            })
            .strict(),
        ),
      )
      .default({}),
    services: z.record(name, serviceSpec).refine((s) => Object.keys(s).length > 0, {
      message: "at least one service",
    }),
    postgres: postgresSpec.optional(),
    redis: redisSpec.optional(),
    rabbitmq: rabbitmqSpec.optional(),
    elasticsearch: elasticsearchSpec.optional(),
    minio: minioSpec.optional(),
    mongodb: mongodbSpec.optional(),
    monitoring: monitoringSpec.optional(),
    lxc: lxcSpec.optional(),
    kubernetes: kubernetesSpec.prefault({}),
    labels: z.record(z.string(), z.string()).default({}),
    /** What the go-live report's app-specific live checks do (smoke suite, login, routes, load). */
    verify: verifySpec.prefault({}),
  })
  .strict();
// Checks across fields (a dependency names a service, host ports are unique, …) are in
// consistency.ts: parseSpec runs them on the parsed spec, all together.

export type EnvironmentSpec = z.output<typeof environmentSpec>;
