import type { ResourceValidationPolicy } from "@pulumi/policy";
import { subject, unknownAtPreview } from "../lib/gate";
import { isKnown, workloadsOf } from "../lib/workloads";

/** Variables that set a log level: LOG_LEVEL, LOGLEVEL, APP_LOG_LEVEL, LOGGING_LEVEL_ROOT, … */
const levelVar = /(^|_)LOG_?LEVEL$|^LOGGING_LEVEL(_|$)|^LOG$/i;
/** Options that set one: --log-level, --loglevel, --log.level, -log-level, --verbosity. */
const levelFlag = /^--?(log[-_.]?level|verbosity)$/i;
const debug = /^(debug|trace|verbose|all|silly)$/i;

/**
 * DEBUG logging leaks data and fills disks: not in production (the pack config disables this in
 * dev). The level is judged wherever it is set: environment variables and command-line options.
 */
export const loggingDisallowDebugInProduction: ResourceValidationPolicy = {
  name: "logging-disallow-debug-in-production",
  description: "No workload logs at DEBUG level (disabled for dev stacks by the pack config).",
  severity: "medium",
  tags: ["monitoring"],
  remediationSteps:
    "Set LOG_LEVEL (or the --log-level option) to INFO (golive's default outside dev).",
  url: "https://golive.dev/checklists#000_a75db8db1bb96064.txt",
  validateResource: (args, reportViolation) => {
    for (const w of workloadsOf(args.type, args.props)) {
      if (!isKnown(w.env)) {
        reportViolation(unknownAtPreview(subject(w), "the environment"));
      } else {
        for (const e of w.env.vars) {
          if (!levelVar.test(e.name)) continue;
          if (!isKnown(e.value)) reportViolation(unknownAtPreview(subject(w), e.name));
          else if (debug.test(e.value.trim()))
            reportViolation(`${subject(w)} logs at ${e.value} (${e.name}).`);
        }
        if (w.env.hidden)
          reportViolation(unknownAtPreview(subject(w), `its log level (${w.env.hidden})`));
      }
      if (!isKnown(w.argv)) {
        reportViolation(unknownAtPreview(subject(w), "the command line"));
        continue;
      }
      // Shell scripts (`sh -c "…"`) are read word by word.
      const argv = w.argv.flatMap((a) => a.split(/\s+/));
      for (let i = 0; i < argv.length; i++) {
        const eq = argv[i].indexOf("=");
        const flag = eq > 0 ? argv[i].slice(0, eq) : argv[i];
        if (!levelFlag.test(flag)) continue;
        const value = eq > 0 ? argv[i].slice(eq + 1) : argv[i + 1];
        if (value !== undefined && debug.test(value.replace(/^['"]|['"]$/g, "")))
          reportViolation(`${subject(w)} logs at ${value} (${flag}).`);
      }
    }
  },
};
