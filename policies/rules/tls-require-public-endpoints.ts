import type { ResourceValidationPolicy } from "@pulumi/policy";
import { label, role } from "../lib/contract";
import { dockerContainer, isPodKind, k8sIngress, k8sService } from "../lib/kinds";
import { known } from "../lib/unknowns";
import { unknownAtPreview } from "../lib/gate";
import { isKnown, labelsOf, read } from "../lib/workloads";

/**
 * Every public endpoint speaks TLS: an Ingress covers each of its hosts with a TLS entry; a
 * gateway (a container, a Kubernetes controller, the Service publishing it) declares its
 * certificate source; nothing but the gateway's 80 and 443 is published beyond loopback (Docker
 * ports, Kubernetes LoadBalancer/NodePort Services).
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
    if (args.type === k8sIngress) {
      const hosts = read(() =>
        ((p.spec?.rules ?? []) as { host?: string }[]).map((r) => r.host ?? "*"),
      );
      const tls = read(() =>
        ((p.spec?.tls ?? []) as { hosts?: string[] }[]).flatMap((t) => t.hosts ?? []),
      );
      if (!isKnown(hosts) || !isKnown(tls)) {
        reportViolation(unknownAtPreview(`Ingress ${args.name}`, "its hosts or TLS entries"));
        return;
      }
      for (const h of hosts) {
        if (!tls.includes(h)) reportViolation(`Ingress host ${h} has no TLS entry.`);
      }
      return;
    }
    if (args.type === k8sService) {
      const type = read(() => p.spec?.type as string | undefined);
      if (!isKnown(type)) {
        reportViolation(unknownAtPreview(`Service ${args.name}`, "its type"));
        return;
      }
      if (type !== "LoadBalancer" && type !== "NodePort") return;
      // golive's proxy gateway on Kubernetes: published, but only on the ports it terminates
      // TLS on (443) and redirects from (80), and only while it declares its certificate source.
      const labels = labelsOf(args.type, p);
      if (labels[label.component] !== role.gateway) {
        reportViolation(
          `Service ${args.name} is published as ${type}; route it through the TLS gateway.`,
        );
        return;
      }
      if (!labels[label.tlsSource]) {
        reportViolation(`The gateway's Service ${args.name} declares no TLS certificate source.`);
      }
      const ports = read(() => ((p.spec?.ports ?? []) as { port: number }[]).map((x) => x.port));
      if (!isKnown(ports) || ports.some((x) => !isKnown(x))) {
        reportViolation(unknownAtPreview(`Service ${args.name}`, "its ports"));
        return;
      }
      for (const port of ports.filter((x) => x !== 80 && x !== 443)) {
        reportViolation(
          `The gateway's Service ${args.name} publishes port ${port}; only 443 (TLS) and 80 (its redirect) may be published.`,
        );
      }
      return;
    }
    if (isPodKind(args.type)) {
      // The Kubernetes proxy gateway carries its facts on its controller, as a container does.
      const labels = labelsOf(args.type, p);
      if (labels[label.component] === role.gateway && !labels[label.tlsSource]) {
        reportViolation(`The gateway ${args.name} declares no TLS certificate source.`);
      }
      return;
    }
    if (args.type === dockerContainer) {
      const labels = labelsOf(args.type, p);
      const gateway = labels[label.component] === role.gateway;
      if (gateway && !labels[label.tlsSource]) {
        reportViolation("The gateway declares no TLS certificate source.");
      }
      const ports = read(() => (p.ports ?? []) as { internal: number; ip?: string }[]);
      if (!isKnown(ports)) {
        reportViolation(unknownAtPreview("the container", "its published ports"));
        return;
      }
      for (let i = 0; i < ports.length; i++) {
        const ip = read(() => ports[i].ip ?? "0.0.0.0");
        if (!isKnown(ip))
          reportViolation(unknownAtPreview("the container", "a published port's address"));
        else if (!gateway && !ip.startsWith("127.")) {
          reportViolation(
            `Port ${known(() => ports[i].internal)} is published on ${ip} without the TLS gateway.`,
          );
        }
      }
    }
  },
};
