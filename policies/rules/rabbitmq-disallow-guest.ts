import type { ResourceValidationPolicy } from "@pulumi/policy";
import { carriesFiles, filesOf, isWorkloadResource, labelsOf } from "../lib/resources";

/** No guest user: it must not exist among the users, and may log in from loopback only. */
export const rabbitmqDisallowGuest: ResourceValidationPolicy = {
  name: "rabbitmq-disallow-guest",
  description: "RabbitMQ has no guest user reachable from the network.",
  severity: "critical",
  tags: ["data", "secrets"],
  remediationSteps: "Do not define a user named guest; keep loopback_users.guest = true.",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  validateResource: (args, reportViolation) => {
    const labels = labelsOf(args.type, args.props);
    if (!("golive.dev/rabbitmq-version" in labels)) return;
    if (
      isWorkloadResource(args.type, args.props) &&
      (labels["golive.dev/rabbitmq-users"] ?? "").split(",").includes("guest")
    ) {
      reportViolation("RabbitMQ defines a user named guest.");
    }
    if (!carriesFiles(args.type, args.props)) return;
    const conf = filesOf(args.type, args.props).find((f) =>
      /load_definitions|loopback_users/.test(f.content),
    );
    if (!conf || !/loopback_users\.guest\s*=\s*true/.test(conf.content)) {
      reportViolation(
        "rabbitmq.conf does not restrict guest to loopback (loopback_users.guest = true).",
      );
    }
  },
};
