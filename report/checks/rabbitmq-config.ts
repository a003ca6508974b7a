/** rabbitmq-config: the management API lists the spec's vhosts, users and queues, and no guest. */
import {
  fail,
  pass,
  reach,
  skipped,
  unknown,
  unreached,
  type CheckContext,
  type LiveCheck,
  type Outcome,
} from "./check";
import { getJson } from "./probe";

export const rabbitmqConfig: LiveCheck = {
  id: "rabbitmq-config",
  items: ["psa-platform.queues-erstellt", "psa-platform.users-vhosts-konfiguriert"],
  timeoutSeconds: 15,
  run: async (ctx) => {
    const spec = ctx.env.rabbitmq;
    if (!spec) return skipped("the spec has no RabbitMQ");
    const other = unreached(ctx, "RabbitMQ");
    if (other) return other;
    const access = reach(ctx);
    if (access.unreachable("rabbitmq", "management") !== undefined)
      return unknown("RabbitMQ publishes no management port (hostPorts.rabbitmq.management)");
    const password = ctx.secrets.rabbitmqAdminPassword;
    if (!password) return unknown("the stack's outputs hold no RabbitMQ admin password");
    return access.forward("rabbitmq", "management", (port) => judge(port, spec, password));
  },
};

/** The topology from the management API on 127.0.0.1:<port>, as admin. */
async function judge(
  port: number,
  spec: NonNullable<CheckContext["env"]["rabbitmq"]>,
  password: string,
): Promise<Outcome> {
  const auth = `admin:${password}`;
  const names = async (path: string) =>
    (await getJson<{ name: string; vhost?: string }[]>(port, `/api/${path}`, { auth })).map((x) =>
      x.vhost !== undefined ? `${x.vhost}/${x.name}` : x.name,
    );
  const [vhosts, users, queues] = await Promise.all([
    names("vhosts"),
    names("users"),
    names("queues"),
  ]);
  const missing = [
    ...spec.vhosts.filter((v) => !vhosts.includes(v)).map((v) => `vhost ${v}`),
    ...spec.users.filter((u) => !users.includes(u)).map((u) => `user ${u}`),
    ...spec.queues
      .filter((q) => !queues.includes(`${q.vhost}/${q.name}`))
      .map((q) => `queue ${q.name} in ${q.vhost}`),
  ];
  const problems = [
    ...(missing.length > 0 ? [`missing ${missing.join(", ")}`] : []),
    ...(users.includes("guest") ? ["the guest user exists"] : []),
  ];
  const seen = `vhosts ${vhosts.join(",")}; users ${users.join(",")}; queues ${queues.join(",") || "none"}`;
  return problems.length > 0 ? fail(`${problems.join("; ")} (${seen})`) : pass(seen);
}
