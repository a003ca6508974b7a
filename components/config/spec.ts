import { z } from "zod";

/**
 * The environment spec: everything golive deploys, read from the stack config key
 * `golive:environment` and validated here, once. Every other module takes the parsed
 * `EnvironmentSpec` and never reads config itself.
 */

const name = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, "a lowercase name of letters, digits and '-' (at most 40)");

/** A PostgreSQL identifier (database or role) that needs no quoting. */
const pgIdentifier = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, "a lowercase PostgreSQL identifier of letters, digits and '_'");

/** An image reference pinned to a version or a digest (the tag-pinning policy judges `latest`). */
const image = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._\-/]*(:[A-Za-z0-9._-]+)?(@sha256:[a-f0-9]{64})?$/,
    "an image reference",
  );

/** Kubernetes-style quantities: CPU in cores ("0.5", "500m"), memory as "512Mi", "2Gi". */
const cpu = z.string().regex(/^\d+(\.\d+)?m?$/, 'a CPU quantity such as "0.5" or "500m"');
const memory = z.string().regex(/^\d+(Ki|Mi|Gi|Ti)$/, 'a memory quantity such as "512Mi" or "2Gi"');

const port = z.number().int().min(1).max(65535);

/**
 * A calendar day, YYYY-MM-DD. YAML reads an unquoted `2027-03-31` as a timestamp, and Pulumi's
 * stack config hands a timestamp on as Go prints a time: "2027-03-31 00:00:00 +0000 UTC". Both that
 * and an ISO timestamp ("2027-03-31T00:00:00Z") name the day they start with, so they are taken as
 * that day; anything else is refused.
 */
export function normalizeDate(value: string): string {
  const m =
    /^(\d{4}-\d{2}-\d{2})(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?(?: (?:[A-Z]{2,5}|[+-]\d{2,4}))?)?$/.exec(
      value.trim(),
    );
  return m ? m[1] : value;
}

const date = z
  .string()
  .transform(normalizeDate)
  .pipe(
    z.iso.date({
      error: (issue) =>
        `a date such as 2027-03-31 (YYYY-MM-DD), not ${JSON.stringify(issue.input)}`,
    }),
  );

export const resourcesSpec = z
  .object({
    requests: z.object({ cpu, memory }).strict().optional(),
    limits: z.object({ cpu, memory }).strict().optional(),
  })
  .strict();

export const healthCheckSpec = z
  .object({
    /** HTTP path probed on `port`; absent means a command check. */
    path: z.string().startsWith("/").optional(),
    port: port.optional(),
    /** Command check, run in the container (e.g. ["pg_isready", "-U", "app"]). */
    command: z.array(z.string()).min(1).optional(),
    intervalSeconds: z.number().int().min(1).default(10),
    timeoutSeconds: z.number().int().min(1).default(5),
    retries: z.number().int().min(1).default(5),
    startPeriodSeconds: z.number().int().min(0).default(10),
  })
  .strict()
  .refine((h) => h.path !== undefined || h.command !== undefined, {
    message: "a health check needs a path (HTTP) or a command",
  });

/** A secret the workload receives as an environment variable. */
export const secretRefSpec = z.union([
  /** Read with `config.requireSecret(key)`: set by `pulumi config set --secret golive:<key>`. */
  z.object({ config: z.string().min(1) }).strict(),
  /** Generated once by golive and kept in state (as a secret). */
  z.object({ generate: z.object({ length: z.number().int().min(16).max(128) }).strict() }).strict(),
]);

export const serviceSpec = z
  .object({
    image,
    command: z.array(z.string()).optional(),
    ports: z
      .array(
        z
          .object({
            name,
            port,
            /** Published through the gateway when true. */
            public: z.boolean().default(false),
            /** Docker only: also publish on 127.0.0.1:<hostPort> of the Docker host. */
            hostPort: port.optional(),
          })
          .strict(),
      )
      .default([]),
    replicas: z.number().int().min(0).default(1),
    resources: resourcesSpec.default({}),
    env: z.record(z.string(), z.string()).default({}),
    secretEnv: z.record(z.string(), secretRefSpec).default({}),
    healthCheck: healthCheckSpec.optional(),
    /** Names of the services and data services this one waits for. */
    dependsOn: z.array(name).default([]),
    /** Start order on LXC (`pct --startup order=N`) and ordering on Docker; lower starts first. */
    startOrder: z.number().int().min(0).default(50),
    gpu: z
      .object({ count: z.number().int().min(1), memoryLimitGb: z.number().positive().optional() })
      .strict()
      .optional(),
    /**
     * How the service's containers run. Absent, golive's defaults hold: Docker runs the image's
     * user, unprivileged; Kubernetes runs UID 10001 with runAsNonRoot, unprivileged; LXC runs an
     * unprivileged container and the service as a systemd DynamicUser. The policy pack judges
     * the values (a root user or privileged mode is refused by its gates, not here).
     */
    securityContext: z
      .object({
        /** The UID the service runs as (Docker `user`, Kubernetes `runAsUser`, systemd `User=`). */
        runAsUser: z.number().int().min(0).optional(),
        /**
         * Privileged mode: Docker `privileged`, Kubernetes container `privileged`, LXC a
         * privileged container (`--unprivileged 0`). Defaults to false.
         */
        privileged: z.boolean().default(false),
      })
      .strict()
      .optional(),
    /** A worker has no ports and is not routed by the gateway. */
    worker: z.boolean().default(false),
    /** LXC only: Debian packages the service's container needs (e.g. ["nodejs"]). */
    packages: z.array(z.string().min(1)).default([]),
    /**
     * A database migration run before this service rolls out, after a pre-migration backup
     * (e.g. ["alembic", "upgrade", "head"] or ["npm", "run", "migrate"]). Uses the service's image.
     */
    migration: z
      .object({ command: z.array(z.string()).min(1) })
      .strict()
      .optional(),
    /**
     * Blue/green: both colours run (the idle one kept for rollback); the gateway (HAProxy) weights
     * decide where traffic goes. `image` is then the repository and each colour names its version.
     */
    blueGreen: z
      .object({
        active: z.enum(["blue", "green"]),
        blue: z.string().regex(/^[A-Za-z0-9._-]+$/, "an image tag"),
        green: z.string().regex(/^[A-Za-z0-9._-]+$/, "an image tag"),
        /** Explicit split during a switch (e.g. 50/50); defaults to 100 on the active colour. */
        weights: z
          .object({
            blue: z.number().int().min(0).max(256),
            green: z.number().int().min(0).max(256),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const postgresSpec = z
  .object({
    /** Major version; golive defaults to 16 (the checklists demand 15 or later). */
    version: z
      .string()
      .regex(/^\d+(\.\d+)?$/, 'a version such as "16"')
      .default("16"),
    image: image.optional(),
    database: pgIdentifier.default("app"),
    user: pgIdentifier.default("app"),
    storageGb: z.number().int().min(1).default(20),
    resources: resourcesSpec.default({}),
    /** Streaming replicas (hot standby, one replication slot each). */
    replicas: z.number().int().min(0).max(5).default(0),
    pgbouncer: z
      .object({
        enabled: z.boolean().default(true),
        poolMode: z.enum(["session", "transaction", "statement"]).default("transaction"),
        maxClientConnections: z.number().int().min(1).default(500),
        defaultPoolSize: z.number().int().min(1).default(20),
        image: image.optional(),
        /** The user pgBouncer runs as in its image (owns the secret userlist). */
        user: z.string().min(1).default("1001"),
      })
      .strict()
      .default({
        enabled: true,
        poolMode: "transaction",
        maxClientConnections: 500,
        defaultPoolSize: 20,
        user: "1001",
      }),
    walArchive: z
      .object({
        enabled: z.boolean().default(true),
        storageGb: z.number().int().min(1).default(20),
      })
      .strict()
      .default({ enabled: true, storageGb: 20 }),
    backups: z
      .object({
        enabled: z.boolean().default(true),
        intervalHours: z.number().int().min(1).max(168).default(24),
        retentionDays: z.number().int().min(1).default(14),
        storageGb: z.number().int().min(1).default(50),
      })
      .strict()
      .default({ enabled: true, intervalHours: 24, retentionDays: 14, storageGb: 50 }),
    exporterImage: image.optional(),
  })
  .strict();

export const redisSpec = z
  .object({
    version: z
      .string()
      .regex(/^\d+(\.\d+)*$/, 'a version such as "7.2"')
      .default("7.2"),
    image: image.optional(),
    /** maxmemory; defaults to 75 % of the memory limit. */
    maxmemoryMb: z.number().int().min(16).optional(),
    maxmemoryPolicy: z
      .enum([
        "allkeys-lru",
        "allkeys-lfu",
        "volatile-lru",
        "volatile-lfu",
        "allkeys-random",
        "volatile-random",
        "volatile-ttl",
        "noeviction",
      ])
      .default("allkeys-lru"),
    appendonly: z.boolean().default(true),
    appendfsync: z.enum(["always", "everysec", "no"]).default("everysec"),
    /** RDB snapshot rules ("seconds changes"); empty turns RDB off. */
    save: z
      .array(z.string().regex(/^\d+ \d+$/, 'a rule such as "900 1"'))
      .default(["900 1", "300 10", "60 10000"]),
    storageGb: z.number().int().min(1).default(5),
    resources: resourcesSpec.default({ limits: { cpu: "1", memory: "512Mi" } }),
    exporterImage: image.optional(),
  })
  .strict();

export const rabbitmqSpec = z
  .object({
    version: z
      .string()
      .regex(/^\d+\.\d+(\.\d+)?$/, 'a version such as "3.13"')
      .default("3.13"),
    image: image.optional(),
    vhosts: z.array(z.string().min(1)).default(["/"]),
    /** Users other than the admin golive creates; passwords are generated. Never "guest". */
    users: z
      .record(
        z.string().min(1),
        z
          .object({
            tags: z.array(z.string()).default([]),
            /** vhost -> configure/write/read regexes. */
            permissions: z
              .record(
                z.string(),
                z.object({ configure: z.string(), write: z.string(), read: z.string() }).strict(),
              )
              .default({}),
          })
          .strict(),
      )
      .default({}),
    queues: z
      .array(
        z
          .object({
            name: z.string().min(1),
            vhost: z.string().default("/"),
            type: z.enum(["quorum", "stream", "classic"]).default("quorum"),
            durable: z.boolean().default(true),
          })
          .strict(),
      )
      .default([]),
    plugins: z.array(z.string()).default(["rabbitmq_management", "rabbitmq_prometheus"]),
    storageGb: z.number().int().min(1).default(10),
    resources: resourcesSpec.default({ limits: { cpu: "1", memory: "1Gi" } }),
  })
  .strict();

export const elasticsearchSpec = z
  .object({
    version: z
      .string()
      .regex(/^\d+\.\d+\.\d+$/, 'a version such as "8.15.0"')
      .default("8.15.0"),
    image: image.optional(),
    security: z.boolean().default(true),
    memory: memory.default("2Gi"),
    storageGb: z.number().int().min(1).default(50),
    /** ILM policies: delete after N days, roll over at size/age. */
    ilmPolicies: z
      .record(
        name,
        z
          .object({
            rolloverMaxAgeDays: z.number().int().min(1).default(1),
            rolloverMaxSizeGb: z.number().int().min(1).default(50),
            deleteAfterDays: z.number().int().min(1),
          })
          .strict(),
      )
      .default({}),
    /** Index templates: index patterns and the ILM policy they apply. */
    indexTemplates: z
      .record(
        name,
        z
          .object({
            indexPatterns: z.array(z.string().min(1)).min(1),
            ilmPolicy: name.optional(),
            shards: z.number().int().min(1).default(1),
            replicas: z.number().int().min(0).default(0),
          })
          .strict(),
      )
      .default({}),
  })
  .strict();

export const minioSpec = z
  .object({
    image: image.default("minio/minio:RELEASE.2024-10-13T13-34-11Z"),
    buckets: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9.-]{2,62}$/, "an S3 bucket name"))
      .default([]),
    storageGb: z.number().int().min(1).default(100),
    resources: resourcesSpec.default({ limits: { cpu: "1", memory: "1Gi" } }),
  })
  .strict();

export const mongodbSpec = z
  .object({
    version: z
      .string()
      .regex(/^\d+\.\d+$/, 'a version such as "7.0"')
      .default("7.0"),
    image: image.optional(),
    database: name.default("app"),
    storageGb: z.number().int().min(1).default(20),
    resources: resourcesSpec.default({ limits: { cpu: "1", memory: "2Gi" } }),
  })
  .strict();

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
      .default({
        errorRatePercent: 1,
        latencyP95Ms: 500,
        handoffRatePercent: 10,
        replicaLagSeconds: 30,
        diskFreePercent: 15,
      }),
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
      .default({ enabled: true }),
    prometheusImage: image.default("prom/prometheus:v2.54.1"),
    alertmanagerImage: image.default("prom/alertmanager:v0.27.0"),
    grafanaImage: image.default("grafana/grafana:11.2.0"),
    nodeExporterImage: image.default("prom/node-exporter:v1.8.2"),
  })
  .strict();

export const lxcSpec = z
  .object({
    /** The Proxmox node golive drives over SSH. */
    node: z
      .object({
        host: z.string().min(1),
        port: port.default(22),
        user: z.string().min(1).default("root"),
        /**
         * Config key of the SSH private key (set with `pulumi config set --secret`). Without one,
         * golive authenticates through the SSH agent ($SSH_AUTH_SOCK).
         */
        privateKeyConfig: z.string().min(1).optional(),
      })
      .strict(),
    template: z.string().min(1).default("local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"),
    storage: z.string().min(1).default("local-lvm"),
    bridge: z.string().min(1).default("vmbr0"),
    /** CT-IDs by service name; services without one get the next free ID from `firstId`. */
    ids: z.record(z.string(), z.number().int().min(100).max(999_999_999)).default({}),
    firstId: z.number().int().min(100).default(200),
  })
  .strict();

const corsMethods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const corsHeaders = ["Authorization", "Content-Type", "X-Requested-With"];

export const tlsSpec = z.discriminatedUnion("source", [
  /** Certificates from an ACME CA (Let's Encrypt), obtained by Caddy (Docker, LXC). */
  z.object({ source: z.literal("acme"), email: z.string().email() }).strict(),
  /** Caddy's internal CA or a self-signed certificate made at start (dev, tests). */
  z.object({ source: z.literal("internal") }).strict(),
  /**
   * A certificate the customer supplies: the PEM certificate in config (public), the PEM key
   * read from a secret config key.
   */
  z
    .object({
      source: z.literal("file"),
      certificate: z.string().includes("BEGIN CERTIFICATE", { message: "a PEM certificate" }),
      keyConfig: z.string().min(1),
    })
    .strict(),
  /** Kubernetes: an existing TLS Secret (e.g. issued by cert-manager). */
  z.object({ source: z.literal("secret"), secretName: name }).strict(),
]);

export const gatewaySpec = z
  .object({
    /** The public host name (e.g. "erp.customer.example"). */
    domain: z.string().regex(/^[a-z0-9.-]+$/, "a host name"),
    /** The proxy on Docker and LXC; Kubernetes uses an Ingress. Blue/green needs haproxy. */
    proxy: z.enum(["caddy", "haproxy"]).default("caddy"),
    /** Image of the proxy (Docker). Defaults to caddy:2.8 or haproxy:2.6. */
    image: image.optional(),
    tls: tlsSpec,
    cors: z
      .object({
        origins: z
          .array(
            z.string().regex(/^https?:\/\/[^/]+$/, "an origin such as https://app.example.com"),
          )
          .default([]),
        methods: z.array(z.string()).default(corsMethods),
        headers: z.array(z.string()).default(corsHeaders),
      })
      .strict()
      .default({ origins: [], methods: corsMethods, headers: corsHeaders }),
    rateLimit: z
      .object({
        requestsPerSecond: z.number().int().min(1),
        windowSeconds: z.number().int().min(1).default(1),
      })
      .strict()
      .optional(),
    compression: z
      .object({
        gzip: z.boolean().default(true),
        zstd: z.boolean().default(true),
        brotli: z.boolean().default(false),
      })
      .strict()
      .default({ gzip: true, zstd: true, brotli: false }),
    /** The health endpoint, routed to the apps; the gateway answers `<healthPath>/gateway` itself. */
    healthPath: z.string().startsWith("/").default("/health"),
    /** Path prefix to service; defaults to "/" for the first public service, "/<name>" for others. */
    routes: z.record(z.string().startsWith("/"), name).optional(),
    /** Docker only: publish the gateway's 80/443 on these 127.0.0.1 ports. */
    hostPorts: z.object({ http: port, https: port }).strict().optional(),
    /** Kubernetes: the IngressClass. */
    ingressClassName: z.string().default("nginx"),
  })
  .strict();

export const licenseSpec = z
  .object({
    /** Path of the license file (relative to the project), e.g. "license/license.json". */
    file: z.string().min(1),
    /** Modules the deployment uses: each must be licensed. */
    requiredModules: z.array(z.string()).default([]),
  })
  .strict();

/** The license file's content (CGS Assist's license/license.json). */
export const licenseFileSpec = z
  .object({
    customer: z.string().min(1),
    modules: z.array(z.string()).min(1),
    expires: z.iso.date(),
  })
  .passthrough();

/** The tenant canary ladder for agent packages: pilot accounts, then shares of all accounts. */
export const canaryLadder = ["pilot", "10%", "25%", "50%", "100%"] as const;

export const canarySpec = z
  .object({
    /** The agent package rolled out (e.g. "gastronomy"). */
    package: name,
    /** The service that serves the package (gets the manifests). */
    service: name,
    /** Agents the package enables for an account. */
    agents: z.array(z.string().min(1)).min(1),
    /** Every tenant account, in a stable order. */
    accounts: z.array(z.string().min(1)).min(1),
    /** The 1-2 test accounts of the first step. */
    pilotAccounts: z.array(z.string().min(1)).min(1).max(2),
    /** The current step of the ladder. */
    step: z.enum(canaryLadder),
    /** The step rolled out before this one (the policy pack refuses skipped steps). */
    previousStep: z.enum(["none", ...canaryLadder]).default("none"),
  })
  .strict();

export const environmentSpec = z
  .object({
    runtime: z.enum(["docker", "kubernetes", "lxc"]),
    tier: z.enum(["dev", "staging", "production"]),
    /** Prefix for every image, for registries and air-gapped mirrors (e.g. "registry.local:5000/"). */
    imageRegistry: z.string().default(""),
    host: z
      .object({
        cpuCores: z.number().int().min(1),
        memoryGb: z.number().positive(),
        diskGb: z.number().positive(),
        /** Free disk at go-live (Ablage demands 50 GB free). */
        freeDiskGb: z.number().nonnegative().optional(),
        /** Cluster nodes (Proxmox): the PSA checklist demands 3 with HA. */
        nodes: z.number().int().min(1).default(1),
        gpu: z
          .object({ model: z.string().min(1), memoryGb: z.number().positive() })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
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
      .default({ enabled: false, message: "Planned maintenance" }),
    canaries: z.array(canarySpec).default([]),
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
    kubernetes: z
      .object({
        namespace: name.optional(),
        /** Write manifests to this folder instead of applying them (no cluster needed). */
        renderYamlToDirectory: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
    labels: z.record(z.string(), z.string()).default({}),
  })
  .strict();
// Checks across fields (a dependency names a service, host ports are unique, …) are in
// consistency.ts: parseSpec runs them on the parsed spec, all together.

export type EnvironmentSpec = z.output<typeof environmentSpec>;
export type ServiceSpec = z.output<typeof serviceSpec>;
export type PostgresSpec = z.output<typeof postgresSpec>;
export type RedisSpec = z.output<typeof redisSpec>;
export type RabbitmqSpec = z.output<typeof rabbitmqSpec>;
export type ElasticsearchSpec = z.output<typeof elasticsearchSpec>;
export type MinioSpec = z.output<typeof minioSpec>;
export type MongodbSpec = z.output<typeof mongodbSpec>;
export type MonitoringSpec = z.output<typeof monitoringSpec>;
export type AlertRuleSpec = z.output<typeof alertRuleSpec>;
export type CanarySpec = z.output<typeof canarySpec>;
export type HealthCheckSpec = z.output<typeof healthCheckSpec>;
export type SecretRefSpec = z.output<typeof secretRefSpec>;
export type ResourcesSpec = z.output<typeof resourcesSpec>;
export type GatewaySpec = z.output<typeof gatewaySpec>;
export type LicenseSpec = z.output<typeof licenseSpec>;
export type LicenseFile = z.output<typeof licenseFileSpec>;
