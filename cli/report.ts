/**
 * `golive report <stack> [--results <file>]`: renders the go-live report of a stack from its
 * results (the preview's policy violations, live check results, the last update's outcome, the
 * environment graph; see docs/report.md), the stack's sign-offs (signoffs/<stack>.yaml) and the
 * checklist registry, into every format, and exits 1 when anything mandatory fails. Without
 * `--results` it gathers them first on the deployed stack (`golive verify`, cli/verify.ts); with
 * it, it renders a results file offline (the seam between gathering and rendering).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { loadChecklist } from "../report/checklist/registry";
import { buildReport, exitCode, type Tier } from "../report/model";
import { renderCodeQuality } from "../report/render/codequality";
import { verdict, countsLine } from "../report/render/common";
import { renderHtml } from "../report/render/html";
import { renderJunit } from "../report/render/junit";
import { renderMarkdown } from "../report/render/markdown";
import { renderSarif } from "../report/render/sarif";
import { parseResults, type Results } from "../report/results";
import { loadSignoffs } from "../report/signoffs";

export const reportUsage = `usage: golive report <stack> [--results <file.json>] [--out <dir>] [--today YYYY-MM-DD]
                     [--dir <project>] [--policy-config <file.json>] [--restore-drill]

Renders the go-live report of <stack> (Pulumi.<stack>.yaml, signoffs/<stack>.yaml) into <dir>
(default .golive/report/<stack>): report.md, report.html, junit.xml, report.sarif,
codequality.json. With --results, from that file; without, it first runs golive verify on the
deployed stack (the preview's policy events and every live check, a line per check). Exits 1 when
a mandatory item fails, 0 when the stack may go live, 2 on a usage error.`;

export const verifyUsage = `usage: golive verify <stack> [--results <file.json>] [--dir <project>]
                     [--policy-config <file.json>] [--restore-drill] [--restore-drill-days N]

Gathers the go-live results of the deployed <stack>: its outputs and last update (Automation API),
a preview through the policy pack (policies/config/<stack>.json unless --policy-config names one),
and every live check, a line per check. Writes the results file (default
.golive/report/<stack>/results.json) that golive report --results renders. --restore-drill runs a
restore drill into a scratch instance first. Exits 1 when a check fails or could not decide, 0 when
every check passed or does not apply.`;

/** The files `golive report` writes into its output folder, by format (CI uploads them by name). */
export const reportFiles = {
  markdown: "report.md",
  html: "report.html",
  junit: "junit.xml",
  sarif: "report.sarif",
  codeQuality: "codequality.json",
} as const;

export interface ReportOptions {
  readonly stack: string;
  /** The results file; absent: gather them on the deployed stack (golive verify). */
  readonly results?: string;
  readonly out: string;
  readonly today: string;
  /** The repository (signoffs/ is read from here). */
  readonly root: string;
  /** The Pulumi project folder (Pulumi.<stack>.yaml, policies/): the repository unless named. */
  readonly dir?: string;
  readonly policyConfig?: string;
  readonly restoreDrill?: boolean;
  readonly restoreDrillDays?: number;
}

const valueFlags = ["results", "out", "today", "dir", "policy-config", "restore-drill-days"];
const switches = ["restore-drill"];

/** Parses `report`'s (and `verify`'s) arguments; throws a usage error naming what is wrong. */
export function parseReportArgs(args: readonly string[], root: string, now: Date): ReportOptions {
  let stack: string | undefined;
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith("--")) {
      const name = a.slice(2);
      if (switches.includes(name)) {
        flags[name] = "yes";
        continue;
      }
      if (!valueFlags.includes(name)) throw new Error(`unknown option ${a}`);
      const value = args[++i];
      if (value === undefined || value.startsWith("--")) throw new Error(`${a} needs a value`);
      flags[name] = value;
    } else if (stack === undefined) stack = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!stack) throw new Error("name the stack");
  const today = flags.today ?? now.toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today)) throw new Error("--today expects YYYY-MM-DD");
  const days = flags["restore-drill-days"];
  if (days !== undefined && !/^\d+$/.test(days))
    throw new Error("--restore-drill-days expects a whole number of days");
  return {
    stack,
    ...(flags.results ? { results: flags.results } : {}),
    out: flags.out ?? path.join(root, ".golive", "report", stack),
    today,
    root,
    ...(flags.dir ? { dir: path.resolve(flags.dir) } : {}),
    ...(flags["policy-config"] ? { policyConfig: path.resolve(flags["policy-config"]) } : {}),
    ...(flags["restore-drill"] ? { restoreDrill: true } : {}),
    ...(days !== undefined ? { restoreDrillDays: Number(days) } : {}),
  };
}

/** The tier the stack file declares (`golive:environment.tier`, or the spec file's). */
export function stackTier(root: string, stack: string): { tier: Tier; stackFile: string } {
  const stackFile = `Pulumi.${stack}.yaml`;
  const file = path.join(root, stackFile);
  if (!fs.existsSync(file)) throw new Error(`${stackFile} does not exist: no such stack`);
  const doc = YAML.parse(fs.readFileSync(file, "utf8")) as {
    config?: Record<string, unknown>;
  } | null;
  let spec = doc?.config?.["golive:environment"] as { tier?: unknown } | undefined;
  const specFile = doc?.config?.["golive:specFile"];
  if (spec === undefined && typeof specFile === "string")
    spec = YAML.parse(fs.readFileSync(path.join(root, specFile), "utf8")) as { tier?: unknown };
  const tier = spec?.tier;
  if (tier !== "dev" && tier !== "staging" && tier !== "production")
    throw new Error(`${stackFile}: golive:environment.tier is not dev, staging or production`);
  return { tier, stackFile };
}

/** Runs `golive report`; returns the exit code. */
export function runReport(
  options: ReportOptions,
  now: Date,
  print: (line: string) => void = console.log,
  gathered?: Results,
): 0 | 1 {
  const checklist = loadChecklist();
  const { tier, stackFile } = stackTier(options.dir ?? options.root, options.stack);
  if (!gathered && !options.results) throw new Error("golive report: no results to render");
  const results =
    gathered ?? parseResults(fs.readFileSync(options.results!, "utf8"), options.results!);
  const signoffs = loadSignoffs(
    options.stack,
    checklist,
    options.today,
    path.join(options.root, "signoffs"),
  );
  const report = buildReport(checklist, {
    stack: options.stack,
    tier,
    generatedAt: now.toISOString(),
    stackFile,
    signoffs,
    ...results,
  });
  fs.mkdirSync(options.out, { recursive: true });
  const files: [string, string][] = [
    [reportFiles.markdown, renderMarkdown(checklist, report)],
    [reportFiles.html, renderHtml(checklist, report)],
    [reportFiles.junit, renderJunit(checklist, report)],
    [reportFiles.sarif, renderSarif(checklist, report)],
    [reportFiles.codeQuality, renderCodeQuality(report)],
  ];
  for (const [name, text] of files) fs.writeFileSync(path.join(options.out, name), text);
  print(verdict(report));
  print(`items: ${countsLine(report)}`);
  for (const r of report.items.filter((i) => i.failing))
    print(`  ${r.status.padEnd(8)} ${r.item.id}: ${r.message}`);
  print(
    `written to ${path.relative(process.cwd(), options.out) || "."}: ${files.map(([n]) => n).join(", ")}`,
  );
  return exitCode(report);
}
