import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { label } from "../../policies/lib/contract";
import {
  gatewayReplicas,
  gatewayServiceType,
  type GatewaySpec,
  type ServiceSpec,
} from "../config/spec";
import type { BlueGreenFacts } from "../facts";
import { colourWorkload } from "../release/bluegreen";
import { workload, type Runtime, type Workload } from "../runtime/workload";
import { caddyProxy, type Maintenance, type ProxyWorkload, type Route } from "./caddy";
import { colourWeights, haproxyProxy, haproxySwitchScript } from "./haproxy";

export interface GatewayArgs {
  /** The validated gateway spec. */
  readonly spec: GatewaySpec;
  /** The environment's services, to route the public ones. */
  readonly services: Readonly<Record<string, ServiceSpec>>;
  /** The runtime: an Ingress where it offers one, otherwise a proxy workload. */
  readonly runtime: Runtime;
  /** The workloads the gateway routes to (it starts after them). */
  readonly upstreams: readonly Workload[];
  /** Reads the TLS key of tls.source "file". Defaults to `new pulumi.Config("golive")`. */
  readonly config?: pulumi.Config;
  /** Prefix for images (registry or mirror). Defaults to none. */
  readonly imageRegistry?: string;
  /** Blue/green services: the active colour and each colour's weight. Defaults to none. */
  readonly colours?: Readonly<Record<string, BlueGreenFacts>>;
  /** Maintenance mode. Defaults to off. */
  readonly maintenance?: Maintenance;
  /** The tier, for the Kubernetes gateway's defaults (Service type, replicas). Defaults to production. */
  readonly tier?: "dev" | "staging" | "production";
}

/**
 * The hash of what the gateway's config says: its generated files' text and the certificate the
 * spec supplies (the key changes with it). Files mounted from a ConfigMap by subPath never change
 * in a running pod, so on Kubernetes this, in the pod template, is what rolls the gateway.
 */
export function gatewayConfigHash(g: GatewaySpec, files: ProxyWorkload["files"]): string {
  const h = crypto.createHash("sha256");
  for (const f of files ?? []) {
    if (typeof f.content === "string") h.update(`${f.path}\0${f.content}\0`);
  }
  if (g.tls.source === "file") h.update(g.tls.certificate);
  return h.digest("hex").slice(0, 16);
}

/** The routes of a gateway: the spec's, or "/" for the first public service and "/<name>" for the rest. */
export function gatewayRoutes(
  g: GatewaySpec,
  services: Readonly<Record<string, ServiceSpec>>,
): { pathPrefix: string; service: string; port: number }[] {
  const publicPort = (svc: string) => services[svc]?.ports.find((p) => p.public)?.port;
  const explicit = g.routes
    ? Object.entries(g.routes).map(([pathPrefix, service]) => ({ pathPrefix, service }))
    : Object.keys(services)
        .sort()
        .filter((s) => publicPort(s) !== undefined)
        .map((service, i) => ({ pathPrefix: i === 0 ? "/" : `/${service}`, service }));
  return explicit.map((r) => ({
    ...r,
    port: publicPort(r.service) ?? services[r.service]?.ports[0]?.port ?? 80,
  }));
}

/** The proxy's routes: each route's upstreams, a blue/green service's two colours with their weights. */
export function proxiedRoutes(
  routes: readonly { pathPrefix: string; service: string; port: number }[],
  colours: Readonly<Record<string, BlueGreenFacts>>,
): Route[] {
  return routes.map((r) => ({
    pathPrefix: r.pathPrefix,
    upstreams: colours[r.service]
      ? (["blue", "green"] as const).map((colour) => ({
          address: `${colourWorkload(r.service, colour)}:${r.port}`,
          weight: colours[r.service].weights[colour],
          colour,
        }))
      : [{ address: `${r.service}:${r.port}`, weight: 100 }],
  }));
}

/** The workload a proxy gateway runs (HTTP and HTTPS; spec `hostPorts.gateway` publishes them). */
export function gatewayWorkloads() {
  return {
    gateway: {
      name: "gateway",
      ports: [
        { name: "http", port: 80, public: true },
        { name: "https", port: 443, public: true },
      ],
    },
  } as const;
}

/** The facts the policy pack reads off the gateway: domain, maintenance, TLS source and expiry, CORS. */
export function gatewayLabels(
  g: GatewaySpec,
  maintenance: Maintenance,
  notAfter: string | undefined,
): Record<string, string> {
  return {
    [label.gatewayDomain]: g.domain,
    [label.maintenance]: String(maintenance.enabled),
    [label.tlsSource]: g.tls.source,
    ...(notAfter ? { [label.tlsNotAfter]: notAfter } : {}),
    ...(g.cors.origins.length > 0 ? { [label.corsOrigins]: g.cors.origins.join(" ") } : {}),
  };
}

/** The certificate's expiry (ISO date) when the spec supplies the certificate itself. */
export function certificateNotAfter(g: GatewaySpec): string | undefined {
  if (g.tls.source !== "file") {
    return undefined;
  }
  return new Date(new crypto.X509Certificate(g.tls.certificate).validTo).toISOString();
}

/**
 * The environment's TLS entry point: a Caddy or HAProxy workload with the generated Caddyfile or
 * haproxy.cfg, TLS, CORS, rate limiting, compression and the health endpoint routed, on every
 * runtime (on Kubernetes a Deployment behind a LoadBalancer, NodePort or ClusterIP Service); or,
 * on Kubernetes with `gateway.kubernetes.mode: ingress`, an Ingress (TLS, CORS, rate limits and
 * compression as ingress-nginx annotations) for the cluster's controller.
 */
export class Gateway extends pulumi.ComponentResource {
  public readonly workload?: Workload;
  /** The blue/green switch (HAProxy's runtime API, run inside the gateway), when there are colours. */
  public readonly switch?: pulumi.Resource[];

  constructor(name: string, args: GatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("golive:gateway:Gateway", name, {}, opts);
    const g = args.spec;
    const config = args.config ?? new pulumi.Config("golive");
    const routes = gatewayRoutes(g, args.services);
    const notAfter = certificateNotAfter(g);
    const tlsKey = g.tls.source === "file" ? config.requireSecret(g.tls.keyConfig) : undefined;

    const colours = args.colours ?? {};
    const maintenance = args.maintenance ?? { enabled: false, message: "" };
    if (args.runtime.ingress && g.kubernetes.mode === "ingress") {
      // An Ingress switches colours by pointing the route at the active colour's Service.
      const switched = routes.map((r) =>
        colours[r.service]
          ? { ...r, service: colourWorkload(r.service, colours[r.service].active) }
          : r,
      );
      args.runtime.ingress(
        {
          gateway: g,
          routes: switched,
          tlsKey,
          notAfter,
          maintenance,
          imageRegistry: args.imageRegistry,
        },
        this,
      );
      this.registerOutputs({});
      return;
    }

    // On Kubernetes the same proxy as elsewhere, as a Deployment behind a Service of the spec's
    // type; the colours' weights are in its config, which rolls it (no runtime API to reach).
    const onKubernetes = args.runtime.kind === "kubernetes";
    const tier = args.tier ?? "production";
    const proxied = proxiedRoutes(routes, colours);
    const proxy = (g.proxy === "caddy" ? caddyProxy : haproxyProxy)(
      g,
      proxied,
      maintenance,
      tlsKey,
      onKubernetes ? "kubernetes" : "container",
    );
    this.workload = args.runtime.workload(
      workload({
        ...gatewayWorkloads().gateway,
        component: "gateway",
        image: `${args.imageRegistry ?? ""}${proxy.image}`,
        command: proxy.command,
        volumes: proxy.volumes,
        docker: proxy.docker,
        files: proxy.files,
        ...(onKubernetes
          ? {
              replicas: gatewayReplicas(g, tier),
              kubernetes: {
                ...proxy.kubernetes,
                service: { type: gatewayServiceType(g, tier), nodePorts: g.kubernetes.nodePorts },
                podAnnotations: { [label.configHash]: gatewayConfigHash(g, proxy.files) },
              },
            }
          : {}),
        healthCheck: {
          path: `${g.healthPath}/gateway`,
          port: 8081,
          intervalSeconds: 5,
          timeoutSeconds: 3,
          retries: 5,
          startPeriodSeconds: 5,
        },
        resources: {
          requests: { cpu: "100m", memory: "64Mi" },
          limits: { cpu: "1", memory: "256Mi" },
        },
        startOrder: 90,
        labels: gatewayLabels(g, maintenance, notAfter),
        lxc: proxy.lxc ?? { packages: [proxy.package], systemdService: g.proxy },
      }),
      args.upstreams,
      this,
    );
    const switched = g.proxy === "haproxy" && !onKubernetes ? colourWeights(proxied) : [];
    if (switched.length > 0) {
      if (!args.runtime.exec) {
        throw new pulumi.ResourceError(
          `blue/green needs a runtime that runs commands in the gateway; ${args.runtime.kind} has none`,
          this,
        );
      }
      // After the gateway is ready, which is after both colours are (its upstreams): a green that
      // fails its health check stops the `up` before any weight changes.
      this.switch = args.runtime.exec(
        { name: "switch", workload: this.workload, script: haproxySwitchScript(switched) },
        this,
      );
    }
    this.registerOutputs({ domain: g.domain });
  }
}
