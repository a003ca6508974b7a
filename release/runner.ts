/**
 * The release's state machine, apart from what its steps do: it runs the plan's steps in order
 * from the first one not yet passed (a resumed release re-runs the step it was killed in; every
 * step is written to be run again), saves the log at every step's start and end, and on a failed
 * step rolls back: the actions `rollbackActions` derives from how far the log got, in order, each
 * recorded; an interrupted release (release/interrupt.ts) rolls back once its running step ended.
 * Tested with fake steps (test/unit/release-runner.test.ts).
 */
import type { RunLog, StepRecord } from "./log";

export interface StepOutcome {
  readonly ok: boolean;
  /** What the step saw or did, in one line; for a failure what was expected. */
  readonly message: string;
  /** Nothing to do (it did not apply); counts as done. */
  readonly skipped?: boolean;
  readonly data?: Record<string, unknown>;
}

export interface RollbackAction {
  /** e.g. "traffic to blue", "restore the pre-release dump". */
  readonly action: string;
  readonly run: () => Promise<{ ok: boolean; message: string }>;
}

export interface RunnerIO<L extends RunLog = RunLog> {
  runStep(step: StepRecord, log: L): Promise<StepOutcome>;
  /** What undoing the run takes, judged from the log (which steps ran). */
  rollbackActions(log: L): RollbackAction[];
  save(log: L): void;
  progress(line: string): void;
  now(): Date;
  /** The signal that interrupted the release, once one did (release/interrupt.ts). */
  interrupted?(): string | undefined;
}

const seconds = (from: number, to: number) => Math.round((to - from) / 100) / 10;

/** The steps still to run: from the first one neither passed nor skipped. */
export function remaining(log: RunLog): StepRecord[] {
  const first = log.steps.findIndex((s) => s.status !== "passed" && s.status !== "skipped");
  return first < 0 ? [] : log.steps.slice(first);
}

function line(log: RunLog, s: StepRecord): string {
  const i = log.steps.indexOf(s) + 1;
  const n = log.steps.length;
  const secs = s.seconds !== undefined ? `${s.seconds.toFixed(1).padStart(6)} s` : "        ";
  return `[${String(i).padStart(2)}/${n}] ${s.name.padEnd(16)} ${s.status.padEnd(7)} ${secs}  ${s.message ?? s.what}`;
}

/**
 * Runs what remains of the release; rolls back on the first failed step. Returns the log in its
 * final state (succeeded, rolled-back or rollback-failed).
 */
export async function runRelease<L extends RunLog>(log: L, io: RunnerIO<L>): Promise<L> {
  for (const step of remaining(log)) {
    const started = io.now().getTime();
    step.status = "running";
    step.startedAt = new Date(started).toISOString();
    delete step.message;
    delete step.seconds;
    io.save(log);
    io.progress(line(log, step));
    let outcome: StepOutcome;
    try {
      outcome = await io.runStep(step, log);
    } catch (e) {
      outcome = { ok: false, message: `stopped: ${(e as Error).message.split("\n")[0]}` };
    }
    step.status = !outcome.ok ? "failed" : outcome.skipped ? "skipped" : "passed";
    step.seconds = seconds(started, io.now().getTime());
    step.message = outcome.message;
    if (outcome.data) step.data = outcome.data;
    io.save(log);
    io.progress(line(log, step));
    if (!outcome.ok) return rollBack(log, io, `${step.name} failed: ${outcome.message}`);
    const signal = io.interrupted?.();
    if (signal !== undefined)
      return rollBack(log, io, `interrupted (${signal}) after ${step.name}`);
  }
  log.state = "succeeded";
  log.endedAt = io.now().toISOString();
  io.save(log);
  return log;
}

/**
 * Undoes the release as far as its log says it got: each action in order, recorded; a failed
 * action leaves the release `rollback-failed` (the later actions still run: getting traffic back
 * matters even when the database cannot be restored, and the other way round).
 */
export async function rollBack<L extends RunLog>(
  log: L,
  io: RunnerIO<L>,
  reason: string,
): Promise<L> {
  log.state = "rolling-back";
  log.reason = reason;
  log.rollback = [];
  io.save(log);
  io.progress(`rollback: ${reason}`);
  let failed = false;
  for (const a of io.rollbackActions(log)) {
    const started = io.now().getTime();
    let r: { ok: boolean; message: string };
    try {
      r = await a.run();
    } catch (e) {
      r = { ok: false, message: (e as Error).message.split("\n")[0] };
    }
    failed ||= !r.ok;
    const rec = {
      action: a.action,
      status: r.ok ? ("passed" as const) : ("failed" as const),
      message: r.message,
      seconds: seconds(started, io.now().getTime()),
    };
    log.rollback.push(rec);
    io.save(log);
    io.progress(
      `rollback: ${rec.action.padEnd(28)} ${rec.status.padEnd(7)} ${rec.seconds.toFixed(1).padStart(6)} s  ${rec.message}`,
    );
  }
  log.state = failed ? "rollback-failed" : "rolled-back";
  log.endedAt = io.now().toISOString();
  io.save(log);
  return log;
}
