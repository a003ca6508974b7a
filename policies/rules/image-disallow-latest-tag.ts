import type { ResourceValidationPolicy } from "@pulumi/policy";
import { subject, unknownAtPreview } from "../lib/gate";
import { isKnown, isVersionTag, parseImage, workloadsOf } from "../lib/workloads";

/**
 * Images are pinned to a version or a digest: `latest`, no tag, or a floating name such as
 * `alpine` or `stable` makes a rollout depend on whatever the registry holds that day, and
 * rollback impossible. Every container is judged, init containers and jobs included.
 */
export const imageDisallowLatestTag: ResourceValidationPolicy = {
  name: "image-disallow-latest-tag",
  description: "Container images are pinned to a version tag or a digest, never `latest`.",
  severity: "high",
  tags: ["images", "release"],
  remediationSteps:
    "Set the image to an explicit version (e.g. `postgres:16.4`) or a digest (`@sha256:…`) in the service spec.",
  url: "https://golive.dev/checklists#000_a75db8db1bb96064.txt:153",
  validateResource: (args, reportViolation) => {
    for (const w of workloadsOf(args.type, args.props)) {
      if (w.image === undefined) continue; // LXC: Debian packages, judged by their versions
      if (!isKnown(w.image)) {
        reportViolation(unknownAtPreview(subject(w), "the image"));
        continue;
      }
      const { tag, digest } = parseImage(w.image);
      if (!digest && !isVersionTag(tag)) {
        reportViolation(
          `${subject(w)} uses image "${w.image}", whose tag "${tag}" is no version: pin a version or a digest.`,
        );
      }
    }
  },
};
