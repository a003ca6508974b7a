import type { ResourceValidationPolicy } from "@pulumi/policy";
import { commandsOf, isWorkloadResource, labelsOf } from "../lib/resources";

interface Config {
  policy: string;
}

/** Redis has a maxmemory and evicts with the configured policy (allkeys-lru) instead of refusing writes. */
export const redisConfigureEviction: ResourceValidationPolicy = {
  name: "redis-configure-eviction",
  description: "Redis sets maxmemory and the configured eviction policy (allkeys-lru by default).",
  severity: "medium",
  tags: ["data"],
  remediationSteps: "Set `redis.maxmemoryPolicy` (golive derives maxmemory from the memory limit).",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  configSchema: { properties: { policy: { type: "string", default: "allkeys-lru" } } },
  validateResource: (args, reportViolation) => {
    if (!isWorkloadResource(args.type, args.props)) return;
    if (!("golive.dev/redis-version" in labelsOf(args.type, args.props))) return;
    const { policy } = args.getConfig<Config>();
    const line = commandsOf(args.type, args.props)
      .map((c) => c.join(" "))
      .join(" ");
    if (!/--maxmemory"?\s+"?\d+/.test(line)) reportViolation("Redis has no maxmemory.");
    const m = /--maxmemory-policy"?\s+"?([a-z-]+)/.exec(line);
    if (!m || m[1] !== policy)
      reportViolation(`Redis evicts with ${m ? m[1] : "noeviction"}; ${policy} is required.`);
  },
};
