/** redis-*: Redis persists (AOF and RDB) and evicts by a policy that frees memory. */
import { describe, it } from "node:test";
import { redisConfigureEviction } from "../../../policies/rules/redis-configure-eviction";
import { redisEnablePersistence } from "../../../policies/rules/redis-enable-persistence";
import { dockerLabels, none, one, runResource, type Res } from "./harness";

/** golive's Redis container, run with `args` after its auth file. */
const redis = (args: string[], files: { file: string; content: string }[] = []): Res => ({
  type: "docker:index/container:Container",
  name: "redis",
  props: {
    name: "golive-prod-redis",
    image: "redis:7.2",
    command: ["redis-server", "/usr/local/etc/redis/golive-auth.conf", ...args],
    uploads: files,
    labels: dockerLabels({
      "app.kubernetes.io/name": "redis",
      "app.kubernetes.io/component": "cache",
      "golive.dev/redis-version": "7.2",
    }),
  },
});
const redisArgs = [
  "--appendonly",
  "yes",
  "--save",
  "900 1 300 10",
  "--maxmemory",
  "384mb",
  "--maxmemory-policy",
  "allkeys-lru",
];

describe("redis-enable-persistence", () => {
  it("accepts Redis with AOF and RDB snapshots", async () => {
    none(await runResource(redisEnablePersistence, redis(redisArgs)));
  });

  it("refuses Redis without AOF", async () => {
    one(
      await runResource(
        redisEnablePersistence,
        redis(redisArgs.map((a) => (a === "yes" ? "no" : a))),
      ),
      /without AOF/,
    );
  });

  it("refuses Redis whose RDB snapshots are turned off", async () => {
    one(
      await runResource(
        redisEnablePersistence,
        redis(redisArgs.map((a) => (a === "900 1 300 10" ? '""' : a))),
      ),
      /without RDB/,
    );
  });
});

describe("redis-configure-eviction", () => {
  it("accepts a maxmemory with an evicting policy", async () => {
    none(await runResource(redisConfigureEviction, redis(redisArgs)));
  });

  it("refuses noeviction", async () => {
    one(
      await runResource(
        redisConfigureEviction,
        redis(redisArgs.map((a) => (a === "allkeys-lru" ? "noeviction" : a))),
      ),
      /evicts with noeviction/,
    );
  });
});
