import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { label } from "../../../policies/lib/contract";
import type { HealthCheckSpec } from "../../config/spec";
import { secretLengths } from "../../secrets/lengths";
import {
  defaultRunAsUser,
  keepsOnDestroy,
  splitForKubernetes,
  standardLabels,
  type RuntimeContext,
} from "../labels";
import type { IngressSpec, Runtime, Workload, WorkloadSpec } from "../workload";

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

/** A Kubernetes probe for a spec health check. */
export function k8sProbe(
  h: HealthCheckSpec,
  defaultPort: number | undefined,
): k8s.types.input.core.v1.Probe {
  const timing = {
    periodSeconds: h.intervalSeconds,
    timeoutSeconds: h.timeoutSeconds,
    failureThreshold: h.retries,
  };
  if (h.command) {
    return { exec: { command: [...h.command] }, ...timing };
  }
  return { httpGet: { path: h.path, port: h.port ?? defaultPort ?? 80 }, ...timing };
}

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
            "pod-security.kubernetes.io/enforce": "baseline",
          },
        },
      },
      { parent: this, provider: this.provider },
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
   * one such as cert-manager's), CORS, rate limits and compression as ingress-nginx annotations.
   */
  public ingress(spec: IngressSpec, parent: pulumi.Resource): void {
    const g = spec.gateway;
    const ns = this.namespace.metadata.name;
    const opts = { parent, provider: this.provider, dependsOn: [this.namespace] };
    let secretName: pulumi.Input<string>;
    if (g.tls.source === "secret") {
      secretName = g.tls.secretName;
    } else if (g.tls.source === "file") {
      secretName = new k8s.core.v1.Secret(
        `${this.ctx.prefix}-gateway-tls`,
        {
          metadata: { name: "gateway-tls", namespace: ns },
          type: "kubernetes.io/tls",
          stringData: { "tls.crt": g.tls.certificate, "tls.key": spec.tlsKey! },
        },
        opts,
      ).metadata.name;
    } else {
      // acme / internal: cert-manager fills this Secret (annotation below).
      secretName = "gateway-tls";
    }
    const annotations: Record<string, string> = {
      "nginx.ingress.kubernetes.io/ssl-redirect": "true",
      "nginx.ingress.kubernetes.io/force-ssl-redirect": "true",
    };
    if (g.tls.source === "acme") {
      annotations["cert-manager.io/cluster-issuer"] = "letsencrypt";
    } else if (g.tls.source === "internal") {
      annotations["cert-manager.io/cluster-issuer"] = "selfsigned";
    }
    if (spec.notAfter) {
      annotations["golive.dev/tls-not-after"] = spec.notAfter;
    }
    if (g.cors.origins.length > 0) {
      annotations["nginx.ingress.kubernetes.io/enable-cors"] = "true";
      annotations["nginx.ingress.kubernetes.io/cors-allow-origin"] = g.cors.origins.join(", ");
      annotations["nginx.ingress.kubernetes.io/cors-allow-methods"] = g.cors.methods.join(", ");
      annotations["nginx.ingress.kubernetes.io/cors-allow-headers"] = g.cors.headers.join(", ");
    }
    if (g.rateLimit) {
      annotations["nginx.ingress.kubernetes.io/limit-rps"] = String(g.rateLimit.requestsPerSecond);
      annotations["nginx.ingress.kubernetes.io/limit-burst-multiplier"] = "2";
    }
    if (g.compression.gzip || g.compression.brotli) {
      // Compression is a controller-wide setting of ingress-nginx (use-gzip / enable-brotli);
      // golive records the request here and docs/gateway.md names the controller settings.
      annotations["golive.dev/compression"] = [
        ...(g.compression.brotli ? ["br"] : []),
        ...(g.compression.gzip ? ["gzip"] : []),
      ].join(",");
    }
    let routes = spec.routes;
    if (spec.maintenance.enabled) {
      annotations["golive.dev/maintenance"] = "true";
      annotations["nginx.ingress.kubernetes.io/custom-http-errors"] = "503";
      // Everything but the health endpoint goes to a page that answers 503.
      this.workload(
        {
          name: "maintenance",
          component: "maintenance",
          image: "nginxinc/nginx-unprivileged:1.27",
          env: {},
          secretEnv: {},
          ports: [{ name: "http", port: 8080, public: false }],
          volumes: [],
          files: [
            {
              path: "/etc/nginx/conf.d/default.conf",
              content: `server { listen 8080; location / { default_type text/plain; return 503 ${JSON.stringify(spec.maintenance.message)}; } }\n`,
              secret: false,
            },
          ],
          healthCheck: {
            command: ["true"],
            intervalSeconds: 10,
            timeoutSeconds: 2,
            retries: 3,
            startPeriodSeconds: 1,
          },
          resources: {
            requests: { cpu: "10m", memory: "16Mi" },
            limits: { cpu: "100m", memory: "64Mi" },
          },
          replicas: 1,
          startOrder: 95,
          stateful: false,
          labels: {},
        },
        [],
        parent,
      );
      routes = [
        ...spec.routes.map((r) => ({ ...r, pathPrefix: g.healthPath })).slice(0, 1),
        ...spec.routes.map((r) => ({ ...r, service: "maintenance", port: 8080 })),
      ];
    }
    new k8s.networking.v1.Ingress(
      `${this.ctx.prefix}-gateway`,
      {
        metadata: {
          name: "gateway",
          namespace: ns,
          annotations,
          labels: {
            "app.kubernetes.io/name": "gateway",
            "app.kubernetes.io/component": "gateway",
            "app.kubernetes.io/part-of": this.ctx.partOf,
            "app.kubernetes.io/managed-by": "golive",
          },
        },
        spec: {
          ingressClassName: g.ingressClassName,
          tls: [{ hosts: [g.domain], secretName }],
          rules: [
            {
              host: g.domain,
              http: {
                paths: routes.map((r) => ({
                  path: r.pathPrefix,
                  pathType: "Prefix",
                  backend: { service: { name: r.service, port: { number: r.port } } },
                })),
              },
            },
          ],
        },
      },
      opts,
    );
  }
}

export interface KubernetesWorkloadArgs {
  readonly spec: WorkloadSpec;
  readonly context: RuntimeContext;
  readonly namespace: pulumi.Input<string>;
}

/** One workload on Kubernetes. */
export class KubernetesWorkload extends pulumi.ComponentResource {
  public readonly controller: k8s.apps.v1.Deployment | k8s.apps.v1.StatefulSet | k8s.batch.v1.Job;
  /** The Service in front of it (none for jobs). */
  public readonly service?: k8s.core.v1.Service;

  constructor(name: string, args: KubernetesWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    super("golive:kubernetes:Workload", name, {}, opts);
    const { spec, context, namespace } = args;
    const split = splitForKubernetes(standardLabels(context, spec));
    const labels = split.labels;
    // The secrets' lengths travel beside them, never their values (secrets-enforce-min-length).
    const lengths = secretLengths(spec.secretEnv);
    const annotations: Record<string, pulumi.Input<string>> = {
      ...split.annotations,
      ...(lengths !== undefined ? { [label.secretLengths]: lengths } : {}),
    };
    const selector = {
      [label.name]: spec.name,
      [label.instance]: labels[label.instance],
    };
    const childOpts = { parent: this };
    const meta = (suffix: string) => ({
      name: `${spec.name}${suffix}`,
      namespace,
      labels,
      annotations,
    });

    const secretKeys = Object.keys(spec.secretEnv).sort();
    const secret =
      secretKeys.length > 0
        ? new k8s.core.v1.Secret(
            `${name}-env`,
            {
              metadata: meta("-env"),
              type: "Opaque",
              stringData: Object.fromEntries(secretKeys.map((k) => [k, spec.secretEnv[k]])),
            },
            childOpts,
          )
        : undefined;

    const plainFiles = spec.files.filter((f) => !f.secret);
    const secretFiles = spec.files.filter((f) => f.secret);
    const fileKey = (path: string) => path.replace(/^\//, "").replace(/[^A-Za-z0-9._-]/g, "_");
    const configMap =
      plainFiles.length > 0
        ? new k8s.core.v1.ConfigMap(
            `${name}-files`,
            {
              metadata: meta("-files"),
              data: Object.fromEntries(plainFiles.map((f) => [fileKey(f.path), f.content])),
            },
            childOpts,
          )
        : undefined;
    const fileSecret =
      secretFiles.length > 0
        ? new k8s.core.v1.Secret(
            `${name}-secret-files`,
            {
              metadata: meta("-secret-files"),
              stringData: Object.fromEntries(secretFiles.map((f) => [fileKey(f.path), f.content])),
            },
            childOpts,
          )
        : undefined;

    const firstPort = spec.ports[0]?.port;
    const probe = spec.healthCheck && k8sProbe(spec.healthCheck, firstPort);
    const volumeMounts: k8s.types.input.core.v1.VolumeMount[] = [
      ...spec.volumes.map((v) => ({ name: v.name, mountPath: v.mountPath })),
      ...plainFiles.map((f) => ({ name: "files", mountPath: f.path, subPath: fileKey(f.path) })),
      ...secretFiles.map((f) => ({
        name: "secret-files",
        mountPath: f.path,
        subPath: fileKey(f.path),
        readOnly: true,
      })),
    ];
    const volumes: k8s.types.input.core.v1.Volume[] = [];
    if (configMap) {
      volumes.push({ name: "files", configMap: { name: configMap.metadata.name } });
    }
    if (fileSecret) {
      volumes.push({
        name: "secret-files",
        secret: { secretName: fileSecret.metadata.name, defaultMode: 0o400 },
      });
    }

    const user = spec.securityContext?.runAsUser ?? spec.kubernetes?.runAsUser ?? defaultRunAsUser;
    const privileged = spec.securityContext?.privileged ?? false;
    const container: k8s.types.input.core.v1.Container = {
      name: spec.name,
      image: spec.image,
      // The image's entrypoint stays unless the workload replaces it (as on Docker).
      command: spec.entrypoint ? [...spec.entrypoint] : undefined,
      args: spec.command ? [...spec.command] : undefined,
      ports: spec.ports.map((p) => ({ name: p.name.slice(0, 15), containerPort: p.port })),
      env: [
        ...Object.keys(spec.env)
          .sort()
          .map((k) => ({ name: k, value: spec.env[k] })),
        ...secretKeys.map((k) => ({
          name: k,
          valueFrom: { secretKeyRef: { name: `${spec.name}-env`, key: k } },
        })),
      ],
      resources: {
        // Kubernetes defaults requests to limits; golive says so explicitly, so that the
        // scheduler's view is in the manifest and the policy pack can read it.
        requests: (spec.resources.requests ?? spec.resources.limits) && {
          ...(spec.resources.requests ?? spec.resources.limits),
        },
        limits: spec.resources.limits && {
          ...spec.resources.limits,
          ...(spec.gpu ? { "nvidia.com/gpu": String(spec.gpu.count) } : {}),
        },
      },
      livenessProbe: probe && {
        ...probe,
        initialDelaySeconds: spec.healthCheck?.startPeriodSeconds,
      },
      readinessProbe: probe,
      volumeMounts,
      // Kubernetes refuses privileged with allowPrivilegeEscalation false: a privileged container
      // (the spec's securityContext) gets only that, for the policy pack to judge.
      securityContext: privileged
        ? { privileged: true }
        : {
            allowPrivilegeEscalation: false,
            privileged: false,
            capabilities: { drop: ["ALL"] },
          },
    };
    const podSpec: k8s.types.input.core.v1.PodSpec = {
      containers: [container],
      volumes,
      securityContext: {
        // runAsNonRoot with UID 0 would only stop the kubelet from starting the pod; without it,
        // the policy pack sees the root user the spec asks for.
        ...(user !== 0 ? { runAsNonRoot: true } : {}),
        runAsUser: user,
        fsGroup: user,
        seccompProfile: { type: "RuntimeDefault" },
      },
      automountServiceAccountToken: false,
      topologySpreadConstraints:
        spec.replicas > 1
          ? [
              {
                maxSkew: 1,
                topologyKey: "kubernetes.io/hostname",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: selector },
              },
            ]
          : undefined,
    };
    const template = { metadata: { labels, annotations }, spec: podSpec };
    const dependsOn = [secret, configMap, fileSecret].filter(
      (r): r is k8s.core.v1.Secret | k8s.core.v1.ConfigMap => r !== undefined,
    );

    if (spec.job) {
      // Runs once to completion; the provider waits for the Job to succeed before dependants start.
      this.controller = new k8s.batch.v1.Job(
        `${name}-job`,
        {
          metadata: { name: spec.name, namespace, labels, annotations },
          spec: {
            backoffLimit: 0,
            template: { metadata: { labels }, spec: { ...podSpec, restartPolicy: "Never" } },
          },
        },
        { ...childOpts, dependsOn },
      );
      this.registerOutputs({});
      return;
    }

    this.service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: { name: spec.name, namespace, labels, annotations },
        spec: {
          selector,
          clusterIP: spec.stateful ? "None" : undefined,
          ports: spec.ports.map((p) => ({
            name: p.name.slice(0, 15),
            port: p.port,
            targetPort: p.port,
          })),
        },
      },
      childOpts,
    );

    if (spec.stateful) {
      this.controller = new k8s.apps.v1.StatefulSet(
        `${name}-statefulset`,
        {
          metadata: { name: spec.name, namespace, labels, annotations },
          spec: {
            serviceName: spec.name,
            replicas: spec.replicas,
            selector: { matchLabels: selector },
            template,
            volumeClaimTemplates: spec.volumes.map((v) => ({
              metadata: { name: v.name, labels },
              spec: {
                accessModes: ["ReadWriteOnce"],
                resources: { requests: { storage: `${v.sizeGb}Gi` } },
              },
            })),
            persistentVolumeClaimRetentionPolicy: {
              whenDeleted: spec.volumes.some((v) => keepsOnDestroy(context, v))
                ? "Retain"
                : "Delete",
              whenScaled: "Retain",
            },
          },
        },
        { ...childOpts, dependsOn },
      );
    } else {
      const claims = spec.volumes.map(
        (v) =>
          new k8s.core.v1.PersistentVolumeClaim(
            `${name}-${v.name}`,
            {
              metadata: meta(`-${v.name}`),
              spec: {
                accessModes: ["ReadWriteOnce"],
                resources: { requests: { storage: `${v.sizeGb}Gi` } },
              },
            },
            { ...childOpts, retainOnDelete: keepsOnDestroy(context, v) },
          ),
      );
      podSpec.volumes = [
        ...volumes,
        ...spec.volumes.map((v, i) => ({
          name: v.name,
          persistentVolumeClaim: { claimName: claims[i].metadata.name },
        })),
      ];
      this.controller = new k8s.apps.v1.Deployment(
        `${name}-deployment`,
        {
          metadata: { name: spec.name, namespace, labels, annotations },
          spec: {
            replicas: spec.replicas,
            selector: { matchLabels: selector },
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
            template,
          },
        },
        { ...childOpts, dependsOn: [...dependsOn, ...claims] },
      );
    }

    if (spec.replicas > 1) {
      new k8s.policy.v1.PodDisruptionBudget(
        `${name}-pdb`,
        {
          metadata: { name: spec.name, namespace, labels, annotations },
          spec: {
            minAvailable: Math.max(1, spec.replicas - 1),
            selector: { matchLabels: selector },
          },
        },
        childOpts,
      );
    }
    this.registerOutputs({ service: this.service.metadata.name });
  }
}
