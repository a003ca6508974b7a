/**
 * CT-IDs and addresses of an environment's LXC containers, known from the spec alone (before any
 * resource exists), so that the consistency checks judge them and every container's /etc/hosts
 * can name every workload. Pure: no Pulumi.
 */

/** Allocates CT-IDs: fixed ones from the spec, the rest in name order from `firstId`, skipping taken IDs. */
export function allocateIds(
  names: readonly string[],
  fixed: Readonly<Record<string, number>>,
  firstId: number,
): Record<string, number> {
  const taken = new Set(Object.values(fixed));
  const out: Record<string, number> = {};
  let next = firstId;
  for (const n of [...names].sort()) {
    if (fixed[n] !== undefined) {
      out[n] = fixed[n];
      continue;
    }
    while (taken.has(next)) {
      next++;
    }
    out[n] = next;
    taken.add(next);
  }
  return out;
}

/** The spec's `lxc.network`. */
export interface LxcNetwork {
  readonly cidr: string;
  readonly gateway: string;
}

function parseIpv4(text: string): number | undefined {
  const parts = text.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    return undefined;
  }
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** A container's address and prefix length, e.g. `{ address: "10.0.0.210", prefix: 24 }`. */
export interface LxcAddress {
  readonly address: string;
  readonly prefix: number;
}

/**
 * Each workload's static address: the network's address plus the workload's CT-ID. Problems
 * (a network that is not one, a gateway outside it, a CT-ID that gives no host address of the
 * network, or the gateway's) come back as messages keyed by the config path they concern, with
 * `lxc.network` or `lxc.ids.<workload>`, for the consistency checks to report.
 */
export function lxcAddresses(
  ids: Readonly<Record<string, number>>,
  network: LxcNetwork,
): { addresses: Record<string, LxcAddress>; problems: [path: string[], message: string][] } {
  const problems: [string[], string][] = [];
  const [base, bits] = network.cidr.split("/");
  const prefix = Number(bits);
  const net = parseIpv4(base);
  if (net === undefined || !(prefix >= 8 && prefix <= 30)) {
    problems.push([
      ["lxc", "network", "cidr"],
      `"${network.cidr}" is not an IPv4 network with a prefix of 8 to 30 bits`,
    ]);
    return { addresses: {}, problems };
  }
  const size = 2 ** (32 - prefix);
  if (net % size !== 0) {
    problems.push([
      ["lxc", "network", "cidr"],
      `"${network.cidr}" has host bits set: the network is ${formatIpv4(net - (net % size))}/${prefix}`,
    ]);
    return { addresses: {}, problems };
  }
  const gw = parseIpv4(network.gateway);
  if (gw === undefined || gw <= net || gw >= net + size - 1) {
    problems.push([
      ["lxc", "network", "gateway"],
      `${network.gateway} is not a host address of ${network.cidr}`,
    ]);
  }
  const addresses: Record<string, LxcAddress> = {};
  for (const [name, id] of Object.entries(ids).sort(([a], [b]) => a.localeCompare(b))) {
    // The host part is the CT-ID: neither the network's own address nor its broadcast.
    if (id >= size - 1) {
      problems.push([
        ["lxc", "ids", name],
        `CT-ID ${id} gives "${name}" no address in ${network.cidr} (its address is the network's plus the CT-ID: at most ${size - 2} here)`,
      ]);
      continue;
    }
    const address = net + id;
    if (address === gw) {
      problems.push([
        ["lxc", "ids", name],
        `CT-ID ${id} gives "${name}" the gateway's address ${network.gateway}`,
      ]);
      continue;
    }
    addresses[name] = { address: formatIpv4(address), prefix };
  }
  return { addresses, problems };
}

/** The `ip=` part of `--net0`: `dhcp`, or the static address with its gateway. */
export function net0Ip(address: LxcAddress | undefined, network: LxcNetwork | undefined): string {
  return address && network ? `${address.address}/${address.prefix},gw=${network.gateway}` : "dhcp";
}

/** The block golive keeps in each container's /etc/hosts: every workload's address and name. */
export const hostsBegin = "# --- BEGIN golive ---";
export const hostsEnd = "# --- END golive ---";

export function hostsBlock(addresses: Readonly<Record<string, LxcAddress>>): string {
  const names = Object.keys(addresses).sort();
  return [hostsBegin, ...names.map((n) => `${addresses[n].address} ${n}`), hostsEnd, ""].join("\n");
}
