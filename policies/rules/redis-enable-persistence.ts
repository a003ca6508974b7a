import type { ResourceValidationPolicy } from "@pulumi/policy";
import { commandsOf, isWorkloadResource, labelsOf } from "../lib/resources";

/** Redis persists with both AOF and RDB snapshots (the Bitnami chart turns RDB off). */
export const redisEnablePersistence: ResourceValidationPolicy = {
  name: "redis-enable-persistence",
  description: "Redis runs with appendonly yes and at least one RDB save rule.",
  severity: "high",
  tags: ["data"],
  remediationSteps: "Keep `redis.appendonly: true` and a non-empty `redis.save`.",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  validateResource: (args, reportViolation) => {
    if (!isWorkloadResource(args.type, args.props)) return;
    if (!("golive.dev/redis-version" in labelsOf(args.type, args.props))) return;
    const line = commandsOf(args.type, args.props)
      .map((c) => c.join(" "))
      .join(" ");
    if (!/--appendonly"?\s+"?yes/.test(line))
      reportViolation("Redis runs without AOF (appendonly yes).");
    if (!/--save"?\s+"?\d+ \d+/.test(line))
      reportViolation("Redis runs without RDB snapshots (save rules).");
  },
};
