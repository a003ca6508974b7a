import type { ResourceValidationPolicy } from "@pulumi/policy";
import { subject } from "../lib/gate";
import { redisServers } from "../lib/redis";

/**
 * Redis persists with both AOF and RDB snapshots (the Bitnami chart turns RDB off), judged on any
 * Redis server (by image, command or package), with Redis' own defaults where nothing is set:
 * appendonly no, the default save rules on.
 */
export const redisEnablePersistence: ResourceValidationPolicy = {
  name: "redis-enable-persistence",
  description: "Redis runs with appendonly yes and at least one RDB save rule.",
  severity: "high",
  tags: ["data"],
  remediationSteps: "Keep `redis.appendonly: true` and a non-empty `redis.save`.",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  validateResource: (args, reportViolation) => {
    for (const { w, s } of redisServers(args.type, args.props, reportViolation)) {
      if ((s.get("appendonly") ?? "no").toLowerCase() !== "yes")
        reportViolation(`${subject(w)}: Redis runs without AOF (appendonly yes).`);
      const save = s.get("save");
      if (save !== undefined && !/\d+\s+\d+/.test(save))
        reportViolation(`${subject(w)}: Redis runs without RDB snapshots (save rules).`);
    }
  },
};
