/** The gateway: the public host name, TLS, the proxy, CORS, rate limits, compression and routes. */
import { z } from "zod";
import { image, name, port } from "./common";

export const tlsSpec = z.discriminatedUnion("source", [
  /** Certificates from an ACME CA (Let's Encrypt), obtained by Caddy (Docker, LXC). */
  z.object({ source: z.literal("acme"), email: z.string().email() }).strict(),
  /** Caddy's internal CA or a self-signed certificate made at start (dev, tests). */
  z.object({ source: z.literal("internal") }).strict(),
  /**
   * A certificate the customer supplies: the PEM certificate in config (public), the PEM key
   * read from a secret config key.
   */
  z
    .object({
      source: z.literal("file"),
      certificate: z.string().includes("BEGIN CERTIFICATE", { message: "a PEM certificate" }),
      keyConfig: z.string().min(1),
    })
    .strict(),
  /** Kubernetes: an existing TLS Secret (e.g. issued by cert-manager). */
  z.object({ source: z.literal("secret"), secretName: name }).strict(),
]);

/** A node port in the cluster's default range (kube-apiserver `--service-node-port-range`). */
const nodePort = z
  .number()
  .int()
  .min(30000, "a node port in 30000-32767 (the default --service-node-port-range)")
  .max(32767, "a node port in 30000-32767 (the default --service-node-port-range)");

/**
 * The gateway on Kubernetes. mode "proxy" (the default): golive runs the same Caddy or HAProxy
 * workload as on Docker and LXC, as a Deployment (config in a ConfigMap, rolled when it changes),
 * behind a Service of `serviceType`; no controller is needed, blue/green weights really split.
 * mode "ingress": an Ingress for a controller the cluster runs (ingress-nginx annotations,
 * cert-manager issuers), which routes a blue/green service to its active colour only.
 */
export const gatewayKubernetesSpec = z
  .object({
    mode: z.enum(["proxy", "ingress"]).default("proxy"),
    /**
     * The proxy's Service. Defaults to LoadBalancer in staging and production, NodePort in dev
     * (`gatewayServiceType`).
     */
    serviceType: z.enum(["LoadBalancer", "NodePort", "ClusterIP"]).optional(),
    /** Fixed node ports for HTTP and HTTPS (NodePort, LoadBalancer). Defaults to the cluster's choice. */
    nodePorts: z
      .object({ http: nodePort.optional(), https: nodePort.optional() })
      .strict()
      .optional(),
    /** Proxy replicas. Defaults to 2 in staging and production, 1 in dev (`gatewayReplicas`). */
    replicas: z.number().int().min(1).optional(),
  })
  .strict();

export const gatewaySpec = z
  .object({
    /** The public host name (e.g. "erp.customer.example"). */
    domain: z.string().regex(/^[a-z0-9.-]+$/, "a host name"),
    /**
     * The proxy golive runs as the gateway: a container on Docker, a container on LXC, a
     * Deployment on Kubernetes (unless `kubernetes.mode` is "ingress"). Blue/green needs haproxy.
     */
    proxy: z.enum(["caddy", "haproxy"]).default("caddy"),
    /** Image of the proxy (Docker, Kubernetes). Defaults to caddy:2.8 or haproxy:2.6. */
    image: image.optional(),
    tls: tlsSpec,
    cors: z
      .object({
        origins: z
          .array(
            z.string().regex(/^https?:\/\/[^/]+$/, "an origin such as https://app.example.com"),
          )
          .default([]),
        methods: z.array(z.string()).default(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
        headers: z.array(z.string()).default(["Authorization", "Content-Type", "X-Requested-With"]),
      })
      .strict()
      .prefault({}),
    rateLimit: z
      .object({
        requestsPerSecond: z.number().int().min(1),
        windowSeconds: z.number().int().min(1).default(1),
      })
      .strict()
      .optional(),
    compression: z
      .object({
        gzip: z.boolean().default(true),
        zstd: z.boolean().default(true),
        brotli: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /** The health endpoint, routed to the apps; the gateway answers `<healthPath>/gateway` itself. */
    healthPath: z.string().startsWith("/").default("/health"),
    /** Path prefix to service; defaults to "/" for the first public service, "/<name>" for others. */
    routes: z.record(z.string().startsWith("/"), name).optional(),
    /** Docker only: publish the gateway's 80/443 on these 127.0.0.1 ports. */
    hostPorts: z.object({ http: port, https: port }).strict().optional(),
    /** Kubernetes, mode "ingress": the IngressClass. */
    ingressClassName: z.string().default("nginx"),
    /** Kubernetes only: how the gateway is deployed and published (see `gatewayKubernetesSpec`). */
    kubernetes: gatewayKubernetesSpec.prefault({}),
  })
  .strict();

export type GatewaySpec = z.output<typeof gatewaySpec>;
export type GatewayKubernetesSpec = z.output<typeof gatewayKubernetesSpec>;

/**
 * The Service type of a Kubernetes proxy gateway when the spec names none: LoadBalancer in
 * staging and production (the cloud's or MetalLB's address in front of the nodes), NodePort in
 * dev, where kind, k3d or a single-node cluster often has no load balancer and the provider would
 * wait for an address that never comes.
 */
export function gatewayServiceType(
  g: GatewaySpec,
  tier: "dev" | "staging" | "production",
): "LoadBalancer" | "NodePort" | "ClusterIP" {
  return g.kubernetes.serviceType ?? (tier === "dev" ? "NodePort" : "LoadBalancer");
}

/** The replicas of a Kubernetes proxy gateway when the spec names none: 1 in dev, else 2. */
export function gatewayReplicas(g: GatewaySpec, tier: "dev" | "staging" | "production"): number {
  return g.kubernetes.replicas ?? (tier === "dev" ? 1 : 2);
}
