import type { StackValidationPolicy } from "@pulumi/policy";
import { configTexts, subject } from "../lib/gate";
import { runs } from "../lib/identify";
import { running } from "../lib/stack";
import { isKnown, parseImage } from "../lib/workloads";

const pluginsFile = (f: { path: string; content: string }) =>
  /enabled_plugins$/.test(f.path) || /^\s*\[[\w\s,]*\]\.\s*$/s.test(f.content);

/**
 * The management plugin is on (operators need its UI and API on go-live day), on any RabbitMQ
 * server: rabbitmq_management in the enabled_plugins it is given (its own files or the stack's
 * ConfigMaps), which replaces the image's; without one, a `-management` image.
 */
export const rabbitmqEnableManagement: StackValidationPolicy = {
  name: "rabbitmq-enable-management",
  description: "RabbitMQ enables the rabbitmq_management plugin.",
  severity: "medium",
  tags: ["data", "monitoring"],
  remediationSteps: "Keep rabbitmq_management in `rabbitmq.plugins`.",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  validateStack: (args, reportViolation) => {
    const shared = configTexts(args.resources).filter(pluginsFile);
    for (const { resource, views } of running(args.resources)) {
      for (const w of views) {
        if (!runs(w, "rabbitmq")) continue;
        // A delivered enabled_plugins replaces the image's own (the -management images enable it there).
        const own = w.files.filter(pluginsFile);
        const files = own.length > 0 ? own : shared;
        const plugins = files.map((f) => f.content).join("\n");
        const managementImage =
          w.image !== undefined && isKnown(w.image) && /management/.test(parseImage(w.image).tag);
        const enabled =
          files.length > 0 ? /\brabbitmq_management\b/.test(plugins) : managementImage;
        if (!enabled) {
          reportViolation(
            `${subject(w)}: RabbitMQ's enabled_plugins does not include rabbitmq_management.`,
            resource.urn,
          );
        }
      }
    }
  },
};
