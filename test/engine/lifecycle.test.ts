/**
 * A `pulumi up` SIGKILLed while every kind of plugin is busy (the language host running the
 * program, the command provider running a shell with a background child, the dynamic-provider
 * host inside a create) leaves nothing running: each plugin finds the engine gone through its
 * health check and takes down the process groups it started. Both ways a test or a CI runner kills
 * a run: only the engine's process, and the engine's whole process group (plugins run in groups of
 * their own, so neither reaches them directly).
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { figure, Project, repo } from "./harness";

/** Every process descended from pid, read from /proc. */
function descendants(pid: number): Map<number, string> {
  const parent = new Map<number, number>();
  const args = new Map<number, string>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name is in parentheses and may hold spaces: the ppid is the 2nd field after it.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parent.set(Number(entry), ppid);
      args.set(
        Number(entry),
        fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " "),
      );
    } catch {
      // gone meanwhile
    }
  }
  const found = new Map<number, string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const [child, ppid] of parent) {
      if (!found.has(child) && (ppid === pid || found.has(ppid))) {
        found.set(child, args.get(child) ?? "");
        grew = true;
      }
    }
  }
  return found;
}

/** Running (not a zombie waiting to be reaped). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function killedUpLeavesNothing(name: string, killGroup: boolean): Promise<void> {
  const p = new Project(
    `lifecycle-${name}`,
    "dev",
    "config: {}\n",
    path.join(repo, "test", "programs", "lifecycle"),
  );
  const pids = path.join(p.dir, "pids");
  fs.mkdirSync(pids);
  const up = spawn("pulumi", ["up", "--yes", "--skip-preview", "--non-interactive"], {
    cwd: p.dir,
    env: { ...p.env, LIFECYCLE_PIDS_DIR: pids },
    detached: true, // a process group of its own, as a CI job's
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  up.stdout.on("data", (c: Buffer) => (output += c.toString()));
  up.stderr.on("data", (c: Buffer) => (output += c.toString()));
  const engine = up.pid!;

  // Wait until both creates are under way.
  const started = Date.now();
  while (!["command", "dynamic"].every((f) => fs.existsSync(path.join(pids, f)))) {
    assert.ok(up.exitCode === null, `pulumi up ended early:\n${output}`);
    assert.ok(Date.now() - started < 60_000, `the creates did not start within 60 s:\n${output}`);
    await sleep(100);
  }
  await sleep(300); // the pid files are written before the commands block
  const tree = descendants(engine);
  const kinds = [...tree.values()];
  for (const want of [
    /pulumi-language-nodejs/,
    /cmd\/run /,
    /pulumi-resource-command/,
    /sleep 300/,
    /dynamic-provider/,
  ]) {
    assert.ok(
      kinds.some((a) => want.test(a)),
      `no ${want} under the engine:\n${kinds.join("\n")}`,
    );
  }

  process.kill(killGroup ? -engine : engine, "SIGKILL");
  const killed = Date.now();
  let left = [...tree.keys()].filter(alive);
  while (left.length > 0 && Date.now() - killed < 15_000) {
    await sleep(100);
    left = left.filter(alive);
  }
  const seconds = (Date.now() - killed) / 1000;
  figure(`lifecycle-${name}-seconds`, seconds.toFixed(1));
  for (const pid of left) process.kill(pid, "SIGKILL"); // leave nothing to the next test
  assert.deepEqual(
    left.map((pid) => `${pid} ${tree.get(pid)}`),
    [],
    "processes still running 15 s after the engine was killed",
  );
  // The backend keeps the killed run's lock: release it as a person would.
  spawnSync("pulumi", ["cancel", "--yes"], { cwd: p.dir, env: p.env });
}

describe("a SIGKILLed pulumi up leaves no plugin or child running", () => {
  it("when only the engine is killed", async () => {
    await killedUpLeavesNothing("kill-engine", false);
  });
  it("when the engine's whole process group is killed", async () => {
    await killedUpLeavesNothing("kill-group", true);
  });
});
