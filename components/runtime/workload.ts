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
   * On LXC the systemd unit runs `entrypoint` (or `lxc.entrypoint`) followed by `command`.
   */
  readonly entrypoint?: readonly string[];
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
  /**
   * A job runs `command` once to completion (migrations, pre-migration backups, bucket setup):
   * Docker waits for the container's exit, Kubernetes creates a Job, LXC runs it with `pct exec`
   * inside the container of the workload named by `runsIn`. A non-zero exit fails the deployment.
   */
  readonly job?: { readonly runsIn?: string };
  /**
   * How the spec says the workload runs (`services.<name>.securityContext`), applied as given by
   * every runtime. Defaults to each runtime's own (`docker.user`, `kubernetes.runAsUser`, a
   * DynamicUser on LXC; unprivileged everywhere).
   */
  readonly securityContext?: WorkloadSecurityContext;
  /**
   * The UID the image's own USER or entrypoint runs the service as (the official PostgreSQL,
   * Redis, RabbitMQ, Prometheus, … images; the policy pack knows them by name), a fact about the
   * image: Docker then leaves the user to the image and gives it the uploaded files (so the
   * service reads its secret ones); Kubernetes runs the pod as it (`runAsUser`, `fsGroup`), since
   * its restricted profile lets no entrypoint start as root. Defaults to none: golive picks the
   * user (`docker.user`, `kubernetes.runAsUser`, else 10001).
   */
  readonly imageUser?: number;
  /** What only the LXC runtime reads. Defaults to none: no packages, a unit running `command`. */
  readonly lxc?: LxcHints;
  /** What only the Docker runtime reads. Defaults to running as 10001. */
  readonly docker?: DockerHints;
  /** What only the Kubernetes runtime reads. Defaults to running as 10001 behind a ClusterIP Service. */
  readonly kubernetes?: KubernetesHints;
}

/** LXC: the workload comes from Debian packages and runs under systemd. */
export interface LxcHints {
  /** Debian packages installed in the container. Defaults to none. */
  readonly packages?: readonly string[];
  /**
   * A package's systemd unit: restarted after provisioning when golive writes no unit of its own
   * (`command: []`); disabled and stopped when golive's unit replaces it (the package's service
   * would hold the same port). Defaults to golive's own unit and no package unit.
   */
  readonly systemdService?: string;
  /**
   * The entrypoint as the Debian package names it, where that differs from the image's
   * (`prometheus-alertmanager`). Defaults to `entrypoint`.
   */
  readonly entrypoint?: readonly string[];
  /**
   * The whole command line of golive's unit on LXC, where the Debian package's binary and
   * arguments differ from the image's (PostgreSQL's `/usr/lib/postgresql/<v>/bin/postgres`).
   * Defaults to `entrypoint` followed by `command`.
   */
  readonly command?: readonly string[];
  /**
   * The user the service runs as, a package's system user (`postgres`): golive's unit runs as it,
   * and it owns the service's volumes (unless the spec names their owner) and secret files. With a
   * package's own unit, the user that unit runs as. Defaults to a DynamicUser (golive's unit).
   */
  readonly user?: string;
  /**
   * The signal that stops golive's unit (systemd `KillSignal`, with `KillMode=mixed`):
   * PostgreSQL's fast shutdown is SIGINT. Defaults to systemd's SIGTERM.
   */
  readonly stopSignal?: string;
  /**
   * A POSIX sh script run as root inside the container after the packages, the env file and the
   * files are in place and before the service (re)starts: what an image's entrypoint does at
   * first start (initialise PostgreSQL's data directory, make a self-signed certificate). It
   * reads the service's variables from `/etc/golive/<name>.env` (never from its command line),
   * and must be idempotent: it runs at every provisioning. Defaults to none.
   */
  readonly setup?: string;
  /** The files on LXC, where their paths differ from the image's (Debian's `/etc/haproxy`). Defaults to `files`. */
  readonly files?: readonly WorkloadFile[];
  /** The container's CT template, where it differs from the runtime's. Defaults to the runtime's. */
  readonly template?: string;
  /**
   * The release artefact with the service's code (what the image carries elsewhere): fetched
   * inside the container, checked against `sha256`, unpacked to
   * `/opt/golive/<name>/releases/<version>`, linked as `current`, where golive's unit and the
   * service's jobs start. Defaults to none (the code comes with the packages).
   */
  readonly artifact?: LxcArtifact;
}

/** One version of a release artefact (a gzip'd tarball). */
export interface LxcArtifact {
  /** The URL of this version's archive. */
  readonly url: string;
  /** Its SHA-256, 64 hex digits. */
  readonly sha256: string;
  readonly version: string;
}

/** Docker: the container's user, which the policy pack must read at preview. */
export interface DockerHints {
  /**
   * The user the container runs as (a name or UID the image knows), or "image" where the image's
   * own USER or entrypoint runs the service unprivileged and its UID is not known (HAProxy's).
   * Defaults to the image's with `imageUser`, else 10001, as on Kubernetes.
   */
  readonly user?: string;
}

/** Kubernetes: the pod's security context, its Service, what it mounts beyond its files, its stop. */
export interface KubernetesHints {
  /** The non-root UID the pod runs as (fsGroup too). Defaults to `imageUser`, else 10001. */
  readonly runAsUser?: number;
  /**
   * The Service's type, and fixed node ports by port name (NodePort, LoadBalancer). Defaults to
   * ClusterIP (headless for a stateful workload), the cluster choosing node ports.
   */
  readonly service?: {
    readonly type: "ClusterIP" | "NodePort" | "LoadBalancer";
    readonly nodePorts?: Readonly<Record<string, number | undefined>>;
  };
  /** Scratch folders (emptyDir volumes), which live as long as the pod. Defaults to none. */
  readonly scratch?: readonly { readonly name: string; readonly mountPath: string }[];
  /** Folders filled from an existing Secret, key by key (a TLS Secret). Defaults to none. */
  readonly secretMounts?: readonly KubernetesSecretMount[];
  /**
   * Lets the container bind ports below 1024 without any capability: the namespaced sysctl
   * `net.ipv4.ip_unprivileged_port_start=0`, which the kubelet allows by default and PodSecurity
   * `restricted` admits. Defaults to false.
   */
  readonly unprivilegedPorts?: boolean;
  /**
   * What the kubelet runs before it signals the container to stop, while the endpoint is being
   * removed from the Service: a command (the HAProxy gateway's soft-stop) or a pause. Defaults to a
   * `sleep` action of {@link drainSeconds} for a workload with ports, none for others.
   */
  readonly preStop?: { readonly exec: readonly string[] } | { readonly sleepSeconds: number };
  /** The pod's terminationGracePeriodSeconds. Defaults to 30 (the Kubernetes default, stated). */
  readonly terminationGracePeriodSeconds?: number;
  /** Annotations of the pod template (a change rolls the pods). Defaults to none. */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /**
   * The image writes only to the workload's volumes (Prometheus, Alertmanager and the exporters:
   * single binaries with a storage path), so the container's root filesystem is read-only and
   * nothing an intruder writes outlives the container. Defaults to false: what an image writes
   * outside its volumes (PostgreSQL's socket folder, Bitnami's generated config) is the image's
   * business, and a read-only root it does not expect stops it at start.
   */
  readonly readOnlyRootFilesystem?: boolean;
}

/** A folder filled from keys of an existing Secret. */
export interface KubernetesSecretMount {
  readonly name: string;
  readonly secretName: string;
  readonly mountPath: string;
  /** Each key of the Secret and the file name it gets. */
  readonly items: readonly { readonly key: string; readonly path: string }[];
}

/**
 * How long a served pod keeps serving after it was told to stop (its preStop pause), so that
 * kube-proxy on every node and the Service's other clients stop sending it new connections
 * before its process stops listening.
 */
export const drainSeconds = 5;

export interface WorkloadSecurityContext {
  /**
   * The UID the workload runs as: Docker `user`, Kubernetes pod `runAsUser` and `fsGroup` (with
   * `runAsNonRoot` unless it is 0), systemd `User=` on LXC.
   */
  readonly runAsUser?: number;
  /** Docker `privileged`, Kubernetes container `privileged`, a privileged LXC container. */
  readonly privileged: boolean;
}

/**
 * A port of a workload. Publishing one on the Docker host is the spec's business (`hostPorts`
 * by workload and port name), not the workload's.
 */
export interface WorkloadPort {
  readonly name: string;
  readonly port: number;
  /** Reachable from outside the environment (through the gateway). */
  readonly public: boolean;
}

/** A workload's name and ports, known from the spec before any component runs. */
export interface DeclaredWorkload {
  readonly name: string;
  readonly ports: readonly WorkloadPort[];
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
   * container before the workload starts; Kubernetes: the pod's fsGroup; LXC: provisioning makes
   * the folder and chowns it.
   */
  readonly owner?: string;
}

export interface WorkloadFile {
  readonly path: string;
  readonly content: pulumi.Input<string>;
  /** Mode 0600 and a secret reference where the runtime has one. */
  readonly secret: boolean;
}

/** What a workload must state; the rest has a default (see `workload`). */
export type WorkloadInit = Pick<
  WorkloadSpec,
  "name" | "component" | "image" | "resources" | "startOrder"
> &
  Partial<WorkloadSpec>;

/**
 * A workload spec with the defaults filled in: no env, secret env, ports, volumes, files or
 * labels, one replica, stateless. Services state only what differs.
 */
export function workload(init: WorkloadInit): WorkloadSpec {
  return {
    env: {},
    secretEnv: {},
    ports: [],
    volumes: [],
    files: [],
    labels: {},
    replicas: 1,
    stateful: false,
    ...init,
  };
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
  /** Prefix for the images the ingress runs itself (the maintenance page). Defaults to none. */
  readonly imageRegistry?: string;
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
   * connection. Kubernetes has none: state set inside a pod dies with it, and a Deployment has
   * several; its gateway carries the weights in its config and rolls when they change.
   */
  exec?(spec: WorkloadExec, parent: pulumi.Resource): pulumi.Resource[];
}
