import type { ResourceValidationPolicy } from "@pulumi/policy";
import { labelsOf } from "../lib/resources";
import { today } from "../lib/waivers";

interface Config {
  minDaysValid: number;
}

/** A certificate the customer supplies still has at least 30 days to run at go-live. */
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
    const notAfter = labelsOf(args.type, args.props)["golive.dev/tls-not-after"];
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
