/**
 * One view of a workload across runtimes and authors, so that each checklist item is written once
 * and judges the fact wherever it appears: a Docker container, each container of a Kubernetes pod
 * (init containers marked), or an LXC service golive runs with systemd in a `pct` container.
 * Nothing here depends on golive's labels: they are read as hints where present.
 *
 * Facts a gate may need but cannot read at preview are `UNKNOWN`, never "absent": a mandatory
 * gate turns them into a violation ("unknown at preview") instead of passing.
 */
import { label, lxcEnv, parseLengths, readLxcFacts, type LxcContainerFacts } from "./contract";
import {
  commandRemote,
  dockerContainer,
  isJobKind,
  isLxcContainer,
  isLxcService,
  podLabelsOf,
  podSpecOf,
  declaredReplicas,
} from "./kinds";
import { isKnown, known, read, UNKNOWN, type Fact } from "./unknowns";

type Props = Record<string, any>;

export { isKnown, read, UNKNOWN, type Fact } from "./unknowns";

export type Runtime = "docker" | "kubernetes" | "lxc";

export interface EnvVar {
  readonly name: string;
  /** The value, UNKNOWN when computed from another resource (a generated secret at preview). */
  readonly value: Fact<string>;
  /** Delivered from a secret: a Kubernetes secretKeyRef, or a golive secret Output. */
  readonly fromSecret: boolean;
  /** The value's length where the value is secret but its length travels (secret-lengths). */
  readonly length?: number;
}

export interface Env {
  readonly vars: readonly EnvVar[];
  /**
   * Why some entries cannot be seen by name (an entry computed whole from another resource,
   * `envFrom` a ConfigMap/Secret); undefined when every entry's name is known.
   */
  readonly hidden?: string;
}

export interface WorkloadFile {
  readonly path: string;
  readonly content: string;
}

export interface WorkloadView {
  readonly runtime: Runtime;
  readonly type: string;
  /** The workload's name: label app.kubernetes.io/name, else the container's name. */
  readonly name: string;
  /** Container name (Docker, Kubernetes) or container hostname / CT-ID (LXC). */
  readonly container: string;
  /** main: a long-running process; init: a Kubernetes init container; job: runs to completion. */
  readonly role: "main" | "init" | "job";
  /** The image reference (undefined on LXC, which installs packages). */
  readonly image?: Fact<string>;
  /** Debian packages (LXC). */
  readonly packages: readonly string[];
  /** The systemd unit a package provides and golive restarts (LXC). */
  readonly systemdService?: string;
  /** Entrypoint and arguments; [] when the image's default runs. */
  readonly argv: Fact<readonly string[]>;
  readonly env: Fact<Env>;
  /** Files delivered in clear with the workload (Docker uploads, LXC files). */
  readonly files: readonly WorkloadFile[];
  /** Paths of files delivered in clear whose content is unknown at preview. */
  readonly unreadFiles?: readonly string[];
  /** Whether it runs as non-root: "image" when the image (or package) decides, unreadable here. */
  readonly nonRoot: Fact<boolean | "image">;
  readonly healthCheck: { readonly liveness: boolean; readonly readiness: boolean };
  readonly limits: { readonly cpu: boolean; readonly memory: boolean };
  readonly requests: { readonly cpu: boolean; readonly memory: boolean };
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * Views by props object: every policy of the pack asks for the same resource's views, and each
 * stack policy for every resource's; they are computed once per resource and preview.
 */
const viewCache = new WeakMap<object, WorkloadView[]>();

/** Every workload a resource declares (none for resources that are not workloads). */
export function workloadsOf(type: string, props: Props): WorkloadView[] {
  const cached = viewCache.get(props);
  if (cached) return cached;
  const views = computeViews(type, props);
  viewCache.set(props, views);
  return views;
}

function computeViews(type: string, props: Props): WorkloadView[] {
  if (type === dockerContainer) return [dockerWorkload(props)];
  const pod = podSpecOf(type, props);
  if (pod) return podWorkloads(type, props, pod);
  if (isLxcService(type, props)) return [lxcService(props)];
  return [];
}

/** The labels of any resource: Docker labels, Kubernetes labels and annotations, LXC GOLIVE_LABELS. */
export function labelsOf(type: string, props: Props): Record<string, string> {
  // Every policy asks (the waiver wrapper first): read once per resource and preview.
  const cached = labelCache.get(props);
  if (cached) return cached;
  const labels = readLabels(type, props);
  labelCache.set(props, labels);
  return labels;
}

const labelCache = new WeakMap<object, Record<string, string>>();

function readLabels(type: string, props: Props): Record<string, string> {
  const out: Record<string, string> = {};
  if (type.startsWith("docker:")) {
    for (const l of known(() => (props.labels ?? []) as { label: string; value: string }[]) ?? []) {
      const pair = known(() => [l.label, l.value] as const);
      if (pair && typeof pair[1] === "string") out[pair[0]] = pair[1];
    }
    return out;
  }
  if (type.startsWith("kubernetes:")) {
    Object.assign(
      out,
      known(() => ({ ...(props.metadata?.labels ?? {}) })) ?? {},
      known(() => ({ ...(props.metadata?.annotations ?? {}) })) ?? {},
      podLabelsOf(type, props),
    );
    return out;
  }
  if (type === commandRemote) {
    const raw = known(() => props.environment?.[lxcEnv.labels] as string | undefined);
    if (raw) {
      try {
        Object.assign(out, JSON.parse(raw));
      } catch {
        // not golive's
      }
    }
  }
  return out;
}

function dockerWorkload(props: Props): WorkloadView {
  const uploads = dockerFiles(props);
  const labels = labelsOf(dockerContainer, props);
  const secretNames = splitList(labels[label.secretEnv]);
  const lengths = parseLengths(labels[label.secretLengths]);
  const env = read((): Env => {
    const lines = (props.envs ?? []) as string[];
    const vars: EnvVar[] = [];
    let unnamed = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = read(() => lines[i]);
      if (!isKnown(line)) {
        unnamed++;
        continue;
      }
      const eq = line.indexOf("=");
      const name = eq < 0 ? line : line.slice(0, eq);
      vars.push({
        name,
        value: eq < 0 ? "" : line.slice(eq + 1),
        fromSecret: secretNames.includes(name),
        length: lengths[name],
      });
    }
    // golive names the variables it delivers from secrets: those are the unknown entries.
    const missing = secretNames.filter((n) => !vars.some((v) => v.name === n));
    for (const name of missing.slice(0, unnamed)) {
      vars.push({ name, value: UNKNOWN, fromSecret: true, length: lengths[name] });
    }
    const hidden =
      unnamed > missing.length
        ? `${unnamed - missing.length} environment entr${unnamed - missing.length === 1 ? "y is" : "ies are"} computed whole from other resources`
        : undefined;
    return { vars, hidden };
  });
  const tests = known(() => [...((props.healthcheck?.tests ?? []) as string[])]) ?? ["unknown"];
  const checked = tests.length > 0 && tests[0] !== "NONE";
  const entrypoint = read(() => [...((props.entrypoints ?? []) as string[])]);
  const command = read(() => [...((props.command ?? []) as string[])]);
  const argv = isKnown(entrypoint) && isKnown(command) ? [...entrypoint, ...command] : UNKNOWN;
  const user = read(() => props.user as string | undefined);
  const image = read(() => props.image as string);
  const container = known(() => props.name as string) ?? "";
  const oneOff =
    known(() => props.attach === true) === true ||
    known(() => props.mustRun === false && props.restart === "no") === true ||
    labels[label.job] !== undefined;
  return {
    runtime: "docker",
    type: dockerContainer,
    name: labels[label.name] ?? container,
    container,
    role: oneOff ? "job" : "main",
    image,
    packages: [],
    argv,
    env,
    files: uploads.files,
    unreadFiles: uploads.unread,
    nonRoot: !isKnown(user)
      ? UNKNOWN
      : user === undefined || user === ""
        ? imageUser(image, entrypoint, command)
        : userNonRoot(user),
    healthCheck: { liveness: checked, readiness: checked },
    limits: {
      cpu: props.cpus !== undefined || props.cpuShares !== undefined,
      memory: props.memory !== undefined,
    },
    requests: {
      cpu: props.cpus !== undefined || props.cpuShares !== undefined,
      memory: props.memoryReservation !== undefined || props.memory !== undefined,
    },
    labels,
  };
}

/**
 * Official images whose own USER runs them unprivileged (by repository base name), as their
 * documentation states.
 */
const imagesWithUser = new Set([
  "prometheus",
  "alertmanager",
  "node-exporter",
  "postgres-exporter",
  "redis_exporter",
  "redis-exporter",
  "haproxy",
  "grafana",
  "elasticsearch",
  "pgbouncer",
  "nginx-unprivileged",
]);
/** Official images whose entrypoint starts as root, then runs the server as its own user (gosu). */
const imagesThatDropRoot = new Set(["postgres", "postgis", "redis", "rabbitmq", "mongo"]);

/**
 * Whether a Docker container that states no `user` runs unprivileged: only for the official images
 * known to (their USER, or an entrypoint that drops root, which only holds while that entrypoint
 * runs); for any other image the pack cannot tell at preview ("image").
 */
function imageUser(
  image: Fact<string>,
  entrypoint: Fact<readonly string[]>,
  command: Fact<readonly string[]>,
): Fact<boolean | "image"> {
  if (!isKnown(image)) return UNKNOWN;
  const base = parseImage(image).repository.split("/").pop() ?? "";
  if (imagesWithUser.has(base)) return true;
  // A shell that ends by exec'ing its program as another user (runuser, gosu, su-exec, setpriv)
  // runs the long-lived process unprivileged, as the official entrypoints do.
  if (isKnown(entrypoint) && isKnown(command)) {
    const script = [...entrypoint, ...command];
    const i = script.findIndex((a) => a === "-c");
    if (i > 0 && /(^|\/)(ba|da)?sh$/.test(script[0]) && dropsToUser(script.slice(i + 1).join(" ")))
      return true;
  }
  if (imagesThatDropRoot.has(base)) {
    if (!isKnown(entrypoint) || !isKnown(command)) return UNKNOWN;
    // The entrypoint drops root only when it runs, and only for the server (or its flags).
    const ownEntrypoint =
      entrypoint.length === 0 || /(^|\/)docker-entrypoint\.sh$/.test(entrypoint[0]);
    const first = command[0] ?? "";
    const server =
      first === "" ||
      first.startsWith("-") ||
      /(^|\/)(postgres|redis-server|rabbitmq-server|mongod)$/.test(first);
    return ownEntrypoint && server ? true : "image";
  }
  return "image";
}

/** Whether a script's last `exec` runs its program as a non-root user. */
function dropsToUser(script: string): boolean {
  const execs = [...script.matchAll(/\bexec\s+(\S+)\s+(.*)/g)];
  const last = execs[execs.length - 1];
  if (!last) return false;
  const tool = last[1].split("/").pop();
  const rest = last[2];
  const user =
    tool === "runuser" || tool === "setpriv"
      ? /(?:-u|--user|--reuid)[ =](\S+)/.exec(rest)?.[1]
      : tool === "gosu" || tool === "su-exec"
        ? rest.split(/\s+/)[0]
        : undefined;
  return user !== undefined && userNonRoot(user.split(":")[0]) === true;
}

/** Docker `user` / Kubernetes-style user: "0", "root", "0:…" run as root; absent: the image's. */
function userNonRoot(user: string | number | undefined): boolean | "image" {
  if (user === undefined || user === "") return "image";
  const u = String(user).split(":")[0];
  return !(u === "0" || u === "root");
}

function dockerFiles(props: Props): { files: WorkloadFile[]; unread: string[] } {
  const uploads = known(() => (props.uploads ?? []) as Props[]) ?? [];
  const files: WorkloadFile[] = [];
  const unread: string[] = [];
  for (let i = 0; i < uploads.length; i++) {
    const path = known(() => uploads[i].file as string) ?? `uploads[${i}]`;
    const permissions = known(() => uploads[i].permissions as string | undefined);
    // A secret upload (golive's runtime gives those, and only those, mode 0600) is no file in
    // clear: its content is a secret in state. Policies see secrets unwrapped at `up`, so the
    // mode is what tells them apart (at preview a generated value is still unknown).
    if (permissions === "0600") continue;
    const content = known(() => uploads[i].content as string);
    if (typeof content === "string") files.push({ path, content });
    else unread.push(path);
  }
  return { files, unread };
}

function podWorkloads(type: string, props: Props, pod: Props): WorkloadView[] {
  const labels = labelsOf(type, props);
  const lengths = parseLengths(labels[label.secretLengths]);
  const job = isJobKind(type);
  const podContext = known(() => pod.securityContext as Props | undefined);
  const containers = (key: "containers" | "initContainers") =>
    known(() => [...((pod[key] ?? []) as Props[])]) ?? [];
  const view = (c: Props, role: WorkloadView["role"]): WorkloadView => {
    const name = known(() => c.name as string) ?? "";
    const command = read(() => [...((c.command ?? []) as string[])]);
    const args = read(() => [...((c.args ?? []) as string[])]);
    return {
      runtime: "kubernetes",
      type,
      name: labels[label.name] ?? name,
      container: name,
      role,
      image: read(() => c.image as string),
      packages: [],
      argv: isKnown(command) && isKnown(args) ? [...command, ...args] : UNKNOWN,
      env: read(() => k8sEnv(c, lengths)),
      files: [],
      nonRoot: k8sNonRoot(c, podContext),
      healthCheck: {
        liveness: known(() => c.livenessProbe !== undefined) ?? false,
        readiness: known(() => c.readinessProbe !== undefined) ?? false,
      },
      limits: {
        cpu: known(() => c.resources?.limits?.cpu !== undefined) ?? false,
        memory: known(() => c.resources?.limits?.memory !== undefined) ?? false,
      },
      requests: {
        cpu: known(() => c.resources?.requests?.cpu !== undefined) ?? false,
        memory: known(() => c.resources?.requests?.memory !== undefined) ?? false,
      },
      labels,
    };
  };
  return [
    // A restartable init container (restartPolicy Always) is a sidecar: it runs alongside.
    ...containers("initContainers").map((c) =>
      view(c, known(() => c.restartPolicy) === "Always" ? (job ? "job" : "main") : "init"),
    ),
    ...containers("containers").map((c) => view(c, job ? "job" : "main")),
  ];
}

function k8sEnv(c: Props, lengths: Record<string, number>): Env {
  const vars: EnvVar[] = [];
  let unnamed = 0;
  const list = (c.env ?? []) as Props[];
  for (let i = 0; i < list.length; i++) {
    const e = read(() => list[i]);
    const name = isKnown(e) ? read(() => e.name as string) : UNKNOWN;
    if (!isKnown(e) || !isKnown(name)) {
      unnamed++;
      continue;
    }
    const fromSecret = read(() => e.valueFrom?.secretKeyRef !== undefined) === true;
    const fromOther = read(() => e.valueFrom !== undefined && e.valueFrom !== null) === true;
    const value = fromOther ? UNKNOWN : read(() => (e.value ?? "") as string);
    vars.push({ name, value, fromSecret, length: lengths[name] });
  }
  const from = read(() => ((c.envFrom ?? []) as Props[]).length);
  const hidden: string[] = [];
  if (unnamed > 0) hidden.push(`${unnamed} env entries are computed whole from other resources`);
  if (!isKnown(from) || from > 0) hidden.push("envFrom pulls variables from ConfigMaps or Secrets");
  return { vars, hidden: hidden.length > 0 ? hidden.join("; ") : undefined };
}

function k8sNonRoot(c: Props, pod: Props | undefined): Fact<boolean | "image"> {
  const nonRoot = read(
    () => (c.securityContext?.runAsNonRoot ?? pod?.runAsNonRoot) as boolean | undefined,
  );
  const user = read(() => (c.securityContext?.runAsUser ?? pod?.runAsUser) as number | undefined);
  if (!isKnown(nonRoot) || !isKnown(user)) return UNKNOWN;
  if (user === 0) return false;
  if (nonRoot === true || (typeof user === "number" && user > 0)) return true;
  return "image";
}

/** Debian packages whose systemd unit runs the service as its own unprivileged user. */
const unprivilegedDebianUnits = new Set([
  "postgresql",
  "pgbouncer",
  "redis-server",
  "rabbitmq-server",
  "prometheus",
  "prometheus-alertmanager",
  "prometheus-node-exporter",
  "prometheus-postgres-exporter",
  "prometheus-redis-exporter",
  "grafana-server",
  "caddy",
  "elasticsearch",
  "mongod",
  "minio",
]);

function lxcService(props: Props): WorkloadView {
  const env = known(() => props.environment as Props) ?? {};
  const labels = labelsOf(commandRemote, props);
  const lengths = parseLengths(known(() => env[lxcEnv.secretLengths] as string | undefined));
  const secretNames = splitList(labels[label.secretEnv]);
  const vars: EnvVar[] = [];
  const files: WorkloadFile[] = [];
  const unreadFiles: string[] = [];
  // Where golive's files land and which are secrets; a file it does not describe is in clear.
  const described = new Map<string, { path: string; secret: boolean }>();
  try {
    const list = JSON.parse(known(() => env[lxcEnv.files] as string | undefined) ?? "[]") as {
      key: string;
      path: string;
      secret: boolean;
    }[];
    for (const f of list) described.set(f.key, { path: f.path, secret: f.secret === true });
  } catch {
    // Not golive's: every file is judged as delivered in clear.
  }
  let unit: string | undefined;
  for (const k of Object.keys(env)) {
    if (k.startsWith(lxcEnv.envPrefix)) {
      const name = k.slice(lxcEnv.envPrefix.length);
      const v = read(() => env[k] as string);
      vars.push({ name, value: v, fromSecret: secretNames.includes(name), length: lengths[name] });
    } else if (k.startsWith(lxcEnv.filePrefix)) {
      const d = described.get(k);
      // A secret file is a secret input landing as a 0600 file: no file in clear.
      if (d?.secret) continue;
      const content = known(() => env[k] as string);
      if (typeof content === "string") files.push({ path: d?.path ?? k, content });
      else unreadFiles.push(d?.path ?? k);
    } else if (k === lxcEnv.unit) {
      unit = known(() => env[k] as string);
    }
  }
  const jobName = known(() => env[lxcEnv.job] as string | undefined);
  const systemdService = known(() => env[lxcEnv.systemdService] as string | undefined);
  const packages = splitList(
    known(() => env[lxcEnv.packages] as string | undefined),
    /\s+/,
  );
  const exec = unit ? /^ExecStart=(.*)$/m.exec(unit)?.[1] : undefined;
  let nonRoot: Fact<boolean | "image">;
  if (jobName !== undefined) {
    // golive runs a job as a transient unit with the user it names (a DynamicUser: `dynamic`);
    // without one, `pct exec` runs it as root inside the container.
    const jobUser = read(() => env[lxcEnv.jobUser] as string | undefined);
    nonRoot = !isKnown(jobUser)
      ? UNKNOWN
      : jobUser === "dynamic" || (jobUser !== undefined && userNonRoot(jobUser) === true);
  } else if (unit) {
    const user = /^User=(.*)$/m.exec(unit)?.[1];
    nonRoot = /^DynamicUser=yes$/m.test(unit) || (user !== undefined && userNonRoot(user) === true);
  } else if (systemdService === "haproxy") {
    // Debian's unit starts HAProxy's master as root; its workers drop to the global section's
    // `user`, which is in the configuration file the command carries.
    const user = files.map((f) => haproxyGlobalUser(f.content)).find((u) => u !== undefined);
    nonRoot = user === undefined ? "image" : userNonRoot(user) === true;
  } else if (systemdService) {
    nonRoot = unprivilegedDebianUnits.has(systemdService.replace(/@.*$/, "")) ? true : "image";
  } else {
    nonRoot = "image";
  }
  const id = known(() => env[lxcEnv.ctId] as string) ?? "";
  return {
    runtime: "lxc",
    type: commandRemote,
    name: labels[label.name] ?? jobName ?? id,
    container: id,
    role: jobName !== undefined ? "job" : "main",
    packages,
    systemdService,
    argv: exec ? splitUnitLine(exec) : [],
    env: { vars },
    files,
    unreadFiles,
    nonRoot,
    // systemd restarts the service; golive's provisioning waits for it to answer.
    healthCheck: { liveness: true, readiness: true },
    // Limits are the container's (cgroup), judged on the `pct` container command.
    limits: { cpu: true, memory: true },
    requests: { cpu: true, memory: true },
    labels,
  };
}

/** The `user` of an HAProxy configuration's global section; undefined when it has none. */
export function haproxyGlobalUser(config: string): string | undefined {
  const global = /^global[ \t]*\n((?:[ \t]+.*\n?|[ \t]*\n)*)/m.exec(config);
  return global ? /^[ \t]+user[ \t]+(\S+)/m.exec(global[1])?.[1] : undefined;
}

/**
 * Splits a systemd ExecStart line into words: double quotes group, C escapes (\n, \t, \", \\)
 * resolve inside them, and %% and $$ are literal % and $.
 */
export function splitUnitLine(line: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  const unescape: Record<string, string> = { n: "\n", t: "\t" };
  for (const m of line.matchAll(re)) {
    const word =
      m[1] !== undefined ? m[1].replace(/\\(.)/g, (_, c: string) => unescape[c] ?? c) : m[2];
    words.push(word.replace(/%%/g, "%").replace(/\$\$/g, "$"));
  }
  return words;
}

function splitList(value: string | undefined, sep: RegExp = /,/): string[] {
  return (value ?? "").split(sep).filter(Boolean);
}

/** The facts of an LXC container golive creates, from its `pct` command's structured inputs. */
export interface LxcFacts extends LxcContainerFacts {
  readonly labels: Readonly<Record<string, string>>;
}

export function lxcFacts(type: string, props: Props): LxcFacts | undefined {
  if (!isLxcContainer(type, props)) return undefined;
  const env = known(() => props.environment as Props) ?? {};
  return {
    ...readLxcFacts((k) => known(() => env[k] as string | undefined)),
    labels: labelsOf(type, props),
  };
}

/** How many instances a resource runs (Kubernetes replicas; one Docker container or LXC container). */
export function replicasOf(type: string, props: Props): Fact<number> | undefined {
  if (type === dockerContainer || isLxcContainer(type, props)) return 1;
  const r = declaredReplicas(type, props);
  return r === "unknown" ? UNKNOWN : r;
}

/** Splits an image reference into repository and tag ("latest" when untagged, "" with a digest). */
export function parseImage(image: string): { repository: string; tag: string; digest?: string } {
  const at = image.indexOf("@");
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const ref = at >= 0 ? image.slice(0, at) : image;
  const slash = ref.lastIndexOf("/");
  const colon = ref.lastIndexOf(":");
  if (colon > slash) {
    return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1), digest };
  }
  return { repository: ref, tag: digest ? "" : "latest", digest };
}

/**
 * Whether a tag names a version: it starts with a digit (or v and a digit), e.g. `16.4`,
 * `3.13-management`, `v2.42.0`, `7.2-alpine`. `latest`, `alpine`, `stable`, `e2e` do not.
 */
export function isVersionTag(tag: string): boolean {
  // MinIO-style dated releases (RELEASE.2024-10-13T13-34-11Z) are versions too.
  return (
    /^v?\d+(\.\d+)*([._+-][0-9A-Za-z._-]*)?$/.test(tag) ||
    /^RELEASE\.\d{4}-\d{2}-\d{2}T[\w-]+$/.test(tag)
  );
}
