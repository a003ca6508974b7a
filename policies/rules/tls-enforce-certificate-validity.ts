import { X509Certificate } from "node:crypto";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { label } from "../lib/contract";
import { k8sSecret } from "../lib/kinds";
import { labelsOf, read, isKnown } from "../lib/workloads";
import { today } from "../lib/waivers";

interface Config {
  minDaysValid: number;
}

/** The expiry of a Kubernetes TLS Secret's certificate (data is base64, stringData plain). */
function secretNotAfter(props: Record<string, any>): string | undefined {
  // an ISO date, or "unknown" / "unreadable"
  const type = read(() => props.type as string | undefined);
  if (!isKnown(type)) return "unknown";
  if (type !== "kubernetes.io/tls") return undefined;
  const b64 = read(() => props.data?.["tls.crt"] as string | undefined);
  const plain = read(() => props.stringData?.["tls.crt"] as string | undefined);
  if (!isKnown(b64) || !isKnown(plain)) return "unknown";
  const pem = plain ?? (b64 ? Buffer.from(b64, "base64").toString("utf8") : undefined);
  if (!pem) return "unknown";
  try {
    return new Date(new X509Certificate(pem).validTo).toISOString();
  } catch {
    return "unreadable";
  }
}

/**
 * A certificate the customer supplies still has at least 30 days to run at go-live: the one
 * golive's gateway records, and the certificate of any Kubernetes TLS Secret (read from the
 * certificate itself).
 */
export const tlsEnforceCertificateValidity: ResourceValidationPolicy = {
  name: "tls-enforce-certificate-validity",
  description: "Supplied TLS certificates do not expire within the configured number of days (30).",
  severity: "high",
  tags: ["network"],
  remediationSteps:
    "Renew the certificate and update `gateway.tls.certificate`, or switch to ACME.",
  url: "https://golive.dev/checklists#002_3edfb88dbd4090f7.txt",
  configSchema: { properties: { minDaysValid: { type: "integer", default: 30, minimum: 0 } } },
  validateResource: (args, reportViolation) => {
    let notAfter: string | undefined = labelsOf(args.type, args.props)[label.tlsNotAfter];
    if (args.type === k8sSecret) {
      const found = secretNotAfter(args.props);
      if (found === "unknown") {
        reportViolation(
          `TLS Secret ${args.name}: its certificate is unknown at preview, so its expiry cannot be checked.`,
        );
        return;
      }
      if (found === "unreadable") {
        reportViolation(`TLS Secret ${args.name}: tls.crt is not a readable PEM certificate.`);
        return;
      }
      notAfter = found ?? notAfter;
    }
    if (!notAfter) return;
    const { minDaysValid } = args.getConfig<Config>();
    const days = Math.floor(
      (Date.parse(notAfter) - Date.parse(`${today()}T00:00:00Z`)) / 86_400_000,
    );
    if (days < minDaysValid) {
      reportViolation(
        `The TLS certificate expires on ${notAfter.slice(0, 10)} (${days} days); at least ${minDaysValid} days are required.`,
      );
    }
  },
};
