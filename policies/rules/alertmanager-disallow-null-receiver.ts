import type { ResourceValidationPolicy } from "@pulumi/policy";
import { carriesFiles, filesOf, isWorkloadResource, labelsOf } from "../lib/resources";

/** Alerts reach a person: the route's receiver has a webhook, e-mail, … configuration (kube-prometheus-stack defaults to "null"). */
export const alertmanagerDisallowNullReceiver: ResourceValidationPolicy = {
  name: "alertmanager-disallow-null-receiver",
  description: "Alertmanager routes to a receiver that sends somewhere.",
  severity: "critical",
  tags: ["monitoring"],
  remediationSteps: "Set `monitoring.receiver` to a webhook or e-mail receiver.",
  url: "https://golive.dev/checklists#004_48e34c42e0e0eda7.txt",
  validateResource: (args, reportViolation) => {
    if (!isWorkloadResource(args.type, args.props) && !carriesFiles(args.type, args.props)) return;
    const labels = labelsOf(args.type, args.props);
    if (labels["app.kubernetes.io/component"] !== "alerting") return;
    if (labels["golive.dev/alert-receiver"] === "null") {
      reportViolation("Alertmanager's receiver is a null sink: alerts reach nobody.");
      return;
    }
    const config = filesOf(args.type, args.props).find((f) => /receivers:/.test(f.content));
    if (config && !/_configs:/.test(config.content)) {
      reportViolation("Alertmanager's receivers have no webhook, e-mail or other configuration.");
    }
  },
};
