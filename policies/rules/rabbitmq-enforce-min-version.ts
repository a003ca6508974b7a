import type { ResourceValidationPolicy } from "@pulumi/policy";
import { subject, unknownAtPreview } from "../lib/gate";
import { compareVersions, runs, versionOf } from "../lib/identify";
import { isKnown, workloadsOf } from "../lib/workloads";

interface Config {
  minimum: string;
}

/**
 * RabbitMQ 3.12 or later (quorum queues by default, classic mirroring gone), as the PSA
 * checklist demands: the version from the image tag (rabbitmq:3.13-management), the Debian
 * package (rabbitmq-server=3.12.1-1) or golive's label.
 */
export const rabbitmqEnforceMinVersion: ResourceValidationPolicy = {
  name: "rabbitmq-enforce-min-version",
  description: "RabbitMQ runs the configured minimum version (3.12) or later.",
  severity: "high",
  tags: ["data"],
  remediationSteps: 'Set `rabbitmq.version` to "3.12" or later.',
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  configSchema: { properties: { minimum: { type: "string", default: "3.12" } } },
  validateResource: (args, reportViolation) => {
    const { minimum } = args.getConfig<Config>();
    for (const w of workloadsOf(args.type, args.props)) {
      if (!runs(w, "rabbitmq")) continue;
      const version = versionOf(w, "rabbitmq");
      if (!isKnown(version)) reportViolation(unknownAtPreview(subject(w), "the RabbitMQ version"));
      else if (version === undefined || !/^\d/.test(version))
        reportViolation(
          `${subject(w)}: the RabbitMQ version cannot be read (pin the image tag or package version).`,
        );
      else if (compareVersions(version, minimum) < 0)
        reportViolation(`${subject(w)}: RabbitMQ ${version} is older than ${minimum}.`);
    }
  },
};
