/**
 * The go-live report's result model: every checklist item judged from what decides it (the
 * preview's policy violations for gates, the last update for declared items, live check results
 * for verified ones, sign-offs for manual ones), and the exit code that follows. Pure: the inputs
 * are data, gathered elsewhere (a results file today, the preview and the live checks later).
 *
 * The rules that make the report trustworthy:
 * - nothing unknown passes: a gate whose results could not be read, a check that did not run or
 *   answered unknown, a deployment result that is missing, are `unknown`, and an unknown
 *   mandatory item fails the report;
 * - an unsigned mandatory manual item fails a production report; in staging and dev it is
 *   reported, not failing;
 * - a heading item is done only when its mandatory sub-items are (the coverage matrix's rule);
 * - a mandatory-level violation of a policy that decides no checklist item still fails it.
 */
import type { CheckId } from "./checklist/checks";
import {
  isHeading,
  isMandatory,
  itemRef,
  type Checklist,
  type ChecklistItem,
} from "./checklist/registry";
import type { Signoff } from "./signoffs";

export type Tier = "dev" | "staging" | "production";

/** One policy violation of a preview, as the engine reports it. */
export interface GateEvent {
  readonly policyName: string;
  readonly resourceUrn?: string;
  readonly message: string;
  readonly enforcementLevel: "advisory" | "mandatory" | "remediate" | "disabled";
}

/** The preview's policy results. */
export interface GateResults {
  /** Whether the policy results could be read at all (a preview that broke before the pack ran: no). */
  readonly read: boolean;
  /** Why they could not be read. */
  readonly reason?: string;
  readonly violations: readonly GateEvent[];
  /** The policies that ran, when known: an item's policy missing from it is not judged. */
  readonly policies?: readonly string[];
}

/**
 * One live check's result. `skipped`: the check does not apply to this stack (the spec has no
 * such thing, e.g. no GPU worker, no pgBouncer); it never stands for a check that could not look.
 */
export interface CheckResult {
  readonly checkId: CheckId;
  readonly status: "pass" | "fail" | "unknown" | "skipped";
  readonly message: string;
  readonly seconds: number;
}

/** The stack's last update: declared items are built when it succeeded. */
export interface DeploymentResult {
  readonly status: "succeeded" | "failed" | "unknown";
  readonly message?: string;
}

export type NodeStatus = "pass" | "fail" | "unknown";

/** The environment as a picture: services, data services and the gateway, and who uses whom. */
export interface EnvironmentGraph {
  readonly nodes: readonly {
    readonly name: string;
    readonly kind: "service" | "data" | "gateway";
    readonly status: NodeStatus;
  }[];
  readonly edges: readonly { readonly from: string; readonly to: string }[];
}

export interface ReportInput {
  readonly stack: string;
  readonly tier: Tier;
  /** ISO time the report was made. */
  readonly generatedAt: string;
  /** The stack config file the gates read (SARIF points gate results at it). */
  readonly stackFile: string;
  readonly gates: GateResults;
  readonly checks: readonly CheckResult[];
  readonly deployment?: DeploymentResult;
  readonly signoffs: readonly Signoff[];
  /** The systems (registry `seeds[].system`) the stack runs; items of others are skipped. All when absent. */
  readonly systems?: readonly string[];
  readonly environment?: EnvironmentGraph;
}

export type ItemStatus = "pass" | "fail" | "unknown" | "signed" | "unsigned" | "skipped";

export interface ItemResult {
  readonly item: ChecklistItem;
  readonly status: ItemStatus;
  /** Whether this item fails the report. */
  readonly failing: boolean;
  readonly mandatory: boolean;
  readonly heading: boolean;
  /** What was seen. */
  readonly message: string;
  /** By what: `policy:<name>`, `check:<id>`, `deployment`, `signoff:<who>`, `sub-items`, `scope`. */
  readonly by: readonly string[];
  /** The violations of the item's policies (for locations in SARIF). */
  readonly violations: readonly GateEvent[];
  /** How long the item's live checks took. */
  readonly seconds: number;
}

export interface Report {
  readonly stack: string;
  readonly tier: Tier;
  readonly generatedAt: string;
  readonly stackFile: string;
  readonly items: readonly ItemResult[];
  /** Violations of policies that decide no checklist item. */
  readonly otherViolations: readonly GateEvent[];
  readonly environment?: EnvironmentGraph;
}

type Judged = Omit<ItemResult, "item" | "failing" | "mandatory" | "heading" | "seconds"> & {
  readonly seconds?: number;
};

function judgeGate(item: ChecklistItem & { class: "gate" }, gates: GateResults): Judged {
  const policies = item.policies ?? [];
  const by = policies.map((p) => `policy:${p}`);
  if (!gates.read) {
    const why = gates.reason ? `: ${gates.reason}` : "";
    return {
      status: "unknown",
      by,
      violations: [],
      message: `the preview's policy results could not be read${why}`,
    };
  }
  const missing = gates.policies ? policies.filter((p) => !gates.policies?.includes(p)) : [];
  const violations = gates.violations.filter(
    (v) => policies.includes(v.policyName) && v.enforcementLevel !== "disabled",
  );
  if (violations.length > 0) {
    const message = violations
      .map(
        (v) =>
          `${v.policyName} (${v.enforcementLevel}): ${v.message}${v.resourceUrn ? ` [${v.resourceUrn}]` : ""}`,
      )
      .join("; ");
    return { status: "fail", by, violations, message };
  }
  if (missing.length > 0) {
    return {
      status: "unknown",
      by,
      violations: [],
      message: `did not run in the preview: ${missing.join(", ")}`,
    };
  }
  return {
    status: "pass",
    by,
    violations: [],
    message: `no violation of ${policies.join(", ")} in the preview`,
  };
}

function judgeDeclared(
  item: ChecklistItem & { class: "declared" },
  deployment?: DeploymentResult,
): Judged {
  const what = [
    ...(item.components ?? []),
    ...(item.specKeys ?? []).map((k) => `spec key ${k}`),
  ].join(", ");
  const base = { by: ["deployment"], violations: [] };
  if (!deployment || deployment.status === "unknown") {
    return {
      ...base,
      status: "unknown",
      message: `built by ${what}, but the result of the stack's last update is not known`,
    };
  }
  const detail = deployment.message ? `: ${deployment.message}` : "";
  return deployment.status === "succeeded"
    ? {
        ...base,
        status: "pass",
        message: `built by ${what}; the stack's last update succeeded${detail}`,
      }
    : {
        ...base,
        status: "fail",
        message: `built by ${what}; the stack's last update failed${detail}`,
      };
}

function judgeVerified(
  item: ChecklistItem & { class: "verified" },
  checks: readonly CheckResult[],
): Judged {
  if (item.checks === undefined || item.checks === "none") {
    return {
      status: "unknown",
      by: [],
      violations: [],
      message: `no live check can decide this yet: ${item.why ?? ""}`,
    };
  }
  const by = item.checks.map((c) => `check:${c}`);
  let seconds = 0;
  const seen = item.checks.map((id) => {
    const results = checks.filter((r) => r.checkId === id);
    seconds += results.reduce((sum, r) => sum + r.seconds, 0);
    if (results.length === 0) return { id, status: "unknown" as const, message: "did not run" };
    const worst =
      results.find((r) => r.status === "fail") ??
      results.find((r) => r.status === "unknown") ??
      results[0];
    return { id, status: worst.status, message: worst.message };
  });
  // A check that does not apply to the stack leaves the decision to the item's other checks; an
  // item none of whose checks applies is skipped, like an item outside the stack's systems.
  const status = seen.some((s) => s.status === "fail")
    ? "fail"
    : seen.some((s) => s.status === "unknown")
      ? "unknown"
      : seen.every((s) => s.status === "skipped")
        ? "skipped"
        : "pass";
  return {
    status,
    by,
    violations: [],
    seconds,
    message: seen.map((s) => `${s.id} ${s.status}: ${s.message}`).join("; "),
  };
}

function judgeManual(
  item: ChecklistItem & { class: "manual" },
  signoffs: readonly Signoff[],
): Judged {
  const mine = signoffs.filter((s) => s.item === item.id);
  if (mine.length === 0) {
    return {
      status: "unsigned",
      by: [],
      violations: [],
      message: `not signed off (by: ${item.signoff ?? "?"})`,
    };
  }
  return {
    status: "signed",
    by: mine.map((s) => `signoff:${s.by}`),
    violations: [],
    message: mine.map((s) => `signed off by ${s.by} on ${s.date}: ${s.note}`).join("; "),
  };
}

/** Worst first: what a heading shows when its sub-items differ. */
const severity: readonly ItemStatus[] = [
  "fail",
  "unknown",
  "unsigned",
  "pass",
  "signed",
  "skipped",
];

function isFailing(status: ItemStatus, mandatory: boolean, tier: Tier): boolean {
  if (!mandatory) return false;
  if (status === "fail" || status === "unknown") return true;
  return status === "unsigned" && tier === "production";
}

/** Judges every item of the checklist from the inputs. */
export function buildReport(checklist: Checklist, input: ReportInput): Report {
  const scope = input.systems ? new Set(input.systems) : undefined;
  const systemOf = new Map(checklist.seeds.map((s) => [s.file, s.system]));
  const results = new Map<string, ItemResult>();

  const judge = (item: ChecklistItem): ItemResult => {
    const done = results.get(item.id);
    if (done) return done;
    const mandatory = isMandatory(item);
    const heading = isHeading(checklist, item);
    let judged: Judged;
    const system = systemOf.get(item.seed) ?? "";
    if (scope && !scope.has(system)) {
      judged = {
        status: "skipped",
        by: ["scope"],
        violations: [],
        message: `${system} is not a system of stack ${input.stack}`,
      };
    } else if (heading) {
      judged = judgeHeading((checklist.children.get(item.id) ?? []).map(judge));
    } else {
      switch (item.class) {
        case "gate":
          judged = judgeGate(item, input.gates);
          break;
        case "declared":
          judged = judgeDeclared(item, input.deployment);
          break;
        case "verified":
          judged = judgeVerified(item, input.checks);
          break;
        case "manual":
          judged = judgeManual(item, input.signoffs);
          break;
      }
    }
    const failing =
      heading && judged.status !== "skipped"
        ? mandatory && (checklist.children.get(item.id) ?? []).some((k) => judge(k).failing)
        : isFailing(judged.status, mandatory, input.tier);
    const result: ItemResult = {
      item,
      mandatory,
      heading,
      failing,
      ...judged,
      seconds: judged.seconds ?? 0,
    };
    results.set(item.id, result);
    return result;
  };

  const items = checklist.items.map(judge);
  const decided = new Set(
    checklist.items.flatMap((i) => (i.class === "gate" ? (i.policies ?? []) : [])),
  );
  return {
    stack: input.stack,
    tier: input.tier,
    generatedAt: input.generatedAt,
    stackFile: input.stackFile,
    items,
    otherViolations: input.gates.violations.filter((v) => !decided.has(v.policyName)),
    environment: input.environment,
  };
}

/** A heading takes the worst status of its mandatory sub-items; optional ones are not counted. */
function judgeHeading(children: readonly ItemResult[]): Judged {
  const counted = children.filter((c) => c.mandatory && c.status !== "skipped");
  if (counted.length === 0) {
    return {
      status: "skipped",
      by: ["sub-items"],
      violations: [],
      message: "no mandatory sub-item is in scope",
    };
  }
  const worst = severity[Math.min(...counted.map((c) => severity.indexOf(c.status)))];
  const done = counted.filter((c) => c.status === "pass" || c.status === "signed");
  const open = counted.filter((c) => c.status !== "pass" && c.status !== "signed");
  const message =
    open.length === 0
      ? `all ${counted.length} mandatory sub-items done`
      : `${done.length} of ${counted.length} mandatory sub-items done; open: ${open.map((c) => `${c.item.id} (${c.status})`).join(", ")}`;
  return { status: worst, by: ["sub-items"], violations: [], message };
}

/** What the report's counts are, for the summaries of every renderer. */
export function reportCounts(report: Report): Record<ItemStatus, number> & { failing: number } {
  const counts = { pass: 0, fail: 0, unknown: 0, signed: 0, unsigned: 0, skipped: 0, failing: 0 };
  for (const r of report.items) {
    counts[r.status]++;
    if (r.failing) counts.failing++;
  }
  return counts;
}

/** Mandatory-level violations that no checklist item accounts for. */
export function failingOtherViolations(report: Report): readonly GateEvent[] {
  return report.otherViolations.filter(
    (v) => v.enforcementLevel === "mandatory" || v.enforcementLevel === "remediate",
  );
}

/**
 * The exit code of `golive report`: 1 when anything mandatory fails (a failing item, or a
 * mandatory-level violation of a policy outside the checklist), 0 otherwise.
 */
export function exitCode(report: Report): 0 | 1 {
  return report.items.some((r) => r.failing) || failingOtherViolations(report).length > 0 ? 1 : 0;
}

/** `000_…txt:23` and the ID, for messages. */
export function describeItem(item: ChecklistItem): string {
  return `${item.id} (${itemRef(item)})`;
}
