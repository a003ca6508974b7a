import type { StackValidationPolicy } from "@pulumi/policy";
import { label } from "../lib/contract";
import { configTexts, subject } from "../lib/gate";
import { runs } from "../lib/identify";
import { running } from "../lib/stack";

const isConfig = (c: string) => /(^|\n)receivers:/.test(c);

/**
 * Alerts reach a person: every receiver of Alertmanager's configuration (its own file or a
 * ConfigMap of the stack) sends somewhere (webhook, e-mail, …); kube-prometheus-stack defaults
 * to "null". An Alertmanager whose configuration the gate cannot find fails.
 */
export const alertmanagerDisallowNullReceiver: StackValidationPolicy = {
  name: "alertmanager-disallow-null-receiver",
  description: "Alertmanager routes to a receiver that sends somewhere.",
  severity: "critical",
  tags: ["monitoring"],
  remediationSteps: "Set `monitoring.receiver` to a webhook or e-mail receiver.",
  url: "https://golive.dev/checklists#004_48e34c42e0e0eda7.txt",
  validateStack: (args, reportViolation) => {
    const shared = configTexts(args.resources).filter((t) => isConfig(t.content));
    for (const { resource, views } of running(args.resources)) {
      for (const w of views) {
        if (!runs(w, "alertmanager")) continue;
        if (w.labels[label.alertReceiver] === "null") {
          reportViolation(
            `${subject(w)}: Alertmanager's receiver is a null sink: alerts reach nobody.`,
            resource.urn,
          );
          continue;
        }
        const own = w.files.filter((f) => isConfig(f.content));
        const configs = own.length > 0 ? own : shared;
        if (configs.length === 0) {
          reportViolation(
            `${subject(w)}: Alertmanager's configuration is not among the stack's resources, so its receivers cannot be checked.`,
            resource.urn,
          );
          continue;
        }
        for (const c of configs) {
          const receivers = c.content.split(/\n(?=receivers:)/)[1] ?? c.content;
          const entries = receivers.split(/\n\s*-\s*name:/).slice(1);
          if (entries.length === 0 || entries.some((e) => !/_configs:/.test(e))) {
            reportViolation(
              `${subject(w)}: an Alertmanager receiver has no webhook, e-mail or other configuration.`,
              resource.urn,
            );
          }
        }
      }
    }
  },
};
