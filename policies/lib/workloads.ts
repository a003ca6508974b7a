import { known } from "./unknowns";

/**
 * One view of a workload across runtimes, so that a checklist item is written once: a Docker
 * container, each container of a Kubernetes Deployment/StatefulSet/DaemonSet/Job, or an LXC
 * container created by golive's `pct` commands (facts read from the command's `environment`).
 */
export type Runtime = "docker" | "kubernetes" | "lxc";

export interface EnvVar {
  readonly name: string;
  /** The literal value, when the variable is given inline (undefined for references). */
  readonly value?: string;
  /** Read from a secret reference (Kubernetes secretKeyRef). */
  readonly fromSecretRef: boolean;
}

export interface WorkloadView {
  readonly runtime: Runtime;
  /** Runs once to completion (a migration, a setup step): no probes, no restarts. */
  readonly job: boolean;
  /** Container name (Kubernetes), container name (Docker) or hostname (LXC). */
  readonly name: string;
  /** The image; undefined when not known at preview (or for LXC). */
  readonly image?: string;
  /**
   * Environment variables; undefined when the list itself is not known at preview. A variable
   * whose value is not known yet has `value` undefined and `fromSecretRef` false.
   */
  readonly env?: readonly EnvVar[];
  readonly healthCheck: { readonly liveness: boolean; readonly readiness: boolean };
  readonly limits: { readonly cpu: boolean; readonly memory: boolean };
  readonly requests: { readonly cpu: boolean; readonly memory: boolean };
  readonly labels: Readonly<Record<string, string>>;
}

type Props = Record<string, any>;

const podControllers = new Set([
  "kubernetes:apps/v1:Deployment",
  "kubernetes:apps/v1:StatefulSet",
  "kubernetes:apps/v1:DaemonSet",
  "kubernetes:batch/v1:Job",
]);

/** The pod template's spec of a Kubernetes controller (or a bare Pod). */
export function podSpecOf(type: string, props: Props): Props | undefined {
  if (type === "kubernetes:core/v1:Pod") {
    return props.spec;
  }
  if (type === "kubernetes:batch/v1:CronJob") {
    return props.spec?.jobTemplate?.spec?.template?.spec;
  }
  return podControllers.has(type) ? props.spec?.template?.spec : undefined;
}

/** Every workload a resource declares (none for resources that are not workloads). */
export function workloadsOf(type: string, props: Props): WorkloadView[] {
  if (type === "docker:index/container:Container") {
    return [dockerWorkload(props)];
  }
  const pod = podSpecOf(type, props);
  if (pod) {
    const labels: Record<string, string> =
      props.spec?.template?.metadata?.labels ?? props.metadata?.labels ?? {};
    const job = type === "kubernetes:batch/v1:Job" || type === "kubernetes:batch/v1:CronJob";
    return [...(pod.initContainers ?? []), ...(pod.containers ?? [])].map((c: Props) => ({
      ...k8sWorkload(c, labels),
      job,
    }));
  }
  const serviceEnv = lxcServiceEnv(type, props);
  if (serviceEnv) {
    return [
      {
        runtime: "lxc",
        job: false,
        name: serviceEnv.name,
        env: serviceEnv.env,
        healthCheck: { liveness: true, readiness: true },
        limits: { cpu: true, memory: true },
        requests: { cpu: true, memory: true },
        labels: {},
      },
    ];
  }
  const lxc = lxcFacts(type, props);
  if (lxc) {
    return [
      {
        runtime: "lxc",
        job: false,
        name: lxc.hostname,
        env: [],
        healthCheck: { liveness: true, readiness: true },
        limits: { cpu: lxc.cores > 0, memory: lxc.memoryMb > 0 },
        requests: { cpu: lxc.cores > 0, memory: lxc.memoryMb > 0 },
        labels: lxc.labels,
      },
    ];
  }
  return [];
}

function dockerWorkload(props: Props): WorkloadView {
  const env = known(() => {
    const lines = (props.envs ?? []) as string[];
    const vars: EnvVar[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = known(() => lines[i]);
      if (line === undefined) {
        continue; // computed from another resource; its name is not known either
      }
      const eq = line.indexOf("=");
      vars.push(
        eq < 0
          ? { name: line, value: "", fromSecretRef: false }
          : { name: line.slice(0, eq), value: line.slice(eq + 1), fromSecretRef: false },
      );
    }
    return vars;
  });
  const tests = known(() => [...((props.healthcheck?.tests ?? []) as string[])]) ?? ["unknown"];
  const checked = tests.length > 0 && tests[0] !== "NONE";
  const labels: Record<string, string> = {};
  for (const l of known(() => (props.labels ?? []) as { label: string; value: string }[]) ?? []) {
    const pair = known(() => [l.label, l.value] as const);
    if (pair) labels[pair[0]] = pair[1];
  }
  return {
    runtime: "docker",
    job: known(() => props.attach === true) ?? false,
    name: known(() => props.name as string) ?? "",
    image: known(() => props.image as string),
    env,
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

function k8sWorkload(c: Props, labels: Record<string, string>): WorkloadView {
  return {
    runtime: "kubernetes",
    job: false,
    name: known(() => c.name as string) ?? "",
    image: known(() => c.image as string),
    env: known(() =>
      ((c.env ?? []) as Props[]).map((e) => ({
        name: e.name,
        value: known(() => e.value as string | undefined),
        fromSecretRef: known(() => e.valueFrom?.secretKeyRef !== undefined) ?? false,
      })),
    ),
    healthCheck: {
      liveness: c.livenessProbe !== undefined,
      readiness: c.readinessProbe !== undefined,
    },
    limits: {
      cpu: c.resources?.limits?.cpu !== undefined,
      memory: c.resources?.limits?.memory !== undefined,
    },
    requests: {
      cpu: c.resources?.requests?.cpu !== undefined,
      memory: c.resources?.requests?.memory !== undefined,
    },
    labels,
  };
}

/** The facts of an LXC container golive creates, from its `pct` command's structured inputs. */
export interface LxcFacts {
  readonly id: number;
  readonly hostname: string;
  readonly cores: number;
  readonly memoryMb: number;
  readonly diskGb: number;
  readonly startOrder: number;
  readonly tier: string;
  readonly ha: boolean;
  readonly labels: Readonly<Record<string, string>>;
}

export function lxcFacts(type: string, props: Props): LxcFacts | undefined {
  const env = props.environment;
  if (type !== "command:remote:Command" || env?.GOLIVE_CT_HOSTNAME === undefined) {
    return undefined;
  }
  let labels: Record<string, string>;
  try {
    labels = JSON.parse(env.GOLIVE_LABELS ?? "{}");
  } catch {
    labels = {};
  }
  return {
    id: Number(env.GOLIVE_CT_ID),
    hostname: env.GOLIVE_CT_HOSTNAME,
    cores: Number(env.GOLIVE_CT_CORES),
    memoryMb: Number(env.GOLIVE_CT_MEMORY_MB),
    diskGb: Number(env.GOLIVE_CT_DISK_GB),
    startOrder: Number(env.GOLIVE_CT_START_ORDER),
    tier: env.GOLIVE_CT_TIER,
    ha: env.GOLIVE_CT_HA === "1",
    labels,
  };
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

/** The environment golive writes into an LXC service's env file (GOLIVE_ENV_* of its command). */
function lxcServiceEnv(type: string, props: Props): { name: string; env: EnvVar[] } | undefined {
  if (type !== "command:remote:Command") return undefined;
  if (known(() => props.environment?.GOLIVE_CT_HOSTNAME) !== undefined) return undefined;
  const map = known(() => props.environment as Record<string, unknown> | undefined);
  if (!map) return undefined;
  const keys = Object.keys(map).filter((k) => k.startsWith("GOLIVE_ENV_"));
  if (keys.length === 0) return undefined;
  const env: Record<string, unknown> = { GOLIVE_CT_ID: known(() => map.GOLIVE_CT_ID) };
  for (const k of keys) env[k] = known(() => map[k]);
  return {
    name: typeof env.GOLIVE_CT_ID === "string" ? env.GOLIVE_CT_ID : "",
    env: keys.map((k) => {
      const v = env[k];
      return {
        name: k.slice("GOLIVE_ENV_".length),
        value: typeof v === "string" ? v : undefined,
        fromSecretRef: false,
      };
    }),
  };
}
