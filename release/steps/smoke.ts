/**
 * smoke: the plan's smoke command, run without a shell, with what it tests in its environment:
 * GOLIVE_RELEASE_STACK, _SERVICE, _VERSION, _COLOUR, _WORKLOAD (the new colour's workload, its host
 * name inside the environment), _RUNTIME (docker, kubernetes, lxc) and where the workload runs:
 * _CONTAINER (its Docker container), _NAMESPACE (its Kubernetes namespace; its pods carry
 * `app.kubernetes.io/name=<workload>`), or _CTID, _NODE and _NODE_PORT (its Proxmox container and
 * the node's SSH address); _URL is the gateway's HTTPS address on 127.0.0.1 where it publishes a
 * host port. Exit 0 passes; anything else, or the timeout, fails.
 */
import { spawn } from "node:child_process";
import type { LiveEnvironment } from "../../policies/lib/contract";
import type { ReleaseLog } from "../log";
import { colourWorkload, type StepRun } from "./step";

/** The smoke command's GOLIVE_RELEASE_* variables: what it tests, and where that runs. */
export function smokeEnvironment(
  log: Pick<ReleaseLog, "stack" | "service" | "version" | "colour">,
  env: LiveEnvironment,
  workload: string,
): Record<string, string> {
  const id = env.lxc?.ids[workload];
  return {
    GOLIVE_RELEASE_STACK: log.stack,
    GOLIVE_RELEASE_SERVICE: log.service,
    GOLIVE_RELEASE_VERSION: log.version,
    GOLIVE_RELEASE_COLOUR: log.colour,
    GOLIVE_RELEASE_WORKLOAD: workload,
    GOLIVE_RELEASE_RUNTIME: env.runtime,
    ...(env.runtime === "docker" ? { GOLIVE_RELEASE_CONTAINER: `${env.prefix}-${workload}` } : {}),
    ...(env.runtime === "kubernetes" && env.kubernetes
      ? { GOLIVE_RELEASE_NAMESPACE: env.kubernetes.namespace }
      : {}),
    ...(env.runtime === "lxc" && id !== undefined
      ? {
          GOLIVE_RELEASE_CTID: String(id),
          GOLIVE_RELEASE_NODE: `${env.lxc!.node.user}@${env.lxc!.node.host}`,
          GOLIVE_RELEASE_NODE_PORT: String(env.lxc!.node.port),
        }
      : {}),
    ...(env.gateway?.httpsPort
      ? { GOLIVE_RELEASE_URL: `https://127.0.0.1:${env.gateway.httpsPort}` }
      : {}),
  };
}

export const smoke: StepRun = async (ctx, log) => {
  const plan = log.plan.smoke!;
  const { env } = await ctx.live();
  const workload = colourWorkload(log);
  const vars = smokeEnvironment(log, env, workload);
  const [cmd, ...args] = plan.command;
  const r = await new Promise<{ code: number | null; output: string; why?: string }>((resolve) => {
    const child = spawn(cmd, args, { cwd: ctx.dir, env: { ...process.env, ...vars } });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), plan.timeoutSeconds * 1000);
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ code: null, output, why: e.message });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        output,
        ...(signal ? { why: `stopped after ${plan.timeoutSeconds} s` } : {}),
      });
    });
  });
  const tail = r.output.trim().split("\n").slice(-3).join(" | ").slice(0, 300);
  if (r.code === 0)
    return { ok: true, message: `smoke passed on ${workload}${tail ? `: ${tail}` : ""}` };
  return {
    ok: false,
    message: `smoke failed on ${workload} (${r.why ?? `exit ${r.code}`})${tail ? `: ${tail}` : ""}`,
  };
};
