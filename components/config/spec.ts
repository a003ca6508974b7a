import { z } from "zod";

/**
 * The environment spec: everything golive deploys, read from the stack config key
 * `golive:environment` and validated here, once. Every other module takes the parsed
 * `EnvironmentSpec` and never reads config itself.
 */

const name = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, "a lowercase name of letters, digits and '-' (at most 40)");

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
    /** A worker has no ports and is not routed by the gateway. */
    worker: z.boolean().default(false),
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
    database: name.default("app"),
    user: name.default("app"),
    storageGb: z.number().int().min(1).default(20),
    resources: resourcesSpec.default({}),
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
    services: z.record(name, serviceSpec).refine((s) => Object.keys(s).length > 0, {
      message: "at least one service",
    }),
    postgres: postgresSpec.optional(),
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
  .strict()
  .superRefine((env, ctx) => {
    if (env.runtime === "lxc" && env.lxc === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["lxc"],
        message: "the lxc runtime needs an lxc block",
      });
    }
    if (env.gateway) {
      for (const [prefix, svc] of Object.entries(env.gateway.routes ?? {})) {
        if (!(svc in env.services)) {
          ctx.addIssue({
            code: "custom",
            path: ["gateway", "routes", prefix],
            message: `"${svc}" is not a service of this environment`,
          });
        }
      }
      if (env.gateway.tls.source === "secret" && env.runtime !== "kubernetes") {
        ctx.addIssue({
          code: "custom",
          path: ["gateway", "tls", "source"],
          message:
            'source "secret" names a Kubernetes TLS Secret: use "acme", "internal" or "file" here',
        });
      }
      if (env.gateway.tls.source === "acme" && env.gateway.proxy === "haproxy") {
        ctx.addIssue({
          code: "custom",
          path: ["gateway", "tls", "source"],
          message:
            'HAProxy cannot obtain ACME certificates: use proxy "caddy", or tls source "file"',
        });
      }
    }
    const known = new Set([...Object.keys(env.services), ...(env.postgres ? ["postgres"] : [])]);
    for (const [svc, spec] of Object.entries(env.services)) {
      spec.dependsOn.forEach((dep, i) => {
        if (!known.has(dep)) {
          ctx.addIssue({
            code: "custom",
            path: ["services", svc, "dependsOn", i],
            message: `"${dep}" is neither a service nor a data service of this environment`,
          });
        }
      });
    }
  });

export type EnvironmentSpec = z.output<typeof environmentSpec>;
export type ServiceSpec = z.output<typeof serviceSpec>;
export type PostgresSpec = z.output<typeof postgresSpec>;
export type HealthCheckSpec = z.output<typeof healthCheckSpec>;
export type SecretRefSpec = z.output<typeof secretRefSpec>;
export type ResourcesSpec = z.output<typeof resourcesSpec>;
export type GatewaySpec = z.output<typeof gatewaySpec>;
export type LicenseSpec = z.output<typeof licenseSpec>;
export type LicenseFile = z.output<typeof licenseFileSpec>;
