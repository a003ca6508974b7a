/**
 * How the live checks reach a deployed environment, whatever its runtime: run a command in a
 * workload's container, reach a workload's port from the operator's machine (a published host
 * port, a `kubectl port-forward`, an SSH tunnel through the Proxmox node), read the runtime's own
 * health of each workload, and the engine's version. One module per runtime; the checks see only
 * this interface, so a check is written once and runs on all three.
 */
import type { LiveEnvironment } from "../../../policies/lib/contract";
import { dockerAccess } from "./docker";
import { kubernetesAccess } from "./kubernetes";
import { lxcAccess } from "./lxc";

/** One instance of a workload (a container, a pod, a CT) as its runtime sees it. */
export interface InstanceState {
  readonly workload: string;
  /** The container's or pod's name, or the CT-ID; absent when the workload has none. */
  readonly instance?: string;
  /** Running, and healthy where the runtime has a health check for it. */
  readonly ok: boolean;
  /** What the runtime says (`running healthy`, `exited`, `Pending, not ready`, …). */
  readonly state: string;
}

/** The runtime's engine: what runs the workloads, its version, and golive's minimum for it. */
export interface EngineVersion {
  readonly name: string;
  readonly version: string;
  readonly minimum: string;
  readonly ok: boolean;
}

export interface RuntimeAccess {
  readonly runtime: LiveEnvironment["runtime"];
  /**
   * Why this runtime cannot be reached at all from the stack's outputs (an output of an older
   * golive, a missing tool), else undefined. Every check answers unknown with it.
   */
  readonly problem?: string;
  /** Where a workload runs, for messages: its container, its pods' namespace, its CT-ID. */
  where(workload: string): string;
  /** Runs a command in the workload's container; its stdout. Rejects with what the command said. */
  exec(
    workload: string,
    command: readonly string[],
    opts?: { timeoutSeconds?: number },
  ): Promise<string>;
  /**
   * The command line (program and arguments, run here) that runs `command` in the workload's
   * container with its standard streams passed through: for what `exec` cannot carry, a dump to a
   * file or a file to a restore. `stdin`: the command reads this side's standard input.
   */
  command(
    workload: string,
    command: readonly string[],
    opts?: { stdin?: boolean },
  ): Promise<{ file: string; args: string[] }>;
  /** Why the workload's named port cannot be reached from this side, else undefined. */
  unreachable(workload: string, port: string): string | undefined;
  /**
   * Runs `use` with a port on 127.0.0.1 that reaches the workload's named port, and closes what
   * was opened for it afterwards. Rejects when `unreachable` says why.
   */
  forward<T>(workload: string, port: string, use: (localPort: number) => Promise<T>): Promise<T>;
  /** The runtime's own view of every instance of these workloads (a workload with none: one entry without `instance`, saying so). */
  instances(workloads: readonly string[]): Promise<InstanceState[]>;
  engine(): Promise<EngineVersion>;
  /** Whether the runtime offers NVIDIA GPUs to workloads at all (a reason when it does not). */
  gpuProblem(): Promise<string | undefined>;
}

/**
 * The access to the runtime the stack's outputs name; `nodeKey` is the Proxmox node's SSH private
 * key from the stack's config (LXC).
 */
export function accessFor(env: LiveEnvironment, nodeKey?: string): RuntimeAccess {
  switch (env.runtime) {
    case "docker":
      return dockerAccess(env);
    case "kubernetes":
      return kubernetesAccess(env);
    case "lxc":
      return lxcAccess(env, nodeKey);
  }
}

/** Splits command output into non-empty lines. */
export function lines(out: string): string[] {
  return out.split("\n").filter((l) => l.trim() !== "");
}

/** `a.b.c` (a leading `v` and any suffix ignored) at least `minimum`. */
export function atLeast(version: string, minimum: readonly number[]): boolean {
  const parts = version
    .replace(/^v/, "")
    .split(/[.-]/)
    .map((n) => parseInt(n, 10));
  for (const [i, want] of minimum.entries()) {
    const have = Number.isNaN(parts[i]) || parts[i] === undefined ? 0 : parts[i];
    if (have !== want) return have > want;
  }
  return true;
}
