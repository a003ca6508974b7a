/**
 * smoke: the plan's smoke command, run without a shell, with what it tests in its environment:
 * GOLIVE_RELEASE_STACK, _SERVICE, _VERSION, _COLOUR, _WORKLOAD (the new colour's workload, its host
 * name inside the environment), _CONTAINER (its Docker container) and _URL (the gateway's HTTPS
 * address on 127.0.0.1, where it publishes one). Exit 0 passes; anything else, or the timeout, fails.
 */
import { spawn } from "node:child_process";
import { colourWorkload, type StepRun } from "./step";

export const smoke: StepRun = async (ctx, log) => {
  const plan = log.plan.smoke!;
  const { env } = await ctx.live();
  const workload = colourWorkload(log);
  const vars: Record<string, string> = {
    GOLIVE_RELEASE_STACK: log.stack,
    GOLIVE_RELEASE_SERVICE: log.service,
    GOLIVE_RELEASE_VERSION: log.version,
    GOLIVE_RELEASE_COLOUR: log.colour,
    GOLIVE_RELEASE_WORKLOAD: workload,
    GOLIVE_RELEASE_CONTAINER: `${env.prefix}-${workload}`,
    ...(env.gateway?.httpsPort
      ? { GOLIVE_RELEASE_URL: `https://127.0.0.1:${env.gateway.httpsPort}` }
      : {}),
  };
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
