import type { ResourceValidationPolicy } from "@pulumi/policy";
import { subject } from "../lib/gate";
import { redisServers } from "../lib/redis";

interface Config {
  policy: string;
}

/**
 * Redis has a maxmemory and evicts with the configured policy (allkeys-lru) instead of refusing
 * writes; judged on any Redis server, with Redis' defaults (no maxmemory, noeviction).
 */
export const redisConfigureEviction: ResourceValidationPolicy = {
  name: "redis-configure-eviction",
  description: "Redis sets maxmemory and the configured eviction policy (allkeys-lru by default).",
  severity: "medium",
  tags: ["data"],
  remediationSteps: "Set `redis.maxmemoryPolicy` (golive derives maxmemory from the memory limit).",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  configSchema: { properties: { policy: { type: "string", default: "allkeys-lru" } } },
  validateResource: (args, reportViolation) => {
    const { policy } = args.getConfig<Config>();
    for (const { w, s } of redisServers(args.type, args.props, reportViolation)) {
      const max = s.get("maxmemory");
      if (max === undefined || !/^[1-9]\d*[a-z]*$/i.test(max))
        reportViolation(`${subject(w)}: Redis has no maxmemory.`);
      const evict = s.get("maxmemory-policy") ?? "noeviction";
      if (evict !== policy)
        reportViolation(`${subject(w)}: Redis evicts with ${evict}; ${policy} is required.`);
    }
  },
};
