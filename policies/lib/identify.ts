/**
 * What a workload is, judged from what it runs: its image, its command line, its Debian packages,
 * with golive's labels as hints only. A hand-written `docker.Container` running `redis:7.2`, a
 * public Kubernetes manifest of PostgreSQL and golive's own LXC service are recognised alike.
 */
import { label, role } from "./contract";
import {
  isKnown,
  isVersionTag,
  parseImage,
  UNKNOWN,
  type Fact,
  type WorkloadView,
} from "./workloads";

export type Service =
  | "postgres"
  | "pgbouncer"
  | "redis"
  | "rabbitmq"
  | "elasticsearch"
  | "mongodb"
  | "minio"
  | "prometheus"
  | "alertmanager";

interface Signature {
  /** Image repository base names (after the last "/"). */
  readonly images: readonly string[];
  /** Server binaries (base names) a command line starts or execs. */
  readonly binaries: readonly string[];
  /** Debian packages; a capture group, where present, is the version. */
  readonly packages: RegExp;
  /** golive's version label (a hint). */
  readonly versionLabel?: string;
  /** golive's role labels that mean this service (hints). */
  readonly roles: readonly string[];
  /** Other golive labels whose presence means this service (hints). */
  readonly hints?: readonly string[];
}

const signatures: Record<Service, Signature> = {
  postgres: {
    images: ["postgres", "postgresql", "postgis", "timescaledb"],
    binaries: ["postgres", "postmaster"],
    packages: /^postgresql(?:-(\d+))?(?:=(\d[\w.~+-]*))?$/,
    versionLabel: label.postgresVersion,
    // "database" is MongoDB's role too: only golive's PostgreSQL labels hint at it.
    roles: [],
    hints: [label.postgresRole],
  },
  pgbouncer: {
    images: ["pgbouncer"],
    binaries: ["pgbouncer"],
    packages: /^pgbouncer(?:=(\d[\w.~+-]*))?$/,
    roles: [role.connectionPooler],
  },
  redis: {
    images: ["redis", "redis-stack-server", "valkey"],
    binaries: ["redis-server", "valkey-server"],
    packages: /^(?:redis-server|redis|valkey-server)(?:=(\d[\w.~+-]*))?$/,
    versionLabel: label.redisVersion,
    roles: [role.cache],
  },
  rabbitmq: {
    images: ["rabbitmq"],
    binaries: ["rabbitmq-server"],
    packages: /^rabbitmq-server(?:=(\d[\w.~+-]*))?$/,
    versionLabel: label.rabbitmqVersion,
    roles: [role.messageBroker],
  },
  elasticsearch: {
    images: ["elasticsearch"],
    binaries: ["elasticsearch"],
    packages: /^elasticsearch(?:=(\d[\w.~+-]*))?$/,
    versionLabel: label.elasticsearchVersion,
    roles: [role.search],
  },
  mongodb: {
    images: ["mongo", "mongodb", "mongodb-community-server"],
    binaries: ["mongod"],
    packages: /^mongodb-org(?:-server)?(?:=(\d[\w.~+-]*))?$/,
    versionLabel: label.mongodbVersion,
    roles: [],
  },
  minio: {
    images: ["minio"],
    binaries: ["minio"],
    packages: /^minio$/,
    roles: [role.objectStorage],
  },
  prometheus: {
    images: ["prometheus"],
    binaries: ["prometheus"],
    packages: /^prometheus(?:=(\d[\w.~+-]*))?$/,
    roles: [role.monitoring],
  },
  alertmanager: {
    images: ["alertmanager"],
    binaries: ["alertmanager", "prometheus-alertmanager"],
    packages: /^prometheus-alertmanager(?:=(\d[\w.~+-]*))?$/,
    roles: [role.alerting],
  },
};

/** golive roles that are helpers around a service (they may run its image, but are not it). */
const helperRoles = new Set<string>([
  role.exporter,
  role.backup,
  role.migration,
  role.setup,
  role.volumeOwner,
  role.maintenance,
]);

const shells = new Set(["sh", "bash", "dash", "ash"]);
const entrypointScripts = /(^|\/)(docker-entrypoint|entrypoint|run|start)[\w.-]*\.sh$/;

function base(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Whether the image names this service (the repository's base name, e.g. bitnami/redis). */
function imageIs(w: WorkloadView, s: Signature): boolean {
  if (w.image === undefined || !isKnown(w.image)) return false;
  return s.images.includes(base(parseImage(w.image).repository));
}

function packageOf(w: WorkloadView, s: Signature): RegExpExecArray | undefined {
  for (const p of w.packages) {
    const m = s.packages.exec(p);
    if (m) return m;
  }
  return undefined;
}

/**
 * Whether the process is the service's server: the image's default (no command, or flags and
 * arguments to its entrypoint), its entrypoint script, the server binary itself, or a shell
 * script that runs it. A shell loop running pg_dump in the postgres image is not PostgreSQL.
 */
function runsServer(argv: readonly string[], s: Signature): boolean {
  if (argv.length === 0) return true;
  const first = base(argv[0]);
  if (s.binaries.includes(first)) return true;
  if (argv[0].startsWith("-")) return true;
  if (entrypointScripts.test(argv[0])) {
    return argv.length === 1 || argv[1].startsWith("-") || s.binaries.includes(base(argv[1]));
  }
  if (shells.has(first)) {
    const script = argv.slice(1).join(" ");
    const bin = s.binaries.map((b) => b.replace(/[-.]/g, "\\$&")).join("|");
    return new RegExp(`(^|[;&|]\\s*|\\bexec\\s+|-c\\s+)(\\S*/)?(${bin})(\\s|$|")`).test(script);
  }
  return false;
}

/**
 * The services a workload runs: by image, package or command line (labels only as hints). A job,
 * an init container or one of golive's helper roles runs no service.
 */
export function servicesOf(w: WorkloadView): Service[] {
  if (w.role !== "main") return [];
  if (helperRoles.has(w.labels[label.component] ?? "")) return [];
  const out: Service[] = [];
  for (const [name, s] of Object.entries(signatures) as [Service, Signature][]) {
    const argv = isKnown(w.argv) ? w.argv : undefined;
    const byImage = imageIs(w, s);
    const byPackage = packageOf(w, s) !== undefined;
    const byBinary = argv !== undefined && argv.length > 0 && s.binaries.includes(base(argv[0]));
    const byHint =
      (s.versionLabel !== undefined && w.labels[s.versionLabel] !== undefined) ||
      (s.hints ?? []).some((h) => w.labels[h] !== undefined) ||
      s.roles.includes(w.labels[label.component] ?? "");
    if (!(byImage || byPackage || byBinary || byHint)) continue;
    // Its own image or package, but another program: not the service (argv unknown: it may be).
    if (
      (byImage || byPackage) &&
      !byBinary &&
      !byHint &&
      argv !== undefined &&
      w.systemdService === undefined
    ) {
      if (!runsServer(argv, s)) continue;
    }
    out.push(name);
  }
  return out;
}

export function runs(w: WorkloadView, s: Service): boolean {
  return servicesOf(w).includes(s);
}

/**
 * The service's version as the workload states it: the image tag when it is a version, the
 * Debian package's version (postgresql-16, rabbitmq-server=3.12.1-1), else golive's label. A
 * `latest`/`alpine` tag or an image known only by digest gives `undefined` (not readable);
 * an image computed at preview gives UNKNOWN.
 */
export function versionOf(w: WorkloadView, s: Service): Fact<string | undefined> {
  const sig = signatures[s];
  if (w.image !== undefined) {
    if (!isKnown(w.image)) return UNKNOWN;
    const { tag } = parseImage(w.image);
    if (imageIs(w, sig) && isVersionTag(tag)) return tag.replace(/^v/, "");
  }
  const pkg = packageOf(w, sig);
  if (pkg) {
    const v = pkg.slice(1).find((g) => g !== undefined);
    if (v) return v;
  }
  return sig.versionLabel ? w.labels[sig.versionLabel] : undefined;
}

/** Compares dotted versions numerically by their leading numbers ("3.10.8" < "3.12"). */
export function compareVersions(a: string, b: string): number {
  const nums = (v: string) => (/^\d+(\.\d+)*/.exec(v)?.[0] ?? "0").split(".").map(Number);
  const pa = nums(a);
  const pb = nums(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** PostgreSQL settings given with `-c name=value` (or `--name=value`). */
export function postgresSettings(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const words =
    argv.length === 1 || shells.has(base(argv[0] ?? "")) ? argv.join(" ").split(/\s+/) : argv;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const setting = w === "-c" ? words[i + 1] : w.startsWith("--") ? w.slice(2) : undefined;
    if (setting === undefined) continue;
    const eq = setting.indexOf("=");
    if (eq > 0)
      out[setting.slice(0, eq).replace(/-/g, "_")] = setting
        .slice(eq + 1)
        .replace(/^['"]|['"]$/g, "");
  }
  return out;
}
