/**
 * The gateway on Kubernetes as plain data: the Ingress (TLS, CORS, rate limits and compression as
 * ingress-nginx annotations, the routes) and, in maintenance mode, the workload of the page that
 * answers 503. Pure functions of the IngressSpec and the runtime context; the runtime registers
 * what they describe.
 */
import type * as input from "@pulumi/kubernetes/types/input";
import type * as pulumi from "@pulumi/pulumi";
import { label } from "../../../policies/lib/contract";
import type { RuntimeContext } from "../labels";
import type { IngressSpec, WorkloadSpec } from "../workload";

type Route = IngressSpec["routes"][number];

/** The name of the Secret the Ingress takes its certificate from. */
export function tlsSecretName(spec: IngressSpec): string {
  const tls = spec.gateway.tls;
  // "file": golive's own Secret; acme / internal: cert-manager fills it (annotation below).
  return tls.source === "secret" ? tls.secretName : "gateway-tls";
}

/** The TLS Secret golive writes when the spec supplies the certificate, else none. */
export function tlsSecretData(
  spec: IngressSpec,
): Record<"tls.crt" | "tls.key", pulumi.Input<string>> | undefined {
  const tls = spec.gateway.tls;
  return tls.source === "file"
    ? { "tls.crt": tls.certificate, "tls.key": spec.tlsKey! }
    : undefined;
}

/** The Ingress's annotations: ingress-nginx settings, cert-manager's issuer, golive's facts. */
export function ingressAnnotations(spec: IngressSpec): Record<string, string> {
  const g = spec.gateway;
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
    annotations[label.tlsNotAfter] = spec.notAfter;
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
    // golive records the request here and docs/kubernetes.md names the controller settings.
    annotations[label.compression] = [
      ...(g.compression.brotli ? ["br"] : []),
      ...(g.compression.gzip ? ["gzip"] : []),
    ].join(",");
  }
  if (spec.maintenance.enabled) {
    annotations[label.maintenance] = "true";
    annotations["nginx.ingress.kubernetes.io/custom-http-errors"] = "503";
  }
  return annotations;
}

/** The maintenance page's port. */
const maintenancePort = 8080;

/**
 * The routes: the spec's; in maintenance mode the health path to the first route's service and
 * everything else to the maintenance page.
 */
export function ingressRoutes(spec: IngressSpec): readonly Route[] {
  if (!spec.maintenance.enabled) {
    return spec.routes;
  }
  return [
    ...spec.routes.map((r) => ({ ...r, pathPrefix: spec.gateway.healthPath })).slice(0, 1),
    ...spec.routes.map((r) => ({ ...r, service: "maintenance", port: maintenancePort })),
  ];
}

/**
 * The page maintenance mode routes to: an unprivileged nginx answering 503 with the message, its
 * image pulled through the environment's registry like every other.
 */
export function maintenancePage(spec: IngressSpec): WorkloadSpec {
  return {
    name: "maintenance",
    component: "maintenance",
    image: `${spec.imageRegistry ?? ""}nginxinc/nginx-unprivileged:1.27`,
    env: {},
    secretEnv: {},
    ports: [{ name: "http", port: maintenancePort, public: false }],
    volumes: [],
    files: [
      {
        path: "/etc/nginx/conf.d/default.conf",
        content: `server { listen ${maintenancePort}; location / { default_type text/plain; return 503 ${JSON.stringify(spec.maintenance.message)}; } }\n`,
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
  };
}

/** The Ingress's labels: the gateway's standard ones. */
export function ingressLabels(ctx: RuntimeContext): Record<string, string> {
  return {
    "app.kubernetes.io/name": "gateway",
    "app.kubernetes.io/component": "gateway",
    "app.kubernetes.io/part-of": ctx.partOf,
    "app.kubernetes.io/managed-by": "golive",
  };
}

/** The Ingress's spec: TLS for the domain, one Prefix path per route. */
export function ingressSpec(spec: IngressSpec): input.networking.v1.IngressSpec {
  const g = spec.gateway;
  return {
    ingressClassName: g.ingressClassName,
    tls: [{ hosts: [g.domain], secretName: tlsSecretName(spec) }],
    rules: [
      {
        host: g.domain,
        http: {
          paths: ingressRoutes(spec).map((r) => ({
            path: r.pathPrefix,
            pathType: "Prefix",
            backend: { service: { name: r.service, port: { number: r.port } } },
          })),
        },
      },
    ],
  };
}
