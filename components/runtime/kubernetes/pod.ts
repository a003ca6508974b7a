/**
 * A workload's pod as plain Kubernetes objects: labels and selector, the container (image,
 * command, env, probes, requests and limits, mounts, security context) and the pod spec (volumes,
 * pod security context, topology spread). Pure functions of the WorkloadSpec and the runtime
 * context: nothing here registers a resource, so they are tested without mocks.
 */
import * as crypto from "node:crypto";
import type * as input from "@pulumi/kubernetes/types/input";
import { label } from "../../../policies/lib/contract";
import type { HealthCheckSpec } from "../../config/spec";
import {
  defaultRunAsUser,
  splitForKubernetes,
  standardLabels,
  type RuntimeContext,
} from "../labels";
import {
  drainSeconds,
  type WorkloadFile,
  type WorkloadPort,
  type WorkloadSpec,
  type WorkloadVolume,
} from "../workload";

/**
 * The standard labels as Kubernetes takes them: those whose values are no valid label values
 * become annotations.
 */
export function podLabels(
  spec: WorkloadSpec,
  ctx: RuntimeContext,
): { labels: Record<string, string>; annotations: Record<string, string> } {
  return splitForKubernetes(standardLabels(ctx, spec));
}

/** The labels that select the workload's pods (Service, controllers, PDB, topology spread). */
export function selector(spec: WorkloadSpec, ctx: RuntimeContext): Record<string, string> {
  return {
    [label.name]: spec.name,
    [label.instance]: podLabels(spec, ctx).labels[label.instance],
  };
}

/** The Secret holding the secret environment variables (read through `secretKeyRef`). */
export function envSecretName(spec: WorkloadSpec): string {
  return `${spec.name}-env`;
}

/**
 * The ConfigMap holding the plain files, named by their content (as kustomize's generators name
 * theirs): a change makes a new ConfigMap, which the provider creates before it updates the pods'
 * controller to mount it (a rollout, so the pods read the new files) and deletes the old one
 * after, so no pod ever mounts a ConfigMap being replaced. A file whose content is only known at
 * `up` (an output) counts by its path alone.
 */
export function filesName(spec: WorkloadSpec): string {
  const h = crypto.createHash("sha256");
  for (const f of filesOf(spec, false)) {
    h.update(`${fileKey(f.path)}\0${typeof f.content === "string" ? f.content : ""}\0`);
  }
  return `${spec.name}-files-${h.digest("hex").slice(0, 10)}`;
}

/** The Secret holding the secret files. */
export function secretFilesName(spec: WorkloadSpec): string {
  return `${spec.name}-secret-files`;
}

/** The PersistentVolumeClaim of a Deployment's volume. */
export function claimName(spec: WorkloadSpec, v: WorkloadVolume): string {
  return `${spec.name}-${v.name}`;
}

/** The key of a file in its ConfigMap or Secret: its path, without the leading slash, made safe. */
export function fileKey(path: string): string {
  return path.replace(/^\//, "").replace(/[^A-Za-z0-9._-]/g, "_");
}

/** The workload's plain files (a ConfigMap) or its secret ones (a Secret). */
export function filesOf(spec: WorkloadSpec, secret: boolean): WorkloadFile[] {
  return spec.files.filter((f) => f.secret === secret);
}

/** The secret environment variables' names, sorted. */
export function secretEnvKeys(spec: WorkloadSpec): string[] {
  return Object.keys(spec.secretEnv).sort();
}

/** Kubernetes caps port names at 15 characters. */
export function portName(p: WorkloadPort): string {
  return p.name.slice(0, 15);
}

/** A probe's period, timeout and failures before it counts as failed, from the health check. */
function probeTiming(h: HealthCheckSpec) {
  return {
    periodSeconds: h.intervalSeconds,
    timeoutSeconds: h.timeoutSeconds,
    failureThreshold: h.retries,
  };
}

/** A Kubernetes probe for a spec health check. */
export function k8sProbe(h: HealthCheckSpec, defaultPort: number | undefined): input.core.v1.Probe {
  const timing = probeTiming(h);
  if (h.command) {
    return { exec: { command: [...h.command] }, ...timing };
  }
  return { httpGet: { path: h.path, port: h.port ?? defaultPort ?? 80 }, ...timing };
}

/**
 * The port a liveness probe connects to: the health check's, else the workload's first; none for
 * a workload without ports whose check is a command.
 */
export function livenessPort(
  h: HealthCheckSpec,
  ports: readonly WorkloadPort[],
): number | undefined {
  return h.command ? ports[0]?.port : (h.port ?? ports[0]?.port ?? 80);
}

/**
 * Readiness is the health check; liveness (after the start period, same timing) whether the
 * process still accepts connections on its port. A health check may fail for reasons a restart
 * does not cure: an app's database is down, PostgreSQL replays its WAL after a crash, Prometheus
 * its TSDB's; the same check as liveness would restart the pods then, all of them at once, and a
 * restarted database starts its recovery over. Readiness takes a pod out of its Service until it
 * passes again; liveness restarts one that stopped listening. A workload without ports keeps its
 * one check for both (the backup loop's: the last backup is recent).
 */
export function probes(
  spec: WorkloadSpec,
): Pick<input.core.v1.Container, "livenessProbe" | "readinessProbe"> {
  const h = spec.healthCheck;
  if (!h) {
    return { livenessProbe: undefined, readinessProbe: undefined };
  }
  const readiness = k8sProbe(h, spec.ports[0]?.port);
  const port = livenessPort(h, spec.ports);
  return {
    livenessProbe: {
      ...(port !== undefined ? { tcpSocket: { port }, ...probeTiming(h) } : readiness),
      initialDelaySeconds: h.startPeriodSeconds,
    },
    readinessProbe: readiness,
  };
}

/**
 * The local disk every container gets besides its volumes (writable layer, logs, emptyDirs): the
 * scheduler places the pod where the request fits, and the kubelet evicts a pod past the limit
 * instead of letting it fill the node's disk. golive's workloads keep their data on volumes.
 */
export const ephemeralStorage = { request: "128Mi", limit: "1Gi" } as const;

/**
 * Requests and limits, and the GPUs as an `nvidia.com/gpu` limit; ephemeral storage as
 * `ephemeralStorage` says.
 */
export function resources(spec: WorkloadSpec): input.core.v1.ResourceRequirements {
  const r = spec.resources;
  const requests = r.requests ?? r.limits;
  return {
    // Kubernetes defaults requests to limits; golive says so explicitly, so that the
    // scheduler's view is in the manifest and the policy pack can read it.
    requests: { ...requests, "ephemeral-storage": ephemeralStorage.request },
    limits: {
      ...r.limits,
      "ephemeral-storage": ephemeralStorage.limit,
      ...(spec.gpu ? { "nvidia.com/gpu": String(spec.gpu.count) } : {}),
    },
  };
}

/** Plain variables by value, then the secret ones through `secretKeyRef`, each sorted by name. */
export function env(spec: WorkloadSpec): input.core.v1.EnvVar[] {
  return [
    ...Object.keys(spec.env)
      .sort()
      .map((k) => ({ name: k, value: spec.env[k] })),
    ...secretEnvKeys(spec).map((k) => ({
      name: k,
      valueFrom: { secretKeyRef: { name: envSecretName(spec), key: k } },
    })),
  ];
}

/** The volumes, then each file on its own path (a subPath of the ConfigMap or Secret). */
export function volumeMounts(spec: WorkloadSpec): input.core.v1.VolumeMount[] {
  return [
    ...spec.volumes.map((v) => ({ name: v.name, mountPath: v.mountPath })),
    ...filesOf(spec, false).map((f) => ({
      name: "files",
      mountPath: f.path,
      subPath: fileKey(f.path),
    })),
    ...filesOf(spec, true).map((f) => ({
      name: "secret-files",
      mountPath: f.path,
      subPath: fileKey(f.path),
      readOnly: true,
    })),
    ...(spec.kubernetes?.scratch ?? []).map((d) => ({ name: d.name, mountPath: d.mountPath })),
    ...(spec.kubernetes?.secretMounts ?? []).map((m) => ({
      name: m.name,
      mountPath: m.mountPath,
      readOnly: true,
    })),
  ];
}

/** Whether the workload serves (a long-running workload with ports): it drains before it stops. */
function serves(spec: WorkloadSpec): boolean {
  return !spec.job && spec.ports.length > 0;
}

/**
 * The container's preStop hook: the spec's, else for a served workload a pause of
 * {@link drainSeconds} (the kubelet's own `sleep` action, so the image needs no sleep binary),
 * during which the endpoint leaves the Service before the process is signalled.
 */
export function lifecycle(spec: WorkloadSpec): input.core.v1.Lifecycle | undefined {
  const p = spec.kubernetes?.preStop;
  if (p && "exec" in p) return { preStop: { exec: { command: [...p.exec] } } };
  if (p) return { preStop: { sleep: { seconds: p.sleepSeconds } } };
  return serves(spec) ? { preStop: { sleep: { seconds: drainSeconds } } } : undefined;
}

/** The UID the pod runs as (fsGroup too): the spec's securityContext, `kubernetes.runAsUser`, the image's user, else 10001. */
export function runAsUser(spec: WorkloadSpec): number {
  return (
    spec.securityContext?.runAsUser ??
    spec.kubernetes?.runAsUser ??
    spec.imageUser ??
    defaultRunAsUser
  );
}

/**
 * The pod's primary group where the UID is not the image's own: the UID's number. The container
 * runtime takes a UID's group from the image's /etc/passwd, and a UID the image does not know
 * (golive's 10001, or one the spec picks) gets group 0, root's, which owns much of an image's
 * files. An image's own user (`imageUser`) keeps the image's group; UID 0 keeps root's.
 */
export function runAsGroup(spec: WorkloadSpec): number | undefined {
  const user = runAsUser(spec);
  return user === 0 || user === spec.imageUser ? undefined : user;
}

/**
 * Unprivileged, no privilege escalation, no capabilities, a read-only root filesystem where the
 * image writes only to its volumes (`kubernetes.readOnlyRootFilesystem`); or privileged when the
 * spec says so.
 */
export function containerSecurityContext(spec: WorkloadSpec): input.core.v1.SecurityContext {
  // Kubernetes refuses privileged with allowPrivilegeEscalation false: a privileged container
  // (the spec's securityContext) gets only that, for the policy pack to judge.
  return spec.securityContext?.privileged
    ? { privileged: true }
    : {
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ["ALL"] },
        ...(spec.kubernetes?.readOnlyRootFilesystem ? { readOnlyRootFilesystem: true } : {}),
      };
}

/**
 * The pod's user and groups, non-root unless the UID is 0, the runtime's seccomp profile; with
 * `unprivilegedPorts`, the namespaced sysctl that lets it bind ports below 1024 without a
 * capability.
 */
export function podSecurityContext(spec: WorkloadSpec): input.core.v1.PodSecurityContext {
  const user = runAsUser(spec);
  const group = runAsGroup(spec);
  return {
    // runAsNonRoot with UID 0 would only stop the kubelet from starting the pod; without it,
    // the policy pack sees the root user the spec asks for.
    ...(user !== 0 ? { runAsNonRoot: true } : {}),
    runAsUser: user,
    ...(group !== undefined ? { runAsGroup: group } : {}),
    fsGroup: user,
    seccompProfile: { type: "RuntimeDefault" },
    ...(spec.kubernetes?.unprivilegedPorts
      ? { sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }] }
      : {}),
  };
}

/** The workload's one container. */
export function container(spec: WorkloadSpec): input.core.v1.Container {
  return {
    name: spec.name,
    image: spec.image,
    // The image's entrypoint stays unless the workload replaces it (as on Docker).
    command: spec.entrypoint ? [...spec.entrypoint] : undefined,
    args: spec.command ? [...spec.command] : undefined,
    ports: spec.ports.map((p) => ({ name: portName(p), containerPort: p.port })),
    env: env(spec),
    resources: resources(spec),
    ...probes(spec),
    lifecycle: lifecycle(spec),
    volumeMounts: volumeMounts(spec),
    securityContext: containerSecurityContext(spec),
  };
}

/**
 * The pod's volumes: the files' ConfigMap and Secret, and on a Deployment its claims (a
 * StatefulSet's come from its claim templates).
 */
export function podVolumes(spec: WorkloadSpec): input.core.v1.Volume[] {
  const plainFiles = filesOf(spec, false);
  const secretFiles = filesOf(spec, true);
  return [
    ...(plainFiles.length > 0 ? [{ name: "files", configMap: { name: filesName(spec) } }] : []),
    ...(secretFiles.length > 0
      ? [
          {
            name: "secret-files",
            secret: { secretName: secretFilesName(spec), defaultMode: 0o400 },
          },
        ]
      : []),
    ...(spec.stateful
      ? []
      : spec.volumes.map((v) => ({
          name: v.name,
          persistentVolumeClaim: { claimName: claimName(spec, v) },
        }))),
    ...(spec.kubernetes?.scratch ?? []).map((d) => ({ name: d.name, emptyDir: {} })),
    ...(spec.kubernetes?.secretMounts ?? []).map((m) => ({
      name: m.name,
      secret: {
        secretName: m.secretName,
        defaultMode: 0o400,
        items: m.items.map((i) => ({ ...i })),
      },
    })),
  ];
}

/** Replicas spread over nodes where the scheduler can (never blocking scheduling). */
export function topologySpread(
  spec: WorkloadSpec,
  ctx: RuntimeContext,
): input.core.v1.TopologySpreadConstraint[] | undefined {
  return spec.replicas > 1
    ? [
        {
          maxSkew: 1,
          topologyKey: "kubernetes.io/hostname",
          whenUnsatisfiable: "ScheduleAnyway",
          labelSelector: { matchLabels: selector(spec, ctx) },
        },
      ]
    : undefined;
}

/** The pod: its container, volumes, security context and spread; a job's never restarts. */
export function podSpec(spec: WorkloadSpec, ctx: RuntimeContext): input.core.v1.PodSpec {
  return {
    containers: [container(spec)],
    volumes: podVolumes(spec),
    securityContext: podSecurityContext(spec),
    automountServiceAccountToken: false,
    // The preStop pause counts against it; a served pod gets the Kubernetes default, stated.
    terminationGracePeriodSeconds:
      spec.kubernetes?.terminationGracePeriodSeconds ?? (serves(spec) ? 30 : undefined),
    topologySpreadConstraints: topologySpread(spec, ctx),
    ...(spec.job ? { restartPolicy: "Never" } : {}),
  };
}
