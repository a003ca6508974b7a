import type { ResourceValidationPolicy } from "@pulumi/policy";
import { k8sConfigMap } from "../lib/kinds";
import { unknownAtPreview } from "../lib/gate";
import { filesOf, unreadFilesOf } from "../lib/resources";

const secretContent =
  /(^|\n)\s*[\w.-]*(password|passwd|secret|token|api[_-]?key)[\w.-]*\s*[=:]\s*\S+|-----BEGIN [A-Z ]*PRIVATE KEY-----|requirepass\s+\S+/i;
const secretName = /(password|passwd|secret|token|api[_-]?key|private[_-]?key|credentials?)/i;

/**
 * Files and ConfigMaps delivered in clear never hold a password, key or token: not in a file's
 * content, and not as a ConfigMap entry named like one (ConfigMap entries become environment
 * variables through envFrom).
 */
export const secretsDisallowPlainConfigFiles: ResourceValidationPolicy = {
  name: "secrets-disallow-plain-config-files",
  description: "Configuration files delivered in clear carry no passwords, tokens or private keys.",
  severity: "critical",
  tags: ["secrets"],
  remediationSteps:
    "Deliver the file as a secret (WorkloadFile.secret), which becomes a Kubernetes Secret or a secret upload.",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  validateResource: (args, reportViolation) => {
    // A file in clear whose content is not known yet (made from another resource's output) may
    // hold anything: unknown at preview, not a pass. Deliver a generated value as a secret file.
    for (const path of unreadFilesOf(args.type, args.props)) {
      reportViolation(unknownAtPreview(`file ${path}`, "its content"));
    }
    for (const f of filesOf(args.type, args.props)) {
      if (secretContent.test(f.content)) {
        reportViolation(`${f.path} holds what looks like a secret, in clear.`);
      } else if (args.type === k8sConfigMap && secretName.test(f.path) && f.content.trim() !== "") {
        reportViolation(
          `ConfigMap entry ${f.path} is named like a secret and holds a value in clear.`,
        );
      }
    }
  },
};
