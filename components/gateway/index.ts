import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import type { GatewaySpec, ServiceSpec } from "../config/spec";
import type { BlueGreenFacts } from "../facts";
import { colourWorkload } from "../release/bluegreen";
import { workload, type Runtime, type Workload, type WorkloadFile } from "../runtime/workload";
import { caddyfile, type Maintenance, type Route } from "./caddy";
import {
  haproxyBackendName,
  haproxyCfg,
  haproxyCfgPath,
  haproxyServerName,
  haproxySwitchScript,
  type ServerWeight,
} from "./haproxy";

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

/** The certificate's expiry (ISO date) when the spec supplies the certificate itself. */
export function certificateNotAfter(g: GatewaySpec): string | undefined {
  if (g.tls.source !== "file") {
    return undefined;
  }
  return new Date(new crypto.X509Certificate(g.tls.certificate).validTo).toISOString();
}

/**
 * The environment's TLS entry point. On Kubernetes an Ingress (TLS, CORS, rate limits and
 * compression as ingress-nginx annotations); on Docker and LXC a Caddy or HAProxy workload with
 * the generated Caddyfile or haproxy.cfg, TLS, CORS, rate limiting, compression and the health
 * endpoint routed.
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
    if (args.runtime.ingress) {
      // Kubernetes switches colours by pointing the route at the active colour's Service.
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

    const proxied: Route[] = routes.map((r) => ({
      pathPrefix: r.pathPrefix,
      upstreams: colours[r.service]
        ? [
            {
              address: `${colourWorkload(r.service, "blue")}:${r.port}`,
              weight: colours[r.service].weights.blue,
            },
            {
              address: `${colourWorkload(r.service, "green")}:${r.port}`,
              weight: colours[r.service].weights.green,
            },
          ]
        : [{ address: `${r.service}:${r.port}`, weight: 100 }],
    }));
    // HAProxy's file carries no colour weight (0: no traffic until the switch sets it), so a switch
    // changes nothing the runtime would replace the gateway for; the switch sets them live.
    const switched: ServerWeight[] = [];
    const configured: Route[] = proxied.map((r, i) =>
      colours[routes[i].service]
        ? {
            ...r,
            upstreams: r.upstreams.map((u) => {
              switched.push({
                backend: haproxyBackendName(r),
                server: haproxyServerName(u.address),
                weight: u.weight,
              });
              return { ...u, weight: 0 };
            }),
          }
        : r,
    );
    const files: WorkloadFile[] = [];
    let image: string;
    let command: string[] | undefined;
    if (g.proxy === "caddy") {
      image = g.image ?? "caddy:2.8";
      files.push({
        path: "/etc/caddy/Caddyfile",
        content: caddyfile(g, proxied, maintenance),
        secret: false,
      });
      if (g.tls.source === "file") {
        files.push({ path: "/etc/golive/tls/cert.pem", content: g.tls.certificate, secret: false });
        files.push({ path: "/etc/golive/tls/key.pem", content: tlsKey!, secret: true });
      }
    } else {
      image = g.image ?? "haproxy:2.6";
      files.push({
        path: haproxyCfgPath,
        content: haproxyCfg(g, configured, maintenance),
        secret: false,
      });
      if (g.tls.source === "file") {
        const cert = g.tls.certificate;
        files.push({
          path: "/etc/golive/tls/gateway.pem",
          content: pulumi.interpolate`${cert.trim()}\n${tlsKey!}`,
          secret: true,
        });
      } else {
        // tls.source "internal": a self-signed certificate made at first start, kept in the volume.
        command = [
          "sh",
          "-c",
          "mkdir -p /run/haproxy /etc/golive/tls && " +
            "(test -s /etc/golive/tls/gateway.pem || (openssl req -x509 -newkey rsa:2048 -nodes -days 90 " +
            `-subj /CN=${g.domain} -keyout /tmp/k.pem -out /tmp/c.pem && ` +
            "cat /tmp/c.pem /tmp/k.pem > /etc/golive/tls/gateway.pem && rm /tmp/k.pem /tmp/c.pem)) && " +
            `exec haproxy -W -db -f ${haproxyCfgPath}`,
        ];
      }
    }
    const labels: Record<string, string> = {
      "golive.dev/gateway-domain": g.domain,
      "golive.dev/maintenance": String(maintenance.enabled),
    };
    labels["golive.dev/tls-source"] = g.tls.source;
    if (notAfter) {
      labels["golive.dev/tls-not-after"] = notAfter;
    }
    if (g.cors.origins.length > 0) {
      labels["golive.dev/cors-origins"] = g.cors.origins.join(" ");
    }
    this.workload = args.runtime.workload(
      workload({
        ...gatewayWorkloads().gateway,
        component: "gateway",
        image: `${args.imageRegistry ?? ""}${image}`,
        command,
        // Caddy's image runs as root: golive runs it as 10001, which owns its state (Docker lets
        // containers bind 80 and 443 unprivileged). HAProxy's image runs as haproxy (its USER).
        volumes:
          g.proxy === "caddy"
            ? [
                { name: "data", mountPath: "/data", sizeGb: 1, retain: true, owner: "10001" },
                { name: "config", mountPath: "/config", sizeGb: 1, retain: false, owner: "10001" },
              ]
            : [{ name: "data", mountPath: "/data", sizeGb: 1, retain: true }],
        docker: { user: g.proxy === "caddy" ? "10001" : "image" },
        files,
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
        labels,
        lxc: { packages: [g.proxy === "caddy" ? "caddy" : "haproxy"], systemdService: g.proxy },
      }),
      args.upstreams,
      this,
    );
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
