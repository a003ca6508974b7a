import type * as pulumi from "@pulumi/pulumi";
import type { GatewaySpec, HealthCheckSpec, ResourcesSpec } from "../config/spec";

/**
 * The runtime interface: one workload (an app service, a worker or a data service) described once
 * and realised by each runtime (Docker, Kubernetes, Proxmox LXC). Services are written against
 * this interface only, never against a runtime's own resources.
 */
export interface WorkloadSpec {
  /** Stable key of the workload within the environment (e.g. "api", "postgres-primary"). */
  readonly name: string;
  /** Role, for `app.kubernetes.io/component` and policies: "app", "worker", "database", … */
  readonly component: string;
  /** Image reference, already prefixed with the environment's registry or mirror. */
  readonly image: string;
  /**
   * Replaces the image's entrypoint (Docker entrypoint, Kubernetes `command`); `command` then holds
   * its arguments. Without it the image's own entrypoint runs `command` (Docker CMD, Kubernetes
   * `args`), so official images' entrypoint scripts (initdb, config templating) still run.
   * On LXC the systemd unit runs `entrypoint` followed by `command`.
   */
  readonly entrypoint?: readonly string[];
  /** On LXC: the entrypoint as the Debian package names it, where that differs from the image's. */
  readonly packageEntrypoint?: readonly string[];
  /** The arguments to the entrypoint (Docker CMD, Kubernetes `args`). */
  readonly command?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Secret environment variables: reach the workload only as a secret reference. */
  readonly secretEnv: Readonly<Record<string, pulumi.Output<string>>>;
  readonly ports: readonly WorkloadPort[];
  readonly volumes: readonly WorkloadVolume[];
  /** Files written into the workload before it starts (config files). */
  readonly files: readonly WorkloadFile[];
  readonly healthCheck?: HealthCheckSpec;
  readonly resources: ResourcesSpec;
  readonly replicas: number;
  /** Lower starts first (LXC `--startup order`, Docker and Kubernetes ordering). */
  readonly startOrder: number;
  /** Keeps an identity and storage per replica (StatefulSet on Kubernetes). */
  readonly stateful: boolean;
  readonly gpu?: { readonly count: number; readonly memoryLimitGb?: number };
  /** Extra labels, merged over the runtime's standard ones. */
  readonly labels: Readonly<Record<string, string>>;
  /** On LXC: Debian packages installed in the container, and the systemd unit that runs `command`. */
  readonly packages?: readonly string[];
  /** On LXC: an existing systemd unit (from a package) to restart after provisioning, instead of `command`. */
  readonly systemdService?: string;
  /**
   * A job runs `command` once to completion (migrations, pre-migration backups, bucket setup):
   * Docker waits for the container's exit, Kubernetes creates a Job, LXC runs it with `pct exec`
   * inside the container of the workload named by `runsIn`. A non-zero exit fails the deployment.
   */
  readonly job?: { readonly runsIn?: string };
  /** Kubernetes: the non-root UID the image runs as (fsGroup too). Defaults to 10001. */
  readonly runAsUser?: number;
  /**
   * Docker: the user the container runs as (a name or UID the image knows), or "image" where the
   * image's own USER or entrypoint runs the service unprivileged (the official PostgreSQL, Redis,
   * RabbitMQ, Prometheus, … images; the policy pack knows them by name). Defaults to `runAsUser`,
   * else 10001, as on Kubernetes.
   */
  readonly dockerUser?: string;
  /**
   * How the spec says the workload runs (`services.<name>.securityContext`), applied as given by
   * every runtime. Defaults to each runtime's own (the image's user, or `runAsUser` on
   * Kubernetes and a DynamicUser on LXC; unprivileged everywhere).
   */
  readonly securityContext?: WorkloadSecurityContext;
}

export interface WorkloadSecurityContext {
  /**
   * The UID the workload runs as: Docker `user`, Kubernetes pod `runAsUser` and `fsGroup` (with
   * `runAsNonRoot` unless it is 0), systemd `User=` on LXC.
   */
  readonly runAsUser?: number;
  /** Docker `privileged`, Kubernetes container `privileged`, a privileged LXC container. */
  readonly privileged: boolean;
}

export interface WorkloadPort {
  readonly name: string;
  readonly port: number;
  /** Reachable from outside the environment (through the gateway, or published on Docker). */
  readonly public: boolean;
  /** Docker only: host port to publish on 127.0.0.1 (tests, local access). */
  readonly hostPort?: number;
}

export interface WorkloadVolume {
  readonly name: string;
  readonly mountPath: string;
  readonly sizeGb: number;
  /** Kept when the environment is destroyed. */
  readonly retain: boolean;
  /**
   * The user (name or uid, as the image knows it) that must own the volume's root, where the
   * image's entrypoint does not see to it (PostgreSQL's WAL archive). Docker: a one-off `chown`
   * container before the workload starts; Kubernetes: the pod's fsGroup; LXC: not needed yet
   * (the service user's folders come from the Debian package).
   */
  readonly owner?: string;
}

export interface WorkloadFile {
  readonly path: string;
  readonly content: pulumi.Input<string>;
  /** Mode 0600 and a secret reference where the runtime has one. */
  readonly secret: boolean;
  /** Docker: the user (name or uid) the file belongs to, e.g. the image's service user. */
  readonly owner?: string;
}

/** What a realised workload offers to the services that depend on it. */
export interface Workload {
  readonly name: string;
  /** The host name other workloads in the environment reach it by. */
  readonly host: pulumi.Output<string>;
  /** The resources later workloads must wait for (`dependsOn`). */
  readonly readiness: pulumi.Resource[];
}

/** What a runtime with its own ingress needs to route the public services. */
export interface IngressSpec {
  readonly gateway: GatewaySpec;
  readonly routes: readonly { pathPrefix: string; service: string; port: number }[];
  /** The TLS key when the spec supplies the certificate (secret). */
  readonly tlsKey?: pulumi.Output<string>;
  /** The certificate's expiry, when known. */
  readonly notAfter?: string;
  /** Maintenance mode: route everything but health to a 503 page. */
  readonly maintenance: { readonly enabled: boolean; readonly message: string };
}

/** A script to run inside a realised workload (see {@link Runtime.exec}). */
export interface WorkloadExec {
  /** Names the resource(s): `<workload resource name>-<name>`. */
  readonly name: string;
  /** The workload to run in, as this runtime's `workload` returned it. */
  readonly workload: Workload;
  /** A POSIX sh script, handed to `sh -s` inside the workload on its standard input. */
  readonly script: pulumi.Input<string>;
}

/** A runtime realises workloads. */
export interface Runtime {
  readonly kind: "docker" | "kubernetes" | "lxc";
  /**
   * Realises `spec` as a child component of `parent` (the service that owns it), started after
   * `dependsOn` are ready.
   */
  workload(spec: WorkloadSpec, dependsOn: readonly Workload[], parent: pulumi.Resource): Workload;
  /**
   * Routes the public services with the runtime's own ingress (Kubernetes). Runtimes without one
   * leave it undefined, and the gateway deploys a proxy workload instead.
   */
  ingress?(spec: IngressSpec, parent: pulumi.Resource): void;
  /**
   * Runs a script inside every replica of a realised workload once it is ready, as a command
   * resource: again whenever the script changes, and whenever the workload's container is
   * replaced (a new container has none of the old one's runtime state). A non-zero exit fails the
   * deployment. Docker: `docker exec -i <container> sh -s` on the machine running Pulumi (honouring
   * `docker:host`, else DOCKER_HOST); LXC: `pct exec <ctid> -- sh -s` over the node's SSH
   * connection. Kubernetes has none (its gateway switches through the Ingress).
   */
  exec?(spec: WorkloadExec, parent: pulumi.Resource): pulumi.Resource[];
}
