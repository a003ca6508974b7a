/**
 * The faithful Proxmox node of test/lxc/pve for engine tests: starts and stops it, runs command
 * lines on it over SSH on 127.0.0.1 (as golive's command provider does), and reads containers'
 * facts from the host.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repo } from "./harness";

const nodeScript = path.join(repo, "test", "lxc", "pve", "node.sh");

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

export interface RunOptions {
  readonly input?: string;
  /** Seconds; 120 unless given. */
  readonly timeout?: number;
}

export class PveNode {
  /** The bridge the node makes, and the first three octets of its /24 (TEST-NET-2). */
  public readonly bridge = "golivebr0";
  public readonly subnet = "198.51.100";

  /**
   * @param dir  the node's folder (keys, logs, its root); not a Project's folder, which is wiped
   * @param port the SSH port on 127.0.0.1
   */
  constructor(
    public readonly dir: string,
    public readonly port: number,
  ) {}

  /** Starts the node with the given templates (Debian suites); returns the seconds it took. */
  public start(suites = "bookworm"): number {
    // A node left by an interrupted run is stopped through its own records before they go.
    if (fs.existsSync(this.dir)) this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
    const t0 = process.hrtime.bigint();
    const r = spawnSync(nodeScript, ["start", this.dir, String(this.port)], {
      encoding: "utf8",
      timeout: 900_000,
      env: { ...process.env, GOLIVE_PVE_SUITES: suites },
    });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    return Number(process.hrtime.bigint() - t0) / 1e9;
  }

  /** Destroys every container left and removes what the node made. */
  public stop(): { code: number; output: string } {
    const r = spawnSync(nodeScript, ["stop", this.dir], { encoding: "utf8", timeout: 300_000 });
    return { code: r.status ?? -1, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
  }

  /** What of the node still exists, one line each (empty: nothing). */
  public leftovers(): string {
    return spawnSync(nodeScript, ["leftovers", this.dir], { encoding: "utf8" }).stdout ?? "";
  }

  /** The client's private key, as golive's stack config takes it. */
  public privateKey(): string {
    return fs.readFileSync(path.join(this.dir, "id_ed25519"), "utf8");
  }

  /** Runs a command line on the node over SSH. */
  public run(command: string, opts: RunOptions = {}): Run {
    const start = process.hrtime.bigint();
    const r = spawnSync(
      "ssh",
      [
        ...["-i", path.join(this.dir, "id_ed25519"), "-p", String(this.port)],
        ...["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no"],
        ...["-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"],
        "root@127.0.0.1",
        command,
      ],
      { input: opts.input ?? "", encoding: "utf8", timeout: (opts.timeout ?? 120) * 1000 },
    );
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "", seconds };
  }

  /** Like run(), and the command must succeed. */
  public ok(command: string, opts: RunOptions = {}): Run {
    const r = this.run(command, opts);
    assert.equal(r.code, 0, `${command}\n${r.stdout}${r.stderr}`);
    return r;
  }

  /** Runs a bash script inside a container (pct exec); its trimmed output. */
  public inside(id: number, script: string): string {
    return this.ok(`pct exec ${id} -- bash -c '${script.replace(/'/g, `'"'"'`)}'`).stdout.trim();
  }

  /** Waits until systemd inside reports the boot finished; returns the seconds it took. */
  public waitBooted(id: number): number {
    const t0 = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - t0) / 1e9;
    let state = "";
    // Right after start, systemctl may find no system bus yet: it answers nothing, then waits.
    while (seconds() < 90) {
      const r = this.run(`pct exec ${id} -- timeout 60 systemctl is-system-running --wait`, {
        timeout: 90,
      });
      state = r.stdout.trim();
      if (state === "running" || state === "degraded") break;
      spawnSync("sleep", ["0.5"]);
    }
    assert.equal(state, "running", `CT ${id} booted without failed units`);
    return seconds();
  }

  /**
   * Why containers are not running, for a failed test's message: for each given one that is not
   * running, its LXC start log and the end of its console, and the kernel's out-of-memory lines.
   */
  public whyStopped(ids: readonly number[]): string {
    const lxcDir = path.join(this.dir, "root", "var", "lib", "lxc");
    const tail = (file: string, lines: number) =>
      fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n") : "";
    const out: string[] = [];
    for (const id of ids) {
      const state = spawnSync("lxc-info", ["-P", lxcDir, "-n", String(id), "-sH"], {
        encoding: "utf8",
      }).stdout.trim();
      if (state === "RUNNING") continue;
      out.push(`CT ${id}: ${state || "unknown"}`);
      out.push(`  start.log:\n${tail(path.join(lxcDir, String(id), "start.log"), 20)}`);
      out.push(`  console.log:\n${tail(path.join(lxcDir, String(id), "console.log"), 30)}`);
    }
    if (out.length === 0) return "";
    const kernel = (spawnSync("dmesg", [], { encoding: "utf8" }).stdout ?? "")
      .split("\n")
      .filter((l) => /oom|out of memory|killed process/i.test(l))
      .slice(-20);
    return [...out, `kernel:\n${kernel.join("\n")}`].join("\n");
  }

  /** The container's IPv4 address on eth0 (e.g. a DHCP lease). */
  public address(id: number): string {
    const m = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(this.inside(id, "ip -4 -o addr show eth0"));
    assert.ok(m, `CT ${id} has an IPv4 address on eth0`);
    return m[1];
  }

  /** The container's init process start, in seconds since the host booted (/proc/<pid>/stat). */
  public initStart(id: number): number {
    const r = spawnSync(
      "lxc-info",
      ["-P", path.join(this.dir, "root", "var", "lib", "lxc"), "-n", String(id), "-pH"],
      { encoding: "utf8" },
    );
    const pid = r.stdout.trim();
    assert.match(pid, /^\d+$/, `CT ${id} has an init process`);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim());
    return Number(fields[19]) / ticks;
  }
}
