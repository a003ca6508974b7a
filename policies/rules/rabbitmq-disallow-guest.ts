import type { StackValidationPolicy } from "@pulumi/policy";
import { label } from "../lib/contract";
import { configTexts, subject, unknownAtPreview } from "../lib/gate";
import { runs } from "../lib/identify";
import { running } from "../lib/stack";
import { isKnown } from "../lib/workloads";

const rabbitConf = /loopback_users|default_user|load_definitions|listeners\.tcp/;

/**
 * No guest user reachable from the network, on any RabbitMQ server: no user named guest among
 * golive's users or the default user, and guest either never created (a default user other than
 * guest) or restricted to loopback (`loopback_users.guest = true`). The official image's
 * defaults create guest and let it in from anywhere, so a server that states nothing fails.
 * Its rabbitmq.conf is read from the workload's files or the stack's ConfigMaps.
 */
export const rabbitmqDisallowGuest: StackValidationPolicy = {
  name: "rabbitmq-disallow-guest",
  description: "RabbitMQ has no guest user reachable from the network.",
  severity: "critical",
  tags: ["data", "secrets"],
  remediationSteps: "Do not define a user named guest; keep loopback_users.guest = true.",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  validateStack: (args, reportViolation) => {
    const shared = configTexts(args.resources).filter((t) => rabbitConf.test(t.content));
    for (const { resource, views } of running(args.resources)) {
      for (const w of views) {
        if (!runs(w, "rabbitmq")) continue;
        if ((w.labels[label.rabbitmqUsers] ?? "").split(",").includes("guest"))
          reportViolation(`${subject(w)}: RabbitMQ defines a user named guest.`, resource.urn);
        if (!isKnown(w.env)) {
          reportViolation(unknownAtPreview(subject(w), "the environment"), resource.urn);
          continue;
        }
        const defaultUser = w.env.vars.find((e) => e.name === "RABBITMQ_DEFAULT_USER");
        if (defaultUser && !isKnown(defaultUser.value)) {
          reportViolation(unknownAtPreview(subject(w), "RABBITMQ_DEFAULT_USER"), resource.urn);
          continue;
        }
        const own = w.files.filter((f) => rabbitConf.test(f.content));
        const confs = (own.length > 0 ? own : shared).map((f) => f.content).join("\n");
        const confUser = /^\s*default_user\s*=\s*(\S+)/m.exec(confs)?.[1];
        const user = (defaultUser?.value as string | undefined) ?? confUser;
        if (user === "guest") {
          reportViolation(`${subject(w)}: RabbitMQ's default user is guest.`, resource.urn);
        } else if (user === undefined && !/^\s*loopback_users\.guest\s*=\s*true\s*$/m.test(confs)) {
          reportViolation(
            `${subject(w)}: RabbitMQ creates guest and does not restrict it to loopback (loopback_users.guest = true).`,
            resource.urn,
          );
        }
      }
    }
  },
};
