/** redis-config: CONFIG GET shows the spec's appendonly, maxmemory and maxmemory-policy. */
import { fail, pass, reach, skipped, unknown, unreached, type LiveCheck } from "./check";
import { redis, redisConfigValue } from "./probe";

export const redisConfig: LiveCheck = {
  id: "redis-config",
  items: ["cgs-assist.redis-cache-optimieren"],
  timeoutSeconds: 10,
  run: async (ctx) => {
    const spec = ctx.env.redis;
    if (!spec) return skipped("the spec has no Redis");
    const other = unreached(ctx, "Redis");
    if (other) return other;
    const access = reach(ctx);
    if (access.unreachable("redis", "redis") !== undefined)
      return unknown("Redis publishes no host port (hostPorts.redis.redis) to reach it by");
    const password = ctx.secrets.redisPassword;
    if (!password) return unknown("the stack's outputs hold no Redis password");
    const names = ["appendonly", "maxmemory", "maxmemory-policy"];
    const replies = await access.forward("redis", "redis", (port) =>
      redis(
        port,
        password,
        names.map((n) => ["CONFIG", "GET", n]),
      ),
    );
    if (!replies.startsWith("+OK")) return fail(`AUTH was refused: ${replies.split("\r\n")[0]}`);
    const seen = Object.fromEntries(names.map((n) => [n, redisConfigValue(replies, n)]));
    const expected = {
      appendonly: spec.appendonly ? "yes" : "no",
      maxmemory: String(spec.maxmemoryMb * 1024 * 1024),
      "maxmemory-policy": spec.maxmemoryPolicy,
    };
    const wrong = names.filter((n) => seen[n] !== expected[n as keyof typeof expected]);
    const line = names.map((n) => `${n} ${seen[n] ?? "(none)"}`).join(", ");
    return wrong.length > 0
      ? fail(
          `${line}; expected ${wrong.map((n) => `${n} ${expected[n as keyof typeof expected]}`).join(", ")}`,
        )
      : pass(line);
  },
};
