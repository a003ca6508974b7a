/**
 * The one table of resource kinds the pack reads workloads from. Every gate and view asks here
 * ("is this a Kubernetes pod controller?", "where is its pod spec?"), so a kind is added once.
 */
import { lxcEnv } from "./contract";
import { known } from "./unknowns";

type Props = Record<string, any>;

export const dockerContainer = "docker:index/container:Container";
export const commandRemote = "command:remote:Command";
export const k8sConfigMap = "kubernetes:core/v1:ConfigMap";
export const k8sSecret = "kubernetes:core/v1:Secret";
export const k8sService = "kubernetes:core/v1:Service";
export const k8sIngress = "kubernetes:networking.k8s.io/v1:Ingress";
export const k8sPdb = "kubernetes:policy/v1:PodDisruptionBudget";

/** Kubernetes kinds that run pods: where their pod spec and replica count are. */
const podKinds: Record<
  string,
  { pod: (p: Props) => Props | undefined; replicas?: (p: Props) => unknown; job: boolean }
> = {
  "kubernetes:apps/v1:Deployment": {
    pod: (p) => p.spec?.template?.spec,
    replicas: (p) => p.spec?.replicas,
    job: false,
  },
  "kubernetes:apps/v1:StatefulSet": {
    pod: (p) => p.spec?.template?.spec,
    replicas: (p) => p.spec?.replicas,
    job: false,
  },
  "kubernetes:apps/v1:ReplicaSet": {
    pod: (p) => p.spec?.template?.spec,
    replicas: (p) => p.spec?.replicas,
    job: false,
  },
  "kubernetes:apps/v1:DaemonSet": { pod: (p) => p.spec?.template?.spec, job: false },
  "kubernetes:batch/v1:Job": { pod: (p) => p.spec?.template?.spec, job: true },
  "kubernetes:batch/v1:CronJob": {
    pod: (p) => p.spec?.jobTemplate?.spec?.template?.spec,
    job: true,
  },
  "kubernetes:core/v1:Pod": { pod: (p) => p.spec, job: false },
};

/** Whether the type is a Kubernetes kind that runs pods. */
export function isPodKind(type: string): boolean {
  return type in podKinds;
}

/** Whether pods of this kind run to completion (Job, CronJob). */
export function isJobKind(type: string): boolean {
  return podKinds[type]?.job === true;
}

/** The pod spec of a Kubernetes pod-running resource. */
export function podSpecOf(type: string, props: Props): Props | undefined {
  const k = podKinds[type];
  return k ? known(() => k.pod(props)) : undefined;
}

/** The pod template's metadata labels (the resource's own for a bare Pod). */
export function podLabelsOf(type: string, props: Props): Record<string, string> {
  if (type === "kubernetes:core/v1:Pod")
    return known(() => ({ ...(props.metadata?.labels ?? {}) })) ?? {};
  if (type === "kubernetes:batch/v1:CronJob")
    return (
      known(() => ({ ...(props.spec?.jobTemplate?.spec?.template?.metadata?.labels ?? {}) })) ?? {}
    );
  return known(() => ({ ...(props.spec?.template?.metadata?.labels ?? {}) })) ?? {};
}

/** The declared replica count; `undefined` when the kind has none (DaemonSet, Job, Pod). */
export function declaredReplicas(type: string, props: Props): number | "unknown" | undefined {
  const read = podKinds[type]?.replicas;
  if (!read) return type === "kubernetes:core/v1:Pod" ? 1 : undefined;
  let v: unknown;
  try {
    v = read(props);
  } catch {
    return "unknown";
  }
  // Kubernetes defaults spec.replicas to 1.
  return v === undefined || v === null ? 1 : Number(v);
}

/** An LXC container golive created with `pct` (its command carries the container's facts). */
export function isLxcContainer(type: string, props: Props): boolean {
  return (
    type === commandRemote && known(() => props.environment?.[lxcEnv.ctHostname]) !== undefined
  );
}

/** An LXC service or job command (runs inside a container; carries the workload's env and files). */
export function isLxcService(type: string, props: Props): boolean {
  if (type !== commandRemote) return false;
  const env = known(() => props.environment as Props | undefined);
  if (!env) return false;
  return (
    known(() => env[lxcEnv.ctHostname]) === undefined &&
    (known(() => env[lxcEnv.labels]) !== undefined || known(() => env[lxcEnv.job]) !== undefined)
  );
}

/**
 * Whether a resource runs a workload's process: a Docker container, a Kubernetes pod-running
 * kind, or an LXC service/job command (not the `pct` container command).
 */
export function runsProcess(type: string, props: Props): boolean {
  return type === dockerContainer || isPodKind(type) || isLxcService(type, props);
}

/** Whether a resource realises a workload (LXC: the container command, not its service). */
export function realisesWorkload(type: string, props: Props): boolean {
  return type === dockerContainer || isPodKind(type) || isLxcContainer(type, props);
}
