import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { keepsOnDestroy, type RuntimeContext } from "../labels";
import type { IngressSpec, Runtime, Workload, WorkloadSpec } from "../workload";
import {
  ingressAnnotations,
  ingressLabels,
  ingressSpec,
  maintenancePage,
  tlsSecretData,
  tlsSecretName,
} from "./ingress";
import { KubernetesWorkload } from "./workload";

export { KubernetesWorkload, type KubernetesWorkloadArgs } from "./workload";

export interface KubernetesRuntimeArgs {
  /** Names, tier and labels shared by every workload. */
  readonly context: RuntimeContext;
  /** Namespace of the environment. Defaults to the context prefix. */
  readonly namespace?: string;
  /**
   * Write the manifests to this folder (`0-crd/`, `1-manifest/`; a relative path is relative to
   * the project folder) instead of applying them to a cluster. Defaults to applying them.
   */
  readonly renderYamlToDirectory?: string;
}

/**
 * PodSecurity admission on golive's namespace: the `restricted` profile enforced (a pod that
 * breaks it is refused, so its controller never becomes ready), audited and warned about, at the
 * Kubernetes version golive targets (its schemas and kubeconform's: 1.33).
 */
export const podSecurityLabels: Readonly<Record<string, string>> = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/enforce-version": "v1.33",
  "pod-security.kubernetes.io/audit": "restricted",
  "pod-security.kubernetes.io/audit-version": "v1.33",
  "pod-security.kubernetes.io/warn": "restricted",
  "pod-security.kubernetes.io/warn-version": "v1.33",
};

/**
 * The Kubernetes runtime: a namespace per environment (with a default-deny ingress NetworkPolicy
 * that admits traffic from inside the namespace), and per workload a Deployment or StatefulSet,
 * a Service, a Secret read through `secretKeyRef`, a ConfigMap for files, probes, requests and
 * limits, a PodDisruptionBudget and topology spread when replicated.
 */
export class KubernetesRuntime extends pulumi.ComponentResource implements Runtime {
  public readonly kind = "kubernetes" as const;
  public readonly namespace: k8s.core.v1.Namespace;
  public readonly provider: k8s.Provider;
  private readonly ctx: RuntimeContext;

  constructor(name: string, args: KubernetesRuntimeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("golive:kubernetes:Runtime", name, {}, opts);
    this.ctx = args.context;
    if (args.renderYamlToDirectory !== undefined) {
      // Render mode: the provider writes each object to a file and never contacts a cluster, so
      // no rollout, Job or readiness is awaited and `up` works without one. The Secrets are then
      // files holding their values in clear (mode 0600); the provider warns per Secret, golive
      // says once what that means for the folder.
      void pulumi.log.warn(
        `rendering manifests to ${args.renderYamlToDirectory} instead of applying them: its ` +
          "Secrets hold generated passwords in clear; keep the folder out of version control " +
          "(apply: docs/architecture.md, Kubernetes render)",
        this,
      );
    }
    this.provider = new k8s.Provider(
      `${name}-provider`,
      { renderYamlToDirectory: args.renderYamlToDirectory },
      { parent: this },
    );
    const nsName = args.namespace ?? args.context.prefix;
    this.namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      {
        metadata: {
          name: nsName,
          labels: {
            ...args.context.labels,
            "app.kubernetes.io/part-of": args.context.partOf,
            "app.kubernetes.io/managed-by": "golive",
            ...podSecurityLabels,
          },
        },
      },
      // Deleting a namespace deletes everything in it: where destroy must leave data behind
      // (dataRetention "retain"), the namespace stays with the claims kept in it, and destroy
      // deletes every other object itself.
      {
        parent: this,
        provider: this.provider,
        retainOnDelete: keepsOnDestroy(args.context, { retain: true }),
      },
    );
    new k8s.networking.v1.NetworkPolicy(
      `${name}-same-namespace`,
      {
        metadata: { name: "allow-same-namespace", namespace: nsName },
        spec: {
          podSelector: {},
          policyTypes: ["Ingress"],
          ingress: [{ from: [{ podSelector: {} }] }],
        },
      },
      { parent: this, provider: this.provider, dependsOn: [this.namespace] },
    );
    this.registerOutputs({ namespace: this.namespace.metadata.name });
  }

  public workload(
    spec: WorkloadSpec,
    dependsOn: readonly Workload[],
    parent: pulumi.Resource,
  ): Workload {
    const w = new KubernetesWorkload(
      `${this.ctx.prefix}-${spec.name}`,
      { spec, context: this.ctx, namespace: this.namespace.metadata.name },
      {
        parent,
        provider: this.provider,
        dependsOn: [this.namespace, ...dependsOn.flatMap((d) => d.readiness)],
      },
    );
    return {
      name: spec.name,
      host: w.service ? w.service.metadata.name : pulumi.output(spec.name),
      readiness: [w.controller],
    };
  }

  /**
   * An Ingress for the public services: TLS from a Secret (the spec's certificate, or an existing
   * one such as cert-manager's), CORS, rate limits and compression as ingress-nginx annotations;
   * in maintenance mode, the page that answers 503 (ingress.ts says what each holds).
   */
  public ingress(spec: IngressSpec, parent: pulumi.Resource): void {
    const ns = this.namespace.metadata.name;
    const opts = { parent, provider: this.provider, dependsOn: [this.namespace] };
    const tlsData = tlsSecretData(spec);
    const tlsSecret =
      tlsData &&
      new k8s.core.v1.Secret(
        `${this.ctx.prefix}-gateway-tls`,
        {
          metadata: { name: tlsSecretName(spec), namespace: ns },
          type: "kubernetes.io/tls",
          stringData: tlsData,
        },
        opts,
      );
    if (spec.maintenance.enabled) {
      this.workload(maintenancePage(spec), [], parent);
    }
    new k8s.networking.v1.Ingress(
      `${this.ctx.prefix}-gateway`,
      {
        metadata: {
          name: "gateway",
          namespace: ns,
          annotations: ingressAnnotations(spec),
          labels: ingressLabels(this.ctx),
        },
        spec: ingressSpec(spec),
      },
      { ...opts, dependsOn: [this.namespace, ...(tlsSecret ? [tlsSecret] : [])] },
    );
  }
}
