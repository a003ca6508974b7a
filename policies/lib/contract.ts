/**
 * The contract between golive's program and its policy pack: every label, LXC fact, role and
 * type token that one writes and the other reads is spelled here, once. The program imports this
 * module (components/runtime/labels.ts, components/facts.ts, the LXC runtime); the pack reads
 * through it (policies/lib). golive's Docker provider acts on no label of golive's: it does what
 * upstream's does. The module imports nothing, so both sides can load it.
 *
 * Labels are hints, never the only way a gate recognises a fact: the pack also identifies
 * PostgreSQL, Redis, RabbitMQ and the rest by image, command and package (policies/lib/identify.ts),
 * so that resources golive did not build are judged as strictly as its own.
 */

/** Label and annotation keys (Docker labels, Kubernetes labels or annotations, LXC GOLIVE_LABELS). */
export const label = {
  // The recommended Kubernetes labels, used on every runtime.
  name: "app.kubernetes.io/name",
  instance: "app.kubernetes.io/instance",
  component: "app.kubernetes.io/component",
  partOf: "app.kubernetes.io/part-of",
  version: "app.kubernetes.io/version",
  managedBy: "app.kubernetes.io/managed-by",

  tier: "golive.dev/tier",
  startOrder: "golive.dev/start-order",
  /** Names of the variables delivered from secret Outputs (comma-separated). */
  secretEnv: "golive.dev/secret-env",
  /** Lengths of secret variables (`NAME=48,…`): a gate measures a secret without its value. */
  secretLengths: "golive.dev/secret-lengths",
  dependsOn: "golive.dev/depends-on",
  gpuMemoryLimitGb: "golive.dev/gpu-memory-limit-gb",
  /** `golive.dev/waive.<policy>` = `until=YYYY-MM-DD; reason=…`. */
  waiverPrefix: "golive.dev/waive.",
  color: "golive.dev/color",
  /** `golive.dev/canary.<package>` = `step=…,previous=…,enabled=n/m`. */
  canaryPrefix: "golive.dev/canary.",
  /** A one-off helper container (e.g. `volume-owner`), never the workload itself. */
  job: "golive.dev/job",

  postgresRole: "golive.dev/postgres-role",
  postgresVersion: "golive.dev/postgres-version",
  backupOf: "golive.dev/backup-of",
  backupIntervalHours: "golive.dev/backup-interval-hours",
  backupRetentionDays: "golive.dev/backup-retention-days",
  poolMode: "golive.dev/pool-mode",
  migrationFor: "golive.dev/migration-for",
  appVersion: "golive.dev/app-version",
  redisVersion: "golive.dev/redis-version",
  rabbitmqVersion: "golive.dev/rabbitmq-version",
  rabbitmqUsers: "golive.dev/rabbitmq-users",
  elasticsearchVersion: "golive.dev/elasticsearch-version",
  ilmPolicies: "golive.dev/ilm-policies",
  mongodbVersion: "golive.dev/mongodb-version",
  buckets: "golive.dev/buckets",
  alertReceiver: "golive.dev/alert-receiver",
  retentionDays: "golive.dev/retention-days",
  scrapeJobs: "golive.dev/scrape-jobs",
  exporterFor: "golive.dev/exporter-for",

  gatewayDomain: "golive.dev/gateway-domain",
  maintenance: "golive.dev/maintenance",
  compression: "golive.dev/compression",
  tlsSource: "golive.dev/tls-source",
  tlsNotAfter: "golive.dev/tls-not-after",
  corsOrigins: "golive.dev/cors-origins",
  /** A hash of the Kubernetes gateway's config in its pod template: a change rolls it. */
  configHash: "golive.dev/config-hash",
} as const;

/**
 * The environment of golive's LXC command resources (`command:remote:Command`): structured facts
 * the commands read and the pack reads, so that nobody parses shell.
 */
export const lxcEnv = {
  /** Set on the `pct` container command only. */
  ctHostname: "GOLIVE_CT_HOSTNAME",
  ctId: "GOLIVE_CT_ID",
  ctCores: "GOLIVE_CT_CORES",
  ctMemoryMb: "GOLIVE_CT_MEMORY_MB",
  ctDiskGb: "GOLIVE_CT_DISK_GB",
  ctStartOrder: "GOLIVE_CT_START_ORDER",
  ctTier: "GOLIVE_CT_TIER",
  ctTemplate: "GOLIVE_CT_TEMPLATE",
  ctStorage: "GOLIVE_CT_STORAGE",
  ctBridge: "GOLIVE_CT_BRIDGE",
  ctHa: "GOLIVE_CT_HA",
  ctTags: "GOLIVE_CT_TAGS",
  ctUnprivileged: "GOLIVE_CT_UNPRIVILEGED",
  /** The `ip=` of eth0: `dhcp`, or `<address>/<prefix>,gw=<gateway>` (spec `lxc.network`). */
  ctIp: "GOLIVE_CT_IP",
  /** golive's block of every workload's address and name for /etc/hosts. */
  hosts: "GOLIVE_HOSTS",
  /** The setup script run inside before the service starts (LXC hint `setup`). */
  setup: "GOLIVE_SETUP",
  /** The workload's labels as JSON. */
  labels: "GOLIVE_LABELS",
  /** `GOLIVE_ENV_<NAME>`: one environment variable of the service. */
  envPrefix: "GOLIVE_ENV_",
  /** `GOLIVE_FILE_<n>`: one file's content. */
  filePrefix: "GOLIVE_FILE_",
  /**
   * The files as JSON, `[{ "key": "GOLIVE_FILE_<n>", "path": …, "secret": bool }]`: where each
   * lands, and whether it is a secret (a secret input, a 0600 file) or delivered in clear.
   */
  files: "GOLIVE_FILES",
  /** The systemd unit that runs the service. */
  unit: "GOLIVE_UNIT",
  /** Debian packages installed in the container, space-separated (`postgresql-16 …`). */
  packages: "GOLIVE_PACKAGES",
  /** The Debian package's systemd unit golive restarts instead of writing its own. */
  systemdService: "GOLIVE_SYSTEMD_SERVICE",
  /** Lengths of the secret variables, as the label `secretLengths`. */
  secretLengths: "GOLIVE_SECRET_LENGTHS",
  /** Set on a job's command: the job's name. */
  job: "GOLIVE_JOB",
  /** A job's user inside the container: a package's user, or `dynamic` (a systemd DynamicUser). */
  jobUser: "GOLIVE_JOB_USER",
  /** The release artefact: its URL, SHA-256 and version (LXC hint `artifact`). */
  artifactUrl: "GOLIVE_ARTIFACT_URL",
  artifactSha256: "GOLIVE_ARTIFACT_SHA256",
  artifactVersion: "GOLIVE_ARTIFACT_VERSION",
} as const;

/**
 * The facts of one LXC container golive creates, as its `pct` command carries them in its
 * environment (`lxcFactsEnvironment`, written by the program) and the pack reads them back
 * (`readLxcFacts`): one codec, so a fact cannot be written under one name and read under another.
 */
export interface LxcContainerFacts {
  readonly id: number;
  readonly hostname: string;
  readonly cores: number;
  readonly memoryMb: number;
  readonly diskGb: number;
  readonly startOrder: number;
  readonly tier: string;
  readonly template: string;
  readonly storage: string;
  readonly bridge: string;
  /** Registered with the Proxmox HA manager (production). */
  readonly ha: boolean;
  /** Proxmox tags, `;`-separated. */
  readonly tags: string;
  /** Unprivileged unless the spec's securityContext says privileged. */
  readonly unprivileged: boolean;
}

/** The facts as the environment of the container's command resource. */
export function lxcFactsEnvironment(f: LxcContainerFacts): Record<string, string> {
  return {
    [lxcEnv.ctId]: String(f.id),
    [lxcEnv.ctHostname]: f.hostname,
    [lxcEnv.ctCores]: String(f.cores),
    [lxcEnv.ctMemoryMb]: String(f.memoryMb),
    [lxcEnv.ctDiskGb]: String(f.diskGb),
    [lxcEnv.ctStartOrder]: String(f.startOrder),
    [lxcEnv.ctTier]: f.tier,
    [lxcEnv.ctTemplate]: f.template,
    [lxcEnv.ctStorage]: f.storage,
    [lxcEnv.ctBridge]: f.bridge,
    [lxcEnv.ctHa]: f.ha ? "1" : "0",
    [lxcEnv.ctTags]: f.tags,
    [lxcEnv.ctUnprivileged]: f.unprivileged ? "1" : "0",
  };
}

/**
 * The facts read back from such an environment (`get` answers undefined for a variable that is
 * absent or unknown). A container is unprivileged unless the fact says otherwise.
 */
export function readLxcFacts(get: (name: string) => string | undefined): LxcContainerFacts {
  return {
    id: Number(get(lxcEnv.ctId)),
    hostname: get(lxcEnv.ctHostname) ?? "",
    cores: Number(get(lxcEnv.ctCores)),
    memoryMb: Number(get(lxcEnv.ctMemoryMb)),
    diskGb: Number(get(lxcEnv.ctDiskGb)),
    startOrder: Number(get(lxcEnv.ctStartOrder)),
    tier: get(lxcEnv.ctTier) ?? "",
    template: get(lxcEnv.ctTemplate) ?? "",
    storage: get(lxcEnv.ctStorage) ?? "",
    bridge: get(lxcEnv.ctBridge) ?? "",
    ha: get(lxcEnv.ctHa) === "1",
    tags: get(lxcEnv.ctTags) ?? "",
    unprivileged: get(lxcEnv.ctUnprivileged) !== "0",
  };
}

/** Roles (`app.kubernetes.io/component`). */
export const role = {
  app: "app",
  worker: "worker",
  database: "database",
  cache: "cache",
  messageBroker: "message-broker",
  search: "search",
  objectStorage: "object-storage",
  connectionPooler: "connection-pooler",
  monitoring: "monitoring",
  alerting: "alerting",
  dashboards: "dashboards",
  exporter: "exporter",
  gateway: "gateway",
  maintenance: "maintenance",
  backup: "backup",
  migration: "migration",
  setup: "setup",
  volumeOwner: "volume-owner",
} as const;

/** The roles of data services: what apps depend on and start after. */
export const dataRoles: readonly string[] = [
  role.database,
  role.cache,
  role.messageBroker,
  role.search,
  role.objectStorage,
  role.connectionPooler,
];

/** Type tokens of golive's own custom resources. */
export const types = {
  facts: "pulumi-nodejs:dynamic/golive:EnvironmentFacts",
  generatedSecret: "pulumi-nodejs:dynamic/golive:GeneratedSecret",
} as const;

/** Blue/green state of one service, as recorded in the facts. */
export interface BlueGreenFacts {
  readonly active: "blue" | "green";
  readonly weights: { readonly blue: number; readonly green: number };
  readonly releases: { readonly blue: string; readonly green: string };
}

/** The two colours of a blue/green service, both always deployed. */
export const colours = ["blue", "green"] as const;

/**
 * The workload (host name, container, controller) of one colour of a blue/green service:
 * `<service>-<colour>`. The program names the colours' workloads with it, the pack finds them by it.
 */
export function colourWorkload(service: string, colour: (typeof colours)[number]): string {
  return `${service}-${colour}`;
}

/** The environment's facts (the inputs of the EnvironmentFacts resource). */
export interface EnvironmentFactsShape {
  readonly tier: string;
  readonly runtime: string;
  readonly host?: {
    readonly cpuCores: number;
    readonly memoryGb: number;
    readonly diskGb: number;
    readonly freeDiskGb?: number;
    readonly nodes: number;
    readonly gpu?: { readonly model: string; readonly memoryGb: number };
  };
  readonly features: Readonly<Record<string, boolean>>;
  readonly license?: {
    readonly file: string;
    readonly customer: string;
    readonly modules: readonly string[];
    readonly expires: string;
    readonly requiredModules: readonly string[];
  };
  /** Problems found while reading the license file (missing, unreadable, malformed). */
  readonly licenseProblems: readonly string[];
  /** Blue/green services (absent in state written before golive recorded them here). */
  readonly blueGreen?: Readonly<Record<string, BlueGreenFacts>>;
}

/** `NAME=48,OTHER=32` → { NAME: 48, OTHER: 32 }. */
export function parseLengths(value: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (value ?? "").split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0 && /^\d+$/.test(part.slice(eq + 1)))
      out[part.slice(0, eq)] = Number(part.slice(eq + 1));
  }
  return out;
}

/** { NAME: 48 } → `NAME=48`, sorted by name. */
export function formatLengths(lengths: Readonly<Record<string, number>>): string {
  return Object.keys(lengths)
    .sort()
    .map((k) => `${k}=${lengths[k]}`)
    .join(",");
}

/**
 * The stack outputs the go-live report's live checks read (`golive verify`): the program exports
 * them (index.ts, components/outputs.ts), the checks (report/checks) find their targets through
 * them. Plain data known at preview, except the secrets output, which holds only secrets.
 */
export const stackOutputs = {
  /** A {@link LiveEnvironment}. */
  environment: "goliveEnvironment",
  /** A {@link LiveSecrets}, stored encrypted; the checks read it through the Automation API. */
  secrets: "goliveSecrets",
} as const;

/** What the live checks need to find and judge a deployed environment. */
export interface LiveEnvironment {
  readonly runtime: "docker" | "kubernetes" | "lxc";
  readonly tier: "dev" | "staging" | "production";
  /** The prefix of every workload's name (`<prefix>-<workload>` on Docker, `<project>-<stack>`). */
  readonly prefix: string;
  /** Where the checks run: Docker's daemon (`docker:host`, else the CLI's own). */
  readonly dockerHost?: string;
  /** Every workload the program realised, by name (app releases, data services, monitoring). */
  readonly workloads: readonly string[];
  /** The app services (releases): what they depend on, and their GPU where the spec asks for one. */
  readonly apps: readonly {
    readonly name: string;
    readonly dependsOn: readonly string[];
    readonly gpu?: number;
    /** The app's own HTTP health check (services.<name>.healthCheck), when it has a path. */
    readonly health?: { readonly path: string; readonly port: number };
  }[];
  /**
   * Kubernetes: the namespace every workload's pods and Services are in (each pod labelled
   * `app.kubernetes.io/name: <workload>`, each Service named after its workload), and the folder
   * the manifests go to instead of a cluster when the stack renders them.
   */
  readonly kubernetes?: { readonly namespace: string; readonly renderedTo?: string };
  /**
   * Proxmox LXC: the node golive drives over SSH (the stack config key holding its private key,
   * read by `golive verify` from the stack's config, never an output), each workload's CT-ID, the
   * port each listens on by port name, and the static addresses when the spec gives a network.
   */
  readonly lxc?: {
    readonly node: {
      readonly host: string;
      readonly port: number;
      readonly user: string;
      readonly privateKeyConfig?: string;
    };
    readonly ids: Readonly<Record<string, number>>;
    readonly ports: Readonly<Record<string, Readonly<Record<string, number>>>>;
    readonly addresses?: Readonly<Record<string, string>>;
  };
  /** Host ports the spec publishes on 127.0.0.1: workload → port name → host port. */
  readonly hostPorts: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly gateway?: {
    readonly domain: string;
    readonly tls: "acme" | "internal" | "file" | "secret";
    readonly healthPath: string;
    readonly httpPort?: number;
    readonly httpsPort?: number;
    readonly corsOrigins: readonly string[];
    /** The path prefix of every route the gateway serves (gateway.routes or its default). */
    readonly routes: readonly string[];
  };
  readonly postgres?: {
    readonly user: string;
    readonly database: string;
    readonly replicas: readonly string[];
    readonly pgbouncer: boolean;
    readonly walArchive: boolean;
    /** The backup loop's interval; absent without backups. */
    readonly backupIntervalHours?: number;
  };
  readonly redis?: {
    readonly appendonly: boolean;
    readonly maxmemoryPolicy: string;
    readonly maxmemoryMb: number;
  };
  readonly rabbitmq?: {
    readonly vhosts: readonly string[];
    readonly users: readonly string[];
    readonly queues: readonly { readonly name: string; readonly vhost: string }[];
  };
  readonly monitoring?: {
    readonly receiver: string;
    readonly replicaLagSeconds: number;
    readonly diskFreePercent: number;
    readonly latencyP95Ms: number;
    readonly errorRatePercent: number;
  };
  /** The index patterns of the spec's Elasticsearch index templates. */
  readonly elasticsearch?: { readonly indexPatterns: readonly string[] };
  /** The spec's `verify` block: what the app-specific checks do (the password is a secret). */
  readonly verify: LiveVerify;
}

/** The spec's `verify` block as the checks read it (components/config/spec/verify.ts). */
export interface LiveVerify {
  readonly smoke?: { readonly command: readonly string[]; readonly timeoutSeconds: number };
  readonly login?: {
    readonly path: string;
    readonly method: "POST" | "PUT";
    readonly username: string;
    readonly fields: { readonly username: string; readonly password: string };
    readonly expect: { readonly token: string } | { readonly cookie: string };
  };
  readonly protectedPath?: string;
  readonly websocketPath?: string;
  readonly routes: readonly string[];
  readonly load?: {
    readonly path?: string;
    readonly requests: number;
    readonly concurrency: number;
  };
  readonly gatewayLatencyMs: number;
  readonly logErrorPattern: string;
  readonly alertWindowMinutes: number;
  readonly packages: readonly { readonly command: readonly string[]; readonly expect: string }[];
  readonly dependencies?: { readonly command: readonly string[] };
}

/** The secrets the live checks log in with. Never printed. */
export interface LiveSecrets {
  readonly postgresPassword?: string;
  readonly redisPassword?: string;
  readonly rabbitmqAdminPassword?: string;
  /** The test account's password (verify.login.passwordConfig). */
  readonly loginPassword?: string;
}
