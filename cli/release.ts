/**
 * `golive release <stack> --version <tag>`: the stack's release plan (`release.plan`, defaults of
 * the seeds' procedures: docs/release.md) as one gated run through the Automation API, rolled back
 * on any failed step; one progress line per step; the log as JSON and Markdown under
 * .golive/releases/<stack>/. One release per stack at a time (a lock beside the logs); a release
 * killed before it ended is resumed (`--resume`) or rolled back before the next one starts; one
 * interrupted (SIGINT, SIGTERM) rolls back once its running step ended (release/interrupt.ts).
 * Exit codes: 0 released (or --plan printed), 1 rolled back or refused, 2 a usage error,
 * 3 the rollback itself failed (an operator must look).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { formatProblems, parseSpec } from "../components/config/load";
import { releaseContext, selectStack } from "../release/context";
import {
  canaryRollbackActions,
  formatCanaryPlan,
  newCanaryLog,
  resolveCanary,
} from "../release/canary";
import { newLog, releasesDir, saveLog, unfinished, type AnyLog } from "../release/log";
import { onSignals } from "../release/interrupt";
import { acquireLock, LockHeld } from "../release/lock";
import { formatPlan, PlanError, resolvePlan } from "../release/plan";
import { rollbackActions } from "../release/rollback";
import { rollBack, runRelease, type RunnerIO } from "../release/runner";
import { SpecDocument } from "../release/spec-doc";
import { steps } from "../release/steps";
import { canaryStep } from "../release/steps/canary-step";
import { canaryWatch } from "../release/steps/canary-watch";
import { checkIds } from "../report/checklist/checks";

export const releaseUsage = `usage: golive release <stack> --version <tag> [options]

Releases <tag> of the stack's service by its plan (release.plan in the stack's spec): a blue/green
one by preflight, maintenance, backup, the idle colour, health, smoke, split, watch, switch,
verify; any other in place: preflight, maintenance, backup, workers stopped, the new image and its
migration, workers started, health, maintenance off, smoke, watch, verify. Rolled back on any
failed step. The log: .golive/releases/<stack>/<id>.{json,md}.

  golive release <stack> --canary <package> [--to <rung>]

climbs a tenant canary's ladder (pilot, 10%, 25%, 50%, 100%) from its current rung, each rung
gated by its tenants' error and handoff rates (release.canary), a failed rung disabled again.

options:
  --version <tag>          the image tag released (required, but with --canary or --resume)
  --canary <package>       run the package's canary ladder instead of a release
  --to <rung>              with --canary: the last rung (default 100%)
  --plan                   print the resolved plan, its steps and thresholds; run nothing
  --resume                 continue a killed release from its last completed step
  --dir <folder>           the Pulumi project (default: the repository)
  --policy-config <file>   the policy pack config (default: policies/config/<stack>.json)

exit codes: 0 released, 1 rolled back or refused, 2 usage error, 3 the rollback failed`;

export interface ReleaseOptions {
  readonly stack: string;
  readonly version?: string;
  readonly canary?: string;
  readonly to?: string;
  readonly plan: boolean;
  readonly resume: boolean;
  readonly dir: string;
  readonly policyConfig: string;
}

export function parseReleaseArgs(args: readonly string[], root: string): ReleaseOptions {
  let stack: string | undefined;
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--plan" || a === "--resume") flags[a.slice(2)] = "yes";
    else if (["--version", "--canary", "--to", "--dir", "--policy-config"].includes(a)) {
      const value = args[++i];
      if (value === undefined || value.startsWith("--")) throw new Error(`${a} needs a value`);
      flags[a.slice(2)] = value;
    } else if (a.startsWith("--")) throw new Error(`unknown option ${a}`);
    else if (stack === undefined) stack = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!stack) throw new Error("name the stack");
  if (!flags.version && !flags.resume && !flags.canary)
    throw new Error("--version <tag> is required");
  if (flags.version && flags.canary) throw new Error("--version and --canary exclude each other");
  if (flags.to && !flags.canary) throw new Error("--to goes with --canary");
  if (flags.version !== undefined && !/^[A-Za-z0-9._-]+$/.test(flags.version))
    throw new Error(`--version ${JSON.stringify(flags.version)} is not an image tag`);
  if (flags.plan && flags.resume) throw new Error("--plan and --resume exclude each other");
  const dir = flags.dir ? path.resolve(flags.dir) : root;
  return {
    stack,
    ...(flags.version ? { version: flags.version } : {}),
    ...(flags.canary ? { canary: flags.canary } : {}),
    ...(flags.to ? { to: flags.to } : {}),
    plan: flags.plan === "yes",
    resume: flags.resume === "yes",
    dir,
    policyConfig: flags["policy-config"]
      ? path.resolve(flags["policy-config"])
      : path.join(dir, "policies", "config", `${stack}.json`),
  };
}

/** The stack's spec as it is now, validated. */
function specOf(options: ReleaseOptions) {
  return specAndRaw(options).spec;
}

/** The stack's spec, validated, and as written. */
function specAndRaw(options: ReleaseOptions) {
  const raw = new SpecDocument(options.dir, options.stack).raw();
  const parsed = parseSpec(raw);
  if (!parsed.ok)
    throw new PlanError(
      formatProblems(parsed.problems).replace("nothing was deployed", "nothing was released"),
    );
  return { spec: parsed.spec, raw };
}

/** The plan of releasing `version` on the stack, from its spec as it is now. */
function planOf(options: ReleaseOptions, version: string) {
  const { spec, raw } = specAndRaw(options);
  const plan = resolvePlan(options.stack, spec, version, raw);
  const unknownChecks = (plan.plan.verify.checks ?? []).filter(
    (c) => !(checkIds as readonly string[]).includes(c),
  );
  if (unknownChecks.length > 0)
    throw new PlanError(
      `golive:environment.release.plan.verify.checks: ${unknownChecks.join(", ")} ${unknownChecks.length === 1 ? "is no" : "are no"} check ID (report/checklist/checks.ts)`,
    );
  return plan;
}

export async function runReleaseCommand(
  options: ReleaseOptions,
  progress: (line: string) => void,
  print: (line: string) => void,
): Promise<number> {
  const canaryOf = () => resolveCanary(options.stack, specOf(options), options.canary!, options.to);
  if (options.plan) {
    print(
      options.canary ? formatCanaryPlan(canaryOf()) : formatPlan(planOf(options, options.version!)),
    );
    return 0;
  }
  const folder = releasesDir(options.dir, options.stack);
  const lock = acquireLock(
    folder,
    options.version ?? (options.canary ? `canary ${options.canary}` : "resume"),
  );
  const stopSignals = onSignals(progress);
  try {
    if (lock.broke)
      progress(
        `lock: broke the lock of ${lock.broke.release} (pid ${lock.broke.pid} on ${lock.broke.host}, since ${lock.broke.startedAt}): its process is gone`,
      );
    if (!fs.existsSync(options.policyConfig))
      throw new PlanError(`--policy-config: ${options.policyConfig} does not exist`);
    const stack = await selectStack(options.stack, options.dir);
    const ctx = releaseContext(
      stack,
      { dir: options.dir, stackName: options.stack, policyConfig: options.policyConfig, folder },
      progress,
    );
    const io: RunnerIO<AnyLog> = {
      runStep: (step, log) =>
        log.kind === "canary"
          ? step.kind === "canary-step"
            ? canaryStep(ctx, log, step)
            : canaryWatch(ctx, log, step)
          : steps[step.kind as keyof typeof steps](ctx, log, step),
      rollbackActions: (log) =>
        log.kind === "canary" ? canaryRollbackActions(ctx, log) : rollbackActions(ctx, log),
      save: (log) => saveLog(folder, log),
      progress,
      now: () => new Date(),
      interrupted: () => ctx.interruption.reason(),
    };
    const done = (log: AnyLog) => {
      print(
        `release ${log.id}: ${log.state}${log.reason ? ` (${log.reason})` : ""}\nlog: ${path.relative(process.cwd(), path.join(folder, `${log.id}.md`)) || folder}`,
      );
      return log.state === "succeeded" ? 0 : log.state === "rolled-back" ? 1 : 3;
    };

    const killed = unfinished(folder);
    if (options.resume) {
      if (!killed) throw new PlanError("--resume: no unfinished release on this stack to resume");
      const what = killed.kind === "canary" ? `canary ${killed.package}` : killed.version;
      if (
        (options.version || options.canary) &&
        what !== (options.version ?? `canary ${options.canary}`)
      )
        throw new PlanError(`--resume: the unfinished run is ${what}`);
      killed.resumed++;
      const at = killed.steps.find((s) => s.status !== "passed" && s.status !== "skipped");
      const undoing = killed.state === "rolling-back" || killed.state === "rollback-failed";
      progress(
        `resume: ${killed.id} ${undoing ? `was ${killed.state}: rolling back again` : `from ${at?.name ?? "its end"}`}`,
      );
      return done(
        undoing
          ? await rollBack(killed, io, `${killed.reason ?? "killed"}; resumed`)
          : await runRelease(killed, io),
      );
    }
    if (killed) {
      const at = killed.steps.find((s) => s.status === "running")?.name ?? "between two steps";
      const why =
        killed.state === "rollback-failed"
          ? `its rollback failed (${killed.reason ?? "see its log"})`
          : `killed at ${at}`;
      progress(`an unfinished release found: ${killed.id}, ${why}; rolling it back first`);
      const undone = await rollBack(killed, io, `${why}; rolled back before the next release`);
      if (undone.state !== "rolled-back") return done(undone);
    }
    if (options.canary) {
      const c = canaryOf();
      const log = newCanaryLog(c, new Date());
      saveLog(folder, log);
      progress(
        `canary ${c.package} on ${c.stack}: ${c.steps.length} steps, from ${c.before.step} to ${c.rungs.at(-1)}`,
      );
      return done(await runRelease<AnyLog>(log, io));
    }
    const plan = planOf(options, options.version!);
    const log = newLog(plan, new Date());
    saveLog(folder, log);
    progress(
      `release ${plan.service} ${plan.version} on ${plan.stack}: ${plan.steps.length} steps, ${plan.strategy === "in-place" ? `in place, ${plan.before.version} runs` : `${plan.before.active} serves ${plan.before.versions[plan.before.active]}`}`,
    );
    return done(await runRelease<AnyLog>(log, io));
  } finally {
    lock.release();
    stopSignals();
  }
}

/** `golive release …` as the command line runs it; returns the exit code. */
export async function release(
  args: readonly string[],
  root: string,
  progress: (line: string) => void,
): Promise<number> {
  if (args.includes("--help")) {
    console.log(releaseUsage);
    return 0;
  }
  let options: ReleaseOptions;
  try {
    options = parseReleaseArgs(args, root);
  } catch (e) {
    console.error(`golive release: ${(e as Error).message}\n${releaseUsage}`);
    return 2;
  }
  try {
    return await runReleaseCommand(options, progress, console.log);
  } catch (e) {
    console.error(
      e instanceof PlanError || e instanceof LockHeld
        ? e.message
        : `golive release: ${(e as Error).message}`,
    );
    return 1;
  }
}
