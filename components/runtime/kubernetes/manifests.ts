/**
 * A workload's Kubernetes objects as plain data: which objects it needs (Secrets, ConfigMap,
 * claims, Service, Deployment/StatefulSet/Job, PodDisruptionBudget) and their specs. Pure
 * functions of the WorkloadSpec and the runtime context; KubernetesWorkload registers what
 * `workloadObjects` describes, and nothing else reads the spec.
 */
import type * as input from "@pulumi/kubernetes/types/input";
import type * as pulumi from "@pulumi/pulumi";
import { label } from "../../../policies/lib/contract";
import { secretLengths } from "../../secrets/lengths";
import { keepsOnDestroy, type RuntimeContext } from "../labels";
import type { WorkloadSpec, WorkloadVolume } from "../workload";
import {
  claimName,
  envSecretName,
  fileKey,
  filesName,
  filesOf,
  podLabels,
  podSpec,
  portName,
  secretEnvKeys,
  secretFilesName,
  selector,
} from "./pod";

/**
 * A PersistentVolumeClaim's spec for a volume: one node, the volume's size, the spec's
 * StorageClass (`kubernetes.storageClassName`), else none: the cluster's default class.
 */
export function claimSpec(
  v: WorkloadVolume,
  ctx: RuntimeContext,
): input.core.v1.PersistentVolumeClaimSpec {
  return {
    accessModes: ["ReadWriteOnce"],
    ...(ctx.storageClassName !== undefined ? { storageClassName: ctx.storageClassName } : {}),
    resources: { requests: { storage: `${v.sizeGb}Gi` } },
  };
}

/** A StatefulSet's claim per volume and replica. */
export function volumeClaimTemplates(
  spec: WorkloadSpec,
  ctx: RuntimeContext,
): input.core.v1.PersistentVolumeClaim[] {
  const { labels } = podLabels(spec, ctx);
  return spec.volumes.map((v) => ({
    metadata: { name: v.name, labels },
    spec: claimSpec(v, ctx),
  }));
}

/** A StatefulSet keeps its claims on scale-down, and on delete when a volume is kept on destroy. */
export function claimRetentionPolicy(
  spec: WorkloadSpec,
  ctx: RuntimeContext,
): input.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy {
  return {
    whenDeleted: spec.volumes.some((v) => keepsOnDestroy(ctx, v)) ? "Retain" : "Delete",
    whenScaled: "Retain",
  };
}

/**
 * The Service in front of the pods; headless for a StatefulSet, and for a workload without ports
 * (the backup loop): the API server refuses a Service with a cluster IP and no port, and a
 * headless one still gives the pods their DNS name. Of the type the workload asks for (the
 * gateway's NodePort or LoadBalancer), with its fixed node ports.
 */
export function serviceSpec(spec: WorkloadSpec, ctx: RuntimeContext): input.core.v1.ServiceSpec {
  const svc = spec.kubernetes?.service;
  return {
    ...(svc && svc.type !== "ClusterIP" ? { type: svc.type } : {}),
    selector: selector(spec, ctx),
    clusterIP: spec.stateful || spec.ports.length === 0 ? "None" : undefined,
    ports: spec.ports.map((p) => ({
      name: portName(p),
      port: p.port,
      targetPort: p.port,
      ...(svc?.nodePorts?.[p.name] !== undefined ? { nodePort: svc.nodePorts[p.name] } : {}),
    })),
  };
}

/** The pod template of a Deployment or StatefulSet. */
function template(
  spec: WorkloadSpec,
  ctx: RuntimeContext,
  annotations: Record<string, pulumi.Input<string>>,
): input.core.v1.PodTemplateSpec {
  return {
    metadata: {
      labels: podLabels(spec, ctx).labels,
      annotations: { ...annotations, ...spec.kubernetes?.podAnnotations },
    },
    spec: podSpec(spec, ctx),
  };
}

/**
 * How long a Deployment's rollout may go without progress (no new pod ready) before its
 * controller marks it failed (ProgressDeadlineExceeded): the bound the Docker runtime gives a
 * container to become healthy. Kubernetes' default is 600 s.
 */
export const rolloutDeadlineSeconds = 180;

/**
 * How long the provider waits for a Deployment's rollout before it fails the `up`
 * (`pulumi.com/timeoutSeconds`): {@link rolloutDeadlineSeconds} per replica, since the pods are
 * replaced one at a time. The provider only logs ProgressDeadlineExceeded and waits on, by default
 * ten minutes: a release failing its health check would hold an `up` that long.
 */
export function rolloutTimeoutSeconds(spec: WorkloadSpec): number {
  return rolloutDeadlineSeconds * Math.max(1, spec.replicas);
}

/** The provider's annotation bounding its wait for a resource to become ready. */
export const timeoutAnnotation = "pulumi.com/timeoutSeconds";

/**
 * A Deployment that rolls out one new pod at a time, never below the wanted replicas, failing
 * after {@link rolloutDeadlineSeconds} without progress.
 */
export function deploymentSpec(
  spec: WorkloadSpec,
  ctx: RuntimeContext,
  annotations: Record<string, pulumi.Input<string>>,
): input.apps.v1.DeploymentSpec {
  return {
    replicas: spec.replicas,
    selector: { matchLabels: selector(spec, ctx) },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
    progressDeadlineSeconds: rolloutDeadlineSeconds,
    template: template(spec, ctx, annotations),
  };
}

/** A StatefulSet with its headless Service and a claim per volume and replica. */
export function statefulSetSpec(
  spec: WorkloadSpec,
  ctx: RuntimeContext,
  annotations: Record<string, pulumi.Input<string>>,
): input.apps.v1.StatefulSetSpec {
  return {
    serviceName: spec.name,
    replicas: spec.replicas,
    selector: { matchLabels: selector(spec, ctx) },
    template: template(spec, ctx, annotations),
    volumeClaimTemplates: volumeClaimTemplates(spec, ctx),
    persistentVolumeClaimRetentionPolicy: claimRetentionPolicy(spec, ctx),
  };
}

/** A Job that runs once: a failure is not retried (it fails the deployment). */
export function jobSpec(spec: WorkloadSpec, ctx: RuntimeContext): input.batch.v1.JobSpec {
  return {
    backoffLimit: 0,
    template: { metadata: { labels: podLabels(spec, ctx).labels }, spec: podSpec(spec, ctx) },
  };
}

/** A replicated workload keeps all but one replica through voluntary disruptions. */
export function podDisruptionBudgetSpec(
  spec: WorkloadSpec,
  ctx: RuntimeContext,
): input.policy.v1.PodDisruptionBudgetSpec | undefined {
  return spec.replicas > 1
    ? {
        minAvailable: Math.max(1, spec.replicas - 1),
        selector: { matchLabels: selector(spec, ctx) },
      }
    : undefined;
}

/** A named object's data (the name is its `metadata.name`). */
export interface NamedData {
  readonly name: string;
  readonly data: Record<string, pulumi.Input<string>>;
}

/** A Deployment's or a Job's own claim of a volume (a StatefulSet's come from its templates). */
export interface Claim {
  /** The volume's name: the stable key of the claim's resource. */
  readonly key: string;
  readonly name: string;
  readonly spec: input.core.v1.PersistentVolumeClaimSpec;
  /** Left behind by destroy (a data volume, unless the spec says delete). */
  readonly retainOnDelete: boolean;
}

/** The claims a Deployment or a Job makes for its volumes, kept on destroy as the volume says. */
export function claims(spec: WorkloadSpec, ctx: RuntimeContext): Claim[] {
  return spec.volumes.map((v) => ({
    key: v.name,
    name: claimName(spec, v),
    spec: claimSpec(v, ctx),
    retainOnDelete: keepsOnDestroy(ctx, v),
  }));
}

/** The controller of a workload, with the objects that go with its kind. */
export type Controller =
  | {
      readonly kind: "Job";
      readonly spec: input.batch.v1.JobSpec;
      readonly claims: readonly Claim[];
    }
  | {
      readonly kind: "StatefulSet";
      readonly spec: input.apps.v1.StatefulSetSpec;
      readonly service: input.core.v1.ServiceSpec;
      readonly podDisruptionBudget?: input.policy.v1.PodDisruptionBudgetSpec;
    }
  | {
      readonly kind: "Deployment";
      /**
       * The Deployment's and its Service's own annotations: the provider's wait for the rollout,
       * and for the Service's endpoints to settle (it waits on while a new pod is not ready).
       */
      readonly annotations: Record<string, string>;
      readonly spec: input.apps.v1.DeploymentSpec;
      readonly service: input.core.v1.ServiceSpec;
      readonly claims: readonly Claim[];
      readonly podDisruptionBudget?: input.policy.v1.PodDisruptionBudgetSpec;
    };

/** Everything a workload is on Kubernetes, as plain data. */
export interface WorkloadObjects {
  /** The `metadata.name` of the controller, its Service and PodDisruptionBudget. */
  readonly name: string;
  /** The labels of every object. */
  readonly labels: Record<string, string>;
  /** The annotations of every object: labels with values no label may hold, the secrets' lengths. */
  readonly annotations: Record<string, pulumi.Input<string>>;
  /** The secret environment variables, by name (a Secret of type Opaque). */
  readonly envSecret?: NamedData;
  /** The plain files, by `fileKey` (a ConfigMap). */
  readonly files?: NamedData;
  /** The secret files, by `fileKey` (a Secret, mounted mode 0400). */
  readonly secretFiles?: NamedData;
  readonly controller: Controller;
}

function namedData(
  name: string,
  entries: readonly (readonly [string, pulumi.Input<string>])[],
): NamedData | undefined {
  return entries.length > 0 ? { name, data: Object.fromEntries(entries) } : undefined;
}

/** The objects of a workload: a Job, or a StatefulSet or Deployment with its Service. */
export function workloadObjects(spec: WorkloadSpec, ctx: RuntimeContext): WorkloadObjects {
  const split = podLabels(spec, ctx);
  // The secrets' lengths travel beside them, never their values (secrets-enforce-min-length).
  const lengths = secretLengths(spec.secretEnv);
  const annotations: Record<string, pulumi.Input<string>> = {
    ...split.annotations,
    ...(lengths !== undefined ? { [label.secretLengths]: lengths } : {}),
  };
  const fileEntries = (secret: boolean) =>
    filesOf(spec, secret).map((f) => [fileKey(f.path), f.content] as const);
  const pdb = podDisruptionBudgetSpec(spec, ctx);
  let controller: Controller;
  if (spec.job) {
    // Runs once to completion; the provider waits for the Job to succeed before dependants start.
    controller = { kind: "Job", spec: jobSpec(spec, ctx), claims: claims(spec, ctx) };
  } else if (spec.stateful) {
    controller = {
      kind: "StatefulSet",
      spec: statefulSetSpec(spec, ctx, annotations),
      service: serviceSpec(spec, ctx),
      ...(pdb ? { podDisruptionBudget: pdb } : {}),
    };
  } else {
    controller = {
      kind: "Deployment",
      annotations: { [timeoutAnnotation]: String(rolloutTimeoutSeconds(spec)) },
      spec: deploymentSpec(spec, ctx, annotations),
      service: serviceSpec(spec, ctx),
      claims: claims(spec, ctx),
      ...(pdb ? { podDisruptionBudget: pdb } : {}),
    };
  }
  return {
    name: spec.name,
    labels: split.labels,
    annotations,
    envSecret: namedData(
      envSecretName(spec),
      secretEnvKeys(spec).map((k) => [k, spec.secretEnv[k]] as const),
    ),
    files: namedData(filesName(spec), fileEntries(false)),
    secretFiles: namedData(secretFilesName(spec), fileEntries(true)),
    controller,
  };
}
