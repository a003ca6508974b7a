import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isWorkloadResource, labelsOf } from "../lib/resources";

interface Config {
  minimum: string;
}

function compare(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** RabbitMQ 3.12 or later (quorum queues by default, classic mirroring gone), as the PSA checklist demands. */
export const rabbitmqEnforceMinVersion: ResourceValidationPolicy = {
  name: "rabbitmq-enforce-min-version",
  description: "RabbitMQ runs the configured minimum version (3.12) or later.",
  severity: "high",
  tags: ["data"],
  remediationSteps: 'Set `rabbitmq.version` to "3.12" or later.',
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  configSchema: { properties: { minimum: { type: "string", default: "3.12" } } },
  validateResource: (args, reportViolation) => {
    if (!isWorkloadResource(args.type, args.props)) return;
    const version = labelsOf(args.type, args.props)["golive.dev/rabbitmq-version"];
    if (version === undefined) return;
    const { minimum } = args.getConfig<Config>();
    if (compare(version, minimum) < 0)
      reportViolation(`RabbitMQ ${version} is older than ${minimum}.`);
  },
};
