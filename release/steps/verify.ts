/**
 * verify: `golive verify` on the released stack (cli/verify.ts): the preview's policy events and
 * the live checks. It fails when the gates could not be read, on a mandatory violation, or when a
 * check the plan requires (all, unless `verify.checks` names some) fails or is unknown.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { verify as gather } from "../../cli/verify";
import type { StepRun } from "./step";

export const verify: StepRun = async (ctx, log) => {
  const results = await gather(
    {
      stack: ctx.stackName,
      dir: ctx.dir,
      policyConfig: ctx.policyConfig,
      restoreDrill: false,
      restoreDrillDays: 30,
    },
    new Date(),
    (line) => ctx.progress(`        ${line}`),
  );
  const file = path.join(ctx.folder, `${log.id}.verify.json`);
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  const wanted = log.plan.verify.checks;
  const judged = results.checks.filter((c) => !wanted || wanted.includes(c.checkId));
  const missing = (wanted ?? []).filter((id) => !results.checks.some((c) => c.checkId === id));
  const bad = judged.filter((c) => c.status === "fail" || c.status === "unknown");
  const mandatory = results.gates.violations.filter((v) => v.enforcementLevel === "mandatory");
  const problems = [
    ...(results.gates.read ? [] : [`gates not read: ${results.gates.reason}`]),
    ...(mandatory.length > 0 ? [`${mandatory.length} mandatory violations`] : []),
    ...missing.map((id) => `${id}: no such check ran`),
    ...bad.map((c) => `${c.checkId} ${c.status}: ${c.message}`),
  ];
  const passed = judged.filter((c) => c.status === "pass").length;
  const summary = `${passed} of ${judged.length} checks passed, gates ${results.gates.read ? `read (${results.gates.violations.length} violations)` : "not read"}`;
  return problems.length > 0
    ? {
        ok: false,
        message: `${summary}: ${problems.join("; ")}`,
        data: { results: path.basename(file) },
      }
    : { ok: true, message: summary, data: { results: path.basename(file) } };
};
