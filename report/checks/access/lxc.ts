/**
 * Proxmox LXC: not reached by the checks yet. The way there is SSH to the Proxmox node with the
 * stack's key (`pct exec <CT-ID> -- …` for commands, a tunnel through the node for ports, the
 * workload's systemd unit for health); until then every check answers unknown on LXC, saying so.
 */
import type { LiveEnvironment, LiveSecrets } from "../../../policies/lib/contract";
import type { RuntimeAccess } from ".";

export const lxcProblem =
  "the checks do not reach Proxmox LXC containers yet (no pct exec over SSH to the node)";

export function lxcAccess(_env: LiveEnvironment, _secrets: LiveSecrets): RuntimeAccess {
  const refuse = () => Promise.reject(new Error(lxcProblem));
  return {
    runtime: "lxc",
    problem: lxcProblem,
    where: (w) => `the CT of ${w}`,
    exec: refuse,
    unreachable: () => lxcProblem,
    forward: refuse,
    instances: refuse,
    engine: refuse,
    gpuProblem: refuse,
  };
}
