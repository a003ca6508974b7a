/**
 * health: the new colour's containers run and report healthy, polled until the plan's timeout;
 * the report's own `service-healthy` check, narrowed to the colour's workload, decides (so a
 * runtime it cannot read is unknown, and unknown fails the step).
 */
import { runChecks } from "../../report/checks";
import { colourWorkload, type StepRun } from "./step";

export const health: StepRun = async (ctx, log) => {
  const workload = colourWorkload(log);
  const end = Date.now() + log.plan.healthTimeoutSeconds * 1000;
  for (let attempt = 1; ; attempt++) {
    const { env, secrets, nodeKey, access } = await ctx.live();
    if (!env.workloads.includes(workload))
      return { ok: false, message: `the stack runs no workload ${workload}` };
    const [r] = await runChecks(
      {
        env: { ...env, workloads: [workload] },
        secrets,
        minCertDays: 0,
        restoreDrillDays: 0,
        runRestoreDrill: false,
        now: new Date(),
        ...(nodeKey ? { nodeKey } : {}),
        access,
      },
      () => {},
      ["service-healthy"],
    );
    if (r.status === "pass")
      return { ok: true, message: `${workload}: ${r.message}`, data: { attempts: attempt } };
    if (r.status === "unknown" || Date.now() > end)
      return {
        ok: false,
        message: `${workload} not healthy within ${log.plan.healthTimeoutSeconds} s: ${r.status}: ${r.message}`,
        data: { attempts: attempt },
      };
    await new Promise((r) => setTimeout(r, 2000));
  }
};
