/**
 * The `golive` command. One subcommand today: `report`. Exit codes: the subcommand's, 2 for a
 * usage error, 1 for an error that stops it (an invalid sign-off or results file, a missing stack).
 */
import * as path from "node:path";
import { parseReportArgs, reportUsage, runReport } from "./report";

const usage = `usage: golive <command> …

commands:
  report   the go-live report of a stack (golive report --help)`;

export function main(argv: readonly string[], root: string, now: Date = new Date()): number {
  const [command, ...rest] = argv;
  if (command !== "report") {
    console.error(
      command === undefined || command === "--help"
        ? usage
        : `golive: unknown command ${command}\n${usage}`,
    );
    return 2;
  }
  if (rest.includes("--help")) {
    console.log(reportUsage);
    return 0;
  }
  let options;
  try {
    options = parseReportArgs(rest, root, now);
  } catch (e) {
    console.error(`golive report: ${(e as Error).message}\n${reportUsage}`);
    return 2;
  }
  try {
    return runReport(options, now);
  } catch (e) {
    console.error((e as Error).message);
    return 1;
  }
}

/** Runs the command line of this process (the bin, or `npx tsx cli/golive.ts`). */
export function run(): void {
  process.exitCode = main(process.argv.slice(2), path.join(__dirname, ".."));
}

if (require.main === module) run();
