import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { RuntimeContext } from "../labels";
import type { WorkloadSpec } from "../workload";
import { workloadObjects } from "./manifests";

export interface KubernetesWorkloadArgs {
  /** The workload. */
  readonly spec: WorkloadSpec;
  /** Names, tier and labels shared by every workload. */
  readonly context: RuntimeContext;
  /** The namespace every object goes into. */
  readonly namespace: pulumi.Input<string>;
}

/**
 * One workload on Kubernetes: its Secret (secret env), ConfigMap and Secret (files), and a Job, or
 * a Service with a StatefulSet or a Deployment (with its claims), and a PodDisruptionBudget when
 * replicated. What each object holds is `workloadObjects` (manifests.ts); this registers them.
 */
export class KubernetesWorkload extends pulumi.ComponentResource {
  public readonly controller: k8s.apps.v1.Deployment | k8s.apps.v1.StatefulSet | k8s.batch.v1.Job;
  /** The Service in front of it (none for jobs). */
  public readonly service?: k8s.core.v1.Service;

  constructor(name: string, args: KubernetesWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    super("golive:kubernetes:Workload", name, {}, opts);
    const o = workloadObjects(args.spec, args.context);
    // No `annotations: {}` where there are none: the API server drops an empty map, and a Secret
    // whose inputs keep it would show a metadata diff on every `up`.
    const hasAnnotations = Object.keys(o.annotations).length > 0;
    const metadata = (objectName: string) => ({
      name: objectName,
      namespace: args.namespace,
      labels: o.labels,
      ...(hasAnnotations ? { annotations: o.annotations } : {}),
    });
    const childOpts = { parent: this };

    const secret =
      o.envSecret &&
      new k8s.core.v1.Secret(
        `${name}-env`,
        { metadata: metadata(o.envSecret.name), type: "Opaque", stringData: o.envSecret.data },
        childOpts,
      );
    const configMap =
      o.files &&
      new k8s.core.v1.ConfigMap(
        `${name}-files`,
        { metadata: metadata(o.files.name), data: o.files.data },
        childOpts,
      );
    const fileSecret =
      o.secretFiles &&
      new k8s.core.v1.Secret(
        `${name}-secret-files`,
        { metadata: metadata(o.secretFiles.name), stringData: o.secretFiles.data },
        childOpts,
      );
    // The pods read these by name: the controller waits for them.
    const dependsOn = [secret, configMap, fileSecret].filter(
      (r): r is k8s.core.v1.Secret | k8s.core.v1.ConfigMap => r !== undefined,
    );

    const c = o.controller;
    // A Deployment's and a Job's pods mount claims of their own (a StatefulSet's are per replica).
    // Not awaited (the provider's pulumi.com/skipAwait): its claim awaiter takes a claim of a
    // WaitForFirstConsumer class as ready only while Pending, so an update of a bound claim's
    // labels (a migration's backup claim carries the app's version) waited 5 minutes and failed.
    // The pods that mount the claim wait for it all the same.
    const claims = (c.kind === "StatefulSet" ? [] : c.claims).map((claim) => {
      const m = metadata(claim.name);
      return new k8s.core.v1.PersistentVolumeClaim(
        `${name}-${claim.key}`,
        {
          metadata: { ...m, annotations: { ...m.annotations, "pulumi.com/skipAwait": "true" } },
          spec: claim.spec,
        },
        { ...childOpts, retainOnDelete: claim.retainOnDelete },
      );
    });
    if (c.kind === "Job") {
      this.controller = new k8s.batch.v1.Job(
        `${name}-job`,
        { metadata: metadata(o.name), spec: c.spec },
        { ...childOpts, dependsOn: [...dependsOn, ...claims] },
      );
      this.registerOutputs({});
      return;
    }

    // A Deployment's Service waits for its endpoints as long as the Deployment for its rollout.
    const serviceMetadata = metadata(o.name);
    this.service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata:
          c.kind === "Deployment"
            ? {
                ...serviceMetadata,
                annotations: { ...serviceMetadata.annotations, ...c.annotations },
              }
            : serviceMetadata,
        spec: c.service,
      },
      childOpts,
    );
    if (c.kind === "StatefulSet") {
      // The API server fills in defaults inside volumeClaimTemplates, an atomic list: after an
      // `up` killed while the StatefulSet was being created, the next `up` (under a new field
      // manager, the provider names one per resource) met a field conflict on it and failed.
      // golive owns its StatefulSets whole: it applies them forcing conflicts (the provider's
      // documented pulumi.com/patchForce), so a plain `up` converges.
      const sts = metadata(o.name);
      this.controller = new k8s.apps.v1.StatefulSet(
        `${name}-statefulset`,
        {
          metadata: {
            ...sts,
            annotations: { ...o.annotations, "pulumi.com/patchForce": "true" },
          },
          spec: c.spec,
        },
        { ...childOpts, dependsOn },
      );
    } else {
      const m = metadata(o.name);
      this.controller = new k8s.apps.v1.Deployment(
        `${name}-deployment`,
        { metadata: { ...m, annotations: { ...m.annotations, ...c.annotations } }, spec: c.spec },
        { ...childOpts, dependsOn: [...dependsOn, ...claims] },
      );
    }
    if (c.podDisruptionBudget) {
      new k8s.policy.v1.PodDisruptionBudget(
        `${name}-pdb`,
        { metadata: metadata(o.name), spec: c.podDisruptionBudget },
        childOpts,
      );
    }
    this.registerOutputs({ service: this.service.metadata.name });
  }
}
