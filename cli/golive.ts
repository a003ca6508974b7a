/**
 * The `golive` command: `verify` (gather the go-live results on a deployed stack) and `report`
 * (render them; without --results it verifies first). Exit codes: the subcommand's, 2 for a
 * usage error, 1 for an error that stops it (an invalid sign-off or results file, a missing stack).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseReportArgs, reportUsage, runReport, verifyUsage, type ReportOptions } from "./report";
import { release } from "./release";
import { verify } from "./verify";

const usage = `usage: golive <command> …

commands:
  verify   gather a deployed stack's go-live results: policy events and live checks (golive verify --help)
  report   the go-live report of a stack (golive report --help)
  release  release a version by the stack's plan, rolled back on a failed step (golive release --help)`;

/** A progress line: to stderr, on a terminal or when GOLIVE_PROGRESS=1 (CI logs). */
function progressLine(line: string): void {
  if (process.stderr.isTTY || process.env.GOLIVE_PROGRESS === "1")
    process.stderr.write(`${line}\n`);
}

async function gather(options: ReportOptions, now: Date) {
  const dir = options.dir ?? options.root;
  return verify(
    {
      stack: options.stack,
      dir,
      policyConfig:
        options.policyConfig ?? path.join(dir, "policies", "config", `${options.stack}.json`),
      restoreDrill: options.restoreDrill ?? false,
      restoreDrillDays: options.restoreDrillDays ?? 30,
    },
    now,
    progressLine,
  );
}

export async function main(
  argv: readonly string[],
  root: string,
  now: Date = new Date(),
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "release") return release(rest, root, progressLine);
  if (command !== "report" && command !== "verify") {
    console.error(
      command === undefined || command === "--help"
        ? usage
        : `golive: unknown command ${command}\n${usage}`,
    );
    return 2;
  }
  const own = command === "report" ? reportUsage : verifyUsage;
  if (rest.includes("--help")) {
    console.log(own);
    return 0;
  }
  let options: ReportOptions;
  try {
    options = parseReportArgs(rest, root, now);
  } catch (e) {
    console.error(`golive ${command}: ${(e as Error).message}\n${own}`);
    return 2;
  }
  try {
    if (command === "report") {
      const gathered = options.results ? undefined : await gather(options, now);
      return runReport(options, now, console.log, gathered);
    }
    const results = await gather(options, now);
    const file = options.results ?? path.join(options.out, "results.json");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    const counts = { pass: 0, fail: 0, unknown: 0, skipped: 0 };
    for (const c of results.checks) counts[c.status]++;
    console.log(
      `checks: ${Object.entries(counts)
        .map(([k, n]) => `${n} ${k}`)
        .join(
          ", ",
        )}; gates: ${results.gates.read ? `${results.gates.violations.length} violations` : "not read"}`,
    );
    for (const c of results.checks.filter((r) => r.status === "fail" || r.status === "unknown"))
      console.log(`  ${c.status.padEnd(8)} ${c.checkId}: ${c.message}`);
    console.log(`written to ${path.relative(process.cwd(), file) || file}`);
    return counts.fail + counts.unknown > 0 || !results.gates.read ? 1 : 0;
  } catch (e) {
    console.error((e as Error).message);
    return 1;
  }
}

/** Runs the command line of this process (the bin, or `npx tsx cli/golive.ts`). */
export function run(): void {
  void main(process.argv.slice(2), path.join(__dirname, "..")).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) run();
