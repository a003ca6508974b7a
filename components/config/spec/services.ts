/** An application service: its image, ports, replicas, environment, health check and rollout. */
import { z } from "zod";
import { image, name, port, resourcesSpec } from "./common";

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
    resources: resourcesSpec.prefault({}),
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
     * LXC only: the CT template of the service's container, where it differs from `lxc.template`
     * (Debian 13's for Node.js 20: `local:vztmpl/debian-13-standard_13.1-2_amd64.tar.zst`).
     */
    template: z.string().min(1).optional(),
    /**
     * LXC only: the release artefact holding the service's code, a gzip'd tarball the container
     * fetches, checks against its SHA-256 and unpacks to /opt/golive/<workload>/releases/<version>
     * (`current` links the running one; the unit starts there). On Docker and Kubernetes the image
     * carries the code and this is not read.
     */
    artifact: z
      .object({
        /**
         * Where the containers fetch it: an http(s) URL without credentials, `{version}` standing
         * for the release's version (the image's tag, or each blue/green colour's).
         */
        url: z
          .string()
          .regex(
            /^https?:\/\/[^\s/@]+\/\S*$/,
            "an http(s) URL without credentials (http://repo.example/app-{version}.tar.gz)",
          ),
        /** The archive's SHA-256 (64 hex digits) for each version deployed, by version. */
        sha256: z.record(
          z.string().regex(/^[A-Za-z0-9._-]+$/, "a version (an image tag)"),
          z.string().regex(/^[0-9a-f]{64}$/, "a SHA-256 digest: 64 lower-case hex digits"),
        ),
      })
      .strict()
      .optional(),
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

export type ServiceSpec = z.output<typeof serviceSpec>;
export type HealthCheckSpec = z.output<typeof healthCheckSpec>;
export type SecretRefSpec = z.output<typeof secretRefSpec>;
