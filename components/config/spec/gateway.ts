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

export const gatewaySpec = z
  .object({
    /** The public host name (e.g. "erp.customer.example"). */
    domain: z.string().regex(/^[a-z0-9.-]+$/, "a host name"),
    /** The proxy on Docker and LXC; Kubernetes uses an Ingress. Blue/green needs haproxy. */
    proxy: z.enum(["caddy", "haproxy"]).default("caddy"),
    /** Image of the proxy (Docker). Defaults to caddy:2.8 or haproxy:2.6. */
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
    /** Kubernetes: the IngressClass. */
    ingressClassName: z.string().default("nginx"),
  })
  .strict();

export type GatewaySpec = z.output<typeof gatewaySpec>;
