/**
 * dns-resolves: the gateway's domain resolves to an address of the Docker host the gateway is
 * published on (this host's interfaces for a local engine, the address of docker:host's host for
 * a remote one).
 */
import { promises as dns } from "node:dns";
import * as os from "node:os";
import { dockerOnly, fail, pass, skipped, type LiveCheck } from "./check";

/** The addresses of the Docker host: this host's interfaces, or a remote daemon's host resolved. */
export async function dockerHostAddresses(dockerHost?: string): Promise<string[]> {
  const remote = dockerHost
    ? /^(?:ssh|tcp):\/\/(?:[^@/]+@)?([^:/]+)/.exec(dockerHost)?.[1]
    : undefined;
  if (remote) return (await dns.lookup(remote, { all: true })).map((a) => a.address);
  return Object.values(os.networkInterfaces())
    .flat()
    .map((i) => i!.address);
}

export const dnsResolves: LiveCheck = {
  id: "dns-resolves",
  items: ["psa-platform.dns-eintraege-gesetzt"],
  timeoutSeconds: 15,
  run: async (ctx) => {
    const gw = ctx.env.gateway;
    if (!gw) return skipped("the spec has no gateway");
    const other = dockerOnly(ctx, "the gateway's address");
    if (other) return other;
    let resolved: string[];
    try {
      resolved = (await dns.lookup(gw.domain, { all: true })).map((a) => a.address);
    } catch (e) {
      return fail(
        `${gw.domain} does not resolve (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}), expected the gateway host's address`,
      );
    }
    const host = await dockerHostAddresses(ctx.env.dockerHost);
    const mine = resolved.filter((a) => host.includes(a));
    return mine.length > 0
      ? pass(
          `${gw.domain} resolves to ${resolved.join(", ")}, the gateway host's ${mine.join(", ")}`,
        )
      : fail(
          `${gw.domain} resolves to ${resolved.join(", ")}, expected one of the gateway host's addresses (${host.join(", ")})`,
        );
  },
};
