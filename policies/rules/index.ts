import type { Policies } from "@pulumi/policy";
import { imageDisallowLatestTag } from "./image-disallow-latest-tag";
import { postgresEnforceMinVersion } from "./postgres-enforce-min-version";
import { workloadMissingHealthcheck } from "./workload-missing-healthcheck";
import { workloadMissingResourceLimits } from "./workload-missing-resource-limits";

/** Every policy of the pack, in name order. */
export const policies: Policies = [
  imageDisallowLatestTag,
  postgresEnforceMinVersion,
  workloadMissingHealthcheck,
  workloadMissingResourceLimits,
];
