/**
 * Proxmox LXC: over SSH to the Proxmox node with the stack's key (the stack config key
 * `lxc.node.privateKeyConfig` names; without one, the SSH agent, as golive's runtime does).
 * Commands by `pct exec <CT-ID> -- …`, ports through an SSH tunnel from 127.0.0.1 to the
 * container's address (its static one, else the first `hostname -I` gives), health from
 * `pct status` and the workload's systemd unit: golive's own `golive-<workload>.service`, or the
 * packaged unit golive gave its drop-in (`<unit>.d/golive.conf`), active.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { LiveEnvironment } from "../../../policies/lib/contract";
import { run } from "../probe";
import { atLeast, lines, type InstanceState, type RuntimeAccess } from ".";

/** Proxmox VE 7 is the oldest release with the `pct` and cgroup v2 behaviour golive relies on. */
export const minimumProxmox = [7, 0] as const;

type Node = NonNullable<LiveEnvironment["lxc"]>["node"];

/** A word for the node's shell, quoted. */
export function shq(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** ssh's arguments to the node, up to (not including) the remote command. */
export function sshArgs(
  node: Node,
  opts: { keyFile?: string; knownHosts?: string; forward?: string } = {},
): string[] {
  return [
    ...(opts.keyFile ? ["-i", opts.keyFile, "-o", "IdentitiesOnly=yes"] : []),
    ...["-p", String(node.port), "-o", "BatchMode=yes", "-o", "ConnectTimeout=10"],
    // A node seen for the first time is recorded; a changed host key is refused.
    ...["-o", "StrictHostKeyChecking=accept-new"],
    ...(opts.knownHosts ? ["-o", `UserKnownHostsFile=${opts.knownHosts}`] : []),
    ...["-o", "LogLevel=ERROR"],
    ...(opts.forward ? ["-N", "-o", "ExitOnForwardFailure=yes", "-L", opts.forward] : []),
    `${node.user}@${node.host}`,
  ];
}

/** The node's command line that runs a command in a container. */
export function pctExec(id: number, command: readonly string[]): string {
  return `pct exec ${id} -- ${command.map(shq).join(" ")}`;
}

/**
 * The node's script that prints, per workload, `<workload> <CT-ID> <pct status> <unit> <state>`:
 * the unit golive runs the workload by and `systemctl is-active`'s answer for it.
 */
export function healthScript(ids: Readonly<Record<string, number>>): string {
  const inCt = [
    'w="$1"',
    'u=""',
    '[ -f "/etc/systemd/system/golive-$w.service" ] && u="golive-$w.service"',
    'if [ -z "$u" ]; then for d in /etc/systemd/system/*.d; do [ -f "$d/golive.conf" ] && u=$(basename "$d" .d) && break; done; fi',
    'if [ -z "$u" ]; then echo "- no-unit"; else echo "$u $(systemctl is-active "$u" 2>/dev/null || true)"; fi',
  ].join("; ");
  return Object.entries(ids)
    .map(
      ([w, id]) =>
        `s=$(pct status ${id} 2>/dev/null | sed -n 's/^status: //p'); ` +
        `if [ "$s" = running ]; then r=$(${pctExec(id, ["sh", "-c", inCt, "sh", w])} 2>/dev/null || echo "- exec-failed"); else r="- -"; fi; ` +
        `echo "${w} ${id} \${s:-missing} $r"`,
    )
    .join("\n");
}

/** healthScript's lines as instances: running with its unit active is healthy. */
export function healthStates(workloads: readonly string[], out: string): InstanceState[] {
  const seen = new Map(
    lines(out).map((l) => {
      const [w, id, status, unit, active] = l.trim().split(/\s+/);
      return [w, { id, status, unit, active }] as const;
    }),
  );
  return workloads.map((w) => {
    const s = seen.get(w);
    if (!s) return { workload: w, ok: false, state: "no CT-ID in the stack's outputs" };
    if (s.status === "missing") return { workload: w, ok: false, state: `no container ${s.id}` };
    const instance = `CT ${s.id}`;
    if (s.status !== "running") return { workload: w, instance, ok: false, state: s.status };
    if (s.unit === "-")
      return {
        workload: w,
        instance,
        ok: false,
        state: s.active === "exec-failed" ? "running, pct exec failed" : "running, no golive unit",
      };
    return {
      workload: w,
      instance,
      ok: s.active === "active",
      state: `running, ${s.unit} ${s.active ?? "unknown"}`,
    };
  });
}

/** The version out of `pveversion`'s `pve-manager/<version>/<commit> …`. */
export function pveVersion(out: string): string | undefined {
  return /pve-manager\/(\d+(?:\.\d+)*)/.exec(out)?.[1];
}

/** A free TCP port on 127.0.0.1 (the kernel's pick, released for the tunnel to take). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once 127.0.0.1:<port> accepts a connection, within `seconds`. */
async function listening(port: number, seconds: number, exited: () => string | undefined) {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, "127.0.0.1");
      c.on("connect", () => {
        c.destroy();
        resolve(true);
      });
      c.on("error", () => resolve(false));
    });
    if (ok) return;
    const why = exited();
    if (why !== undefined) throw new Error(why);
    if (Date.now() > end) throw new Error(`the SSH tunnel did not listen within ${seconds} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function lxcAccess(env: LiveEnvironment, privateKey?: string): RuntimeAccess {
  const lxc = env.lxc;
  const problem = !lxc
    ? "the stack's outputs name no Proxmox node (goliveEnvironment.lxc): run pulumi up with this version of golive first"
    : lxc.node.privateKeyConfig && !privateKey
      ? `the stack's config holds no SSH key under golive:${lxc.node.privateKeyConfig} (lxc.node.privateKeyConfig)`
      : undefined;
  let keyFile: string | undefined;
  const sshOpts = () => {
    if (privateKey && !keyFile) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "golive-verify-"));
      keyFile = path.join(dir, "id");
      fs.writeFileSync(keyFile, privateKey.endsWith("\n") ? privateKey : `${privateKey}\n`, {
        mode: 0o600,
      });
      process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    }
    return { keyFile, knownHosts: process.env.GOLIVE_SSH_KNOWN_HOSTS };
  };
  const onNode = (command: string, timeoutSeconds = 15) =>
    run("ssh", [...sshArgs(lxc!.node, sshOpts()), command], { timeoutSeconds });
  const idOf = (w: string) => {
    const id = lxc?.ids[w];
    if (id === undefined) throw new Error(`no CT-ID for ${w} in the stack's outputs`);
    return id;
  };
  const portOf = (w: string, port: string) => lxc?.ports[w]?.[port];
  const address = async (w: string) =>
    lxc?.addresses?.[w] ??
    (await onNode(pctExec(idOf(w), ["hostname", "-I"]))).trim().split(/\s+/)[0];
  return {
    runtime: "lxc",
    ...(problem ? { problem } : {}),
    where: (w) => `CT ${lxc?.ids[w] ?? "?"} on ${lxc?.node.host ?? "?"}`,
    exec: (w, command, opts) => onNode(pctExec(idOf(w), command), opts?.timeoutSeconds ?? 15),
    // ssh passes its standard streams to the node's command, and `pct exec` to the container's.
    command: (w, command) =>
      Promise.resolve({
        file: "ssh",
        args: [...sshArgs(lxc!.node, sshOpts()), pctExec(idOf(w), command)],
      }),
    unreachable: (w, port) =>
      problem ??
      (portOf(w, port) === undefined
        ? `${w} has no port ${port} in the stack's outputs`
        : undefined),
    forward: async (w, port, use) => {
      const target = portOf(w, port);
      if (target === undefined) throw new Error(`${w} has no port ${port} in the stack's outputs`);
      const local = await freePort();
      const to = await address(w);
      if (!to) throw new Error(`${w} (CT ${idOf(w)}) has no address`);
      const child = spawn(
        "ssh",
        sshArgs(lxc!.node, { ...sshOpts(), forward: `127.0.0.1:${local}:${to}:${target}` }),
        { stdio: ["ignore", "ignore", "pipe"] },
      );
      let err = "";
      let exited: string | undefined;
      child.stderr.on("data", (c: Buffer) => (err += c.toString()));
      child.on(
        "exit",
        (code) => (exited = `ssh -L to ${to}:${target} exited ${code}: ${err.trim()}`),
      );
      try {
        await listening(local, 10, () => exited);
        return await use(local);
      } finally {
        child.kill();
      }
    },
    instances: async (workloads) => {
      const ids = Object.fromEntries(
        workloads.filter((w) => lxc?.ids[w] !== undefined).map((w) => [w, lxc!.ids[w]]),
      );
      return healthStates(workloads, await onNode(healthScript(ids), 60));
    },
    engine: async () => {
      const out = await onNode("pveversion");
      const version = pveVersion(out);
      if (!version) throw new Error(`pveversion answered ${out.trim() || "nothing"}`);
      return {
        name: "Proxmox VE",
        version,
        minimum: minimumProxmox.join("."),
        ok: atLeast(version, minimumProxmox),
      };
    },
    gpuProblem: () =>
      Promise.resolve("golive does not pass GPUs through to LXC containers, nor check them there"),
  };
}
