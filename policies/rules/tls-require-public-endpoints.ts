import type { ResourceValidationPolicy } from "@pulumi/policy";
import { known } from "../lib/unknowns";
import { labelsOf } from "../lib/resources";

/**
 * Every public endpoint speaks TLS: an Ingress covers each of its hosts with a TLS entry; a
 * gateway declares its certificate source; nothing but the gateway is published beyond loopback
 * (Docker ports, Kubernetes LoadBalancer/NodePort Services).
 */
export const tlsRequirePublicEndpoints: ResourceValidationPolicy = {
  name: "tls-require-public-endpoints",
  description: "Public endpoints terminate TLS; only the TLS gateway is published.",
  severity: "critical",
  tags: ["network"],
  remediationSteps:
    "Expose services through `gateway` (TLS source acme, file, internal or a Kubernetes TLS secret).",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  validateResource: (args, reportViolation) => {
    const p = args.props;
    if (args.type === "kubernetes:networking.k8s.io/v1:Ingress") {
      const hosts =
        known(() => ((p.spec?.rules ?? []) as { host?: string }[]).map((r) => r.host ?? "*")) ?? [];
      const covered = new Set(
        known(() =>
          ((p.spec?.tls ?? []) as { hosts?: string[] }[]).flatMap((t) => t.hosts ?? []),
        ) ?? [],
      );
      for (const h of hosts) {
        if (!covered.has(h)) reportViolation(`Ingress host ${h} has no TLS entry.`);
      }
      return;
    }
    if (args.type === "kubernetes:core/v1:Service") {
      const type = known(() => p.spec?.type as string | undefined);
      if (type === "LoadBalancer" || type === "NodePort") {
        reportViolation(
          `Service ${args.name} is published as ${type}; route it through the TLS gateway.`,
        );
      }
      return;
    }
    if (args.type === "docker:index/container:Container") {
      const labels = labelsOf(args.type, p);
      const gateway = labels["app.kubernetes.io/component"] === "gateway";
      if (gateway && !labels["golive.dev/tls-source"]) {
        reportViolation("The gateway declares no TLS certificate source.");
      }
      for (const port of known(() => (p.ports ?? []) as { internal: number; ip?: string }[]) ??
        []) {
        const ip = known(() => port.ip) ?? "0.0.0.0";
        if (!gateway && !ip.startsWith("127.")) {
          reportViolation(
            `Port ${known(() => port.internal)} is published on ${ip} without the TLS gateway.`,
          );
        }
      }
    }
  },
};
