/** maintenance-on / maintenance-off: `maintenance.enabled` in the spec, then `up` (the gateway answers 503 but for its health path). */
import type { StepRun } from "./step";

const maintenance =
  (enabled: boolean): StepRun =>
  async (ctx, log, step) => {
    ctx.doc.set([[["maintenance", "enabled"], enabled]]);
    const r = await ctx.up(log, step.name);
    return {
      ok: r.ok,
      message: r.ok ? `maintenance mode ${enabled ? "on" : "off"}; ${r.message}` : r.message,
      data: { changes: r.changes },
    };
  };

export const maintenanceOn = maintenance(true);
export const maintenanceOff = maintenance(false);
