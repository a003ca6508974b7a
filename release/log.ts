/**
 * The release log: one JSON file per release under `.golive/releases/<stack>/<id>.json`, written
 * again (whole, through a rename) at every step's start and end, so that a killed release leaves
 * a log saying how far it got; and its Markdown rendering beside it (`<id>.md`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ReleaseCanarySpec } from "../components/config/spec/release-plan";
import type { BlueGreenPlan, InPlacePlan, ResolvedPlan, StepKind } from "./plan";

/** The two step kinds of a canary run: a rung enabled, then its watch window. */
export type CanaryStepKind = "canary-step" | "canary-watch";

export type StepStatus = "pending" | "running" | "passed" | "failed" | "skipped";

export interface StepRecord {
  readonly name: string;
  readonly kind: StepKind | CanaryStepKind;
  readonly what: string;
  status: StepStatus;
  startedAt?: string;
  seconds?: number;
  message?: string;
  /** What the step found or changed (counts, measurements), for the log. */
  data?: Record<string, unknown>;
}

export interface RollbackRecord {
  readonly action: string;
  status: "passed" | "failed";
  message: string;
  seconds: number;
}

/**
 * running: steps under way (or the process was killed); succeeded; rolling-back (a step failed,
 * or a killed release is being undone); rolled-back; rollback-failed (an operator must look).
 */
export type ReleaseState =
  "running" | "succeeded" | "rolling-back" | "rolled-back" | "rollback-failed";

/** What the runner keeps of any run: its steps, its state, its rollback. */
export interface RunLog {
  readonly id: string;
  readonly stack: string;
  readonly startedAt: string;
  state: ReleaseState;
  endedAt?: string;
  /** Why the run stopped: the failed step and its message, or the interruption. */
  reason?: string;
  /** Times the run was resumed after a kill. */
  resumed: number;
  steps: StepRecord[];
  rollback: RollbackRecord[];
  /** Files the steps made (the pre-release dump), relative to the log's folder. */
  files: Record<string, string>;
}

interface ReleaseLogCommon extends RunLog {
  readonly kind: "release";
  readonly service: string;
  readonly version: string;
  readonly migration: boolean;
  readonly plan: ResolvedPlan["plan"];
}

/** A blue/green release (a log without `strategy` is one). */
export interface BlueGreenLog extends ReleaseLogCommon {
  readonly strategy?: "blue-green";
  readonly colour: BlueGreenPlan["colour"];
  readonly before: BlueGreenPlan["before"];
}

/** An in-place release. */
export interface InPlaceLog extends ReleaseLogCommon {
  readonly strategy: "in-place";
  readonly colour: "none";
  /** The image the deploy step sets. */
  readonly image: string;
  readonly before: InPlacePlan["before"];
}

/** A release of a service: blue/green or in place. */
export type ReleaseLog = BlueGreenLog | InPlaceLog;

/** A tenant canary run: the package's ladder from its current rung. */
export interface CanaryLog extends RunLog {
  readonly kind: "canary";
  readonly package: string;
  readonly service: string;
  /** The canary's index in the spec's `canaries`. */
  readonly index: number;
  /** The rung (and its previous one) before the run: what a rollback to the start brings back. */
  readonly before: { readonly step: string; readonly previousStep: string };
  readonly canary: ReleaseCanarySpec;
}

export type AnyLog = ReleaseLog | CanaryLog;

/** The log of a release about to start. */
export function newLog(plan: ResolvedPlan, now: Date): ReleaseLog {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const common = {
    kind: "release" as const,
    id: `${stamp}-${plan.service}-${plan.version}`,
    stack: plan.stack,
    service: plan.service,
    version: plan.version,
    migration: plan.migration,
    plan: plan.plan,
    startedAt: now.toISOString(),
    state: "running" as const,
    resumed: 0,
    steps: plan.steps.map((s) => ({ ...s, status: "pending" as const })),
    rollback: [],
    files: {},
  };
  return plan.strategy === "in-place"
    ? {
        ...common,
        strategy: "in-place",
        colour: "none",
        image: plan.image,
        before: plan.before,
      }
    : { ...common, strategy: "blue-green", colour: plan.colour, before: plan.before };
}

/** The folder of a stack's release logs (and its lock). */
export const releasesDir = (dir: string, stack: string) =>
  path.join(dir, ".golive", "releases", stack);

/** Writes the log and its Markdown, each through a temporary file and a rename. */
export function saveLog(folder: string, log: AnyLog): void {
  fs.mkdirSync(folder, { recursive: true });
  const write = (file: string, text: string) => {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  };
  write(path.join(folder, `${log.id}.json`), `${JSON.stringify(log, null, 2)}\n`);
  write(path.join(folder, `${log.id}.md`), renderMarkdown(log));
}

/** Every release log of a stack, oldest first (ids start with the start time). */
export function readLogs(folder: string): AnyLog[] {
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder)
    .filter((f) => /^\d{8}T\d{6}Z-[^.]*(\.[^.]+)*\.json$/.test(f) && !f.endsWith(".verify.json"))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(folder, f), "utf8")) as AnyLog);
}

/**
 * The run a killed process left unfinished, or whose rollback failed, if any (the newest such
 * log): the next run rolls it back (again) before anything else, or `--resume` continues it.
 */
export function unfinished(folder: string): AnyLog | undefined {
  return readLogs(folder)
    .reverse()
    .find(
      (l) => l.state === "running" || l.state === "rolling-back" || l.state === "rollback-failed",
    );
}

const mark: Record<StepStatus, string> = {
  pending: "·",
  running: "…",
  passed: "✔",
  failed: "✘",
  skipped: "–",
};

const cell = (s: string | undefined) => (s ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The log as Markdown: the release, its steps as a table, the rollback if there was one. */
export function renderMarkdown(log: AnyLog): string {
  const lines = [
    log.kind === "canary"
      ? `# Canary ${log.package} on ${log.stack}`
      : `# Release ${log.service} ${log.version} on ${log.stack}`,
    "",
    `- id: \`${log.id}\``,
    `- state: **${log.state}**${log.reason ? ` (${cell(log.reason)})` : ""}`,
    `- started: ${log.startedAt}${log.endedAt ? `, ended: ${log.endedAt}` : ""}${log.resumed > 0 ? `, resumed ${log.resumed}×` : ""}`,
    log.kind === "canary"
      ? `- before: ${log.package} on ${log.service} at ${log.before.step} (after ${log.before.previousStep})`
      : log.strategy === "in-place"
        ? `- before: ${log.service} ran ${log.before.version}, released in place → ${log.version}`
        : `- before: ${log.before.active} served ${log.before.versions[log.before.active]}; ${log.colour} ${log.before.versions[log.colour]} → ${log.version}`,
    "",
    "## Steps",
    "",
    "| # | step | status | seconds | what | result |",
    "|---|---|---|---|---|---|",
    ...log.steps.map(
      (s, i) =>
        `| ${i + 1} | ${s.name} | ${mark[s.status]} ${s.status} | ${s.seconds !== undefined ? s.seconds.toFixed(1) : ""} | ${cell(s.what)} | ${cell(s.message)} |`,
    ),
  ];
  if (log.rollback.length > 0) {
    lines.push(
      "",
      "## Rollback",
      "",
      "| action | status | seconds | result |",
      "|---|---|---|---|",
      ...log.rollback.map(
        (r) =>
          `| ${r.action} | ${mark[r.status]} ${r.status} | ${r.seconds.toFixed(1)} | ${cell(r.message)} |`,
      ),
    );
  }
  return `${lines.join("\n")}\n`;
}
