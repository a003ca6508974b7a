import type { ResourceValidationPolicy } from "@pulumi/policy";
import { parseImage, workloadsOf } from "../lib/workloads";

/**
 * Images must be pinned to a version or a digest: `latest` (or no tag) makes a rollout depend on
 * whatever the registry holds that day, and rollback impossible.
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
      if (w.image === undefined) {
        continue;
      }
      const { tag, digest } = parseImage(w.image);
      if (!digest && (tag === "latest" || tag === "")) {
        reportViolation(
          `${w.runtime} workload "${w.name}" uses image "${w.image}" without a pinned version.`,
        );
      }
    }
  },
};
