/**
 * preflight: a preview of the release's target (the idle colour at the new version, or an
 * in-place service's image at the new tag) through the policy pack, mandatory: a mandatory
 * violation, a failed preview or a pack that did not run stops the release before anything
 * changed. The spec is put back as it was either way; the deploy-idle (or deploy) step makes the
 * change for real.
 */
import { versionSetting, type StepRun } from "./step";

export const preflight: StepRun = async (ctx, log, step) => {
  const [at, value] = versionSetting(log);
  const was = ctx.doc.get(at);
  ctx.doc.set([[at, value]]);
  try {
    const r = await ctx.preview(log, step.name);
    const advisory = r.violations.filter((v) => v.level !== "mandatory");
    const mandatory = r.violations.filter((v) => v.level === "mandatory");
    const data = { changes: r.changes, violations: r.violations };
    if (!r.ok)
      return {
        ok: false,
        message: `the preview failed${mandatory.length > 0 ? ` with ${mandatory.length} mandatory violations (${[...new Set(mandatory.map((v) => v.policy))].join(", ")})` : ""}: ${r.message}`,
        data,
      };
    if (!r.packRan)
      return {
        ok: false,
        message: "the policy pack did not run: its gates are unknown, and a preflight needs them",
        data,
      };
    return {
      ok: true,
      message: `preview through the pack: ${advisory.length} advisory violations, none mandatory; ${r.message.replace(/^preview: /, "")}`,
      data,
    };
  } finally {
    ctx.doc.set([[at, was]]);
  }
};
