/** deploy-idle: the idle colour at the new version, then `up`; traffic stays where it is. */
import { blueGreenPath, type StepRun } from "./step";

export const deployIdle: StepRun = async (ctx, log, step) => {
  ctx.doc.set([[blueGreenPath(log, log.colour), log.version]]);
  const r = await ctx.up(log, step.name);
  return {
    ok: r.ok,
    message: r.ok
      ? `${log.service}-${log.colour} ${log.version} deployed; ${r.message}`
      : r.message,
    data: { changes: r.changes },
  };
};
