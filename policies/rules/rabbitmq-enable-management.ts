import type { ResourceValidationPolicy } from "@pulumi/policy";
import { filesOf, carriesFiles, labelsOf } from "../lib/resources";

/** The management plugin is on (operators need its UI and API on go-live day). */
export const rabbitmqEnableManagement: ResourceValidationPolicy = {
  name: "rabbitmq-enable-management",
  description: "RabbitMQ enables the rabbitmq_management plugin.",
  severity: "medium",
  tags: ["data", "monitoring"],
  remediationSteps: "Keep rabbitmq_management in `rabbitmq.plugins`.",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  validateResource: (args, reportViolation) => {
    if (!carriesFiles(args.type, args.props)) return;
    if (!("golive.dev/rabbitmq-version" in labelsOf(args.type, args.props))) return;
    const plugins = filesOf(args.type, args.props).find(
      (f) => /enabled_plugins$/.test(f.path) || /^\[.*\]\.\s*$/s.test(f.content),
    );
    if (!plugins || !/\brabbitmq_management\b/.test(plugins.content)) {
      reportViolation("RabbitMQ's enabled_plugins does not include rabbitmq_management.");
    }
  },
};
