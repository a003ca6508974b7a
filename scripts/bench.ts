/**
 * `npm run bench`: what the policy pack costs at preview, for 10, 100 and 1,000 generated Docker
 * services (test/engine/generated-spec.ts, kept in a spec file). Each figure is the median of a
 * few real `pulumi preview` runs (a temporary stack on a local file backend, no prior state),
 * without and with `--policy-pack policies` at staging's settings (one replica per service: test/scenarios/generated.policy.json). Prints progress on stderr and
 * the table on stdout; it is a benchmark, not a test, and asserts nothing.
 *
 * Options: --sizes 10,100,1000   --reps 3   --budget-minutes 30: a repetition beyond the first runs
 * only if it and one run of every size still to come (guessed from the last size measured) fit.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { specFileStackConfig, specFileText } from "../test/engine/generated-spec";
import { Project, toCreate, type RunResult } from "../test/engine/harness";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "10,100,1000" },
    reps: { type: "string", default: "3" },
    "budget-minutes": { type: "string", default: "30" },
  },
});
const sizes = values.sizes.split(",").map(Number);
const reps = Number(values.reps);
const budgetSeconds = Number(values["budget-minutes"]) * 60;
const started = process.hrtime.bigint();
const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
const progress = (msg: string) =>
  process.stderr.write(`bench: [${elapsed().toFixed(0)}s] ${msg}\n`);

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The diagnostics of a failed run (what the engine reported), not its long outputs listing. */
function diagnostics(output: string): string {
  const start = output.indexOf("Diagnostics:");
  if (start < 0) return output.slice(-4000);
  const end = output.search(/\n(Outputs|Resources):/);
  return output.slice(start, end > start ? end : undefined).slice(0, 8000);
}

/**
 * Runs one preview; a failure is printed and the run tried once more (the Docker engine these
 * machines share answers slowly at times), a second failure stops the benchmark.
 */
function preview(what: string, run: () => RunResult): RunResult {
  const r = run();
  if (r.code === 0) return r;
  progress(`${what} failed (exit ${r.code}); trying once more:\n${diagnostics(r.output)}`);
  const again = run();
  if (again.code !== 0) {
    throw new Error(
      `bench: ${what} failed twice (exit ${again.code}):\n${diagnostics(again.output)}`,
    );
  }
  return again;
}

interface Row {
  services: number;
  resources: number;
  runs: number;
  plain: number;
  pack: number;
}

/** A guess at one repetition's seconds for `services`, from a measured size (cost ~ services + 50). */
const guess = (measured: { services: number; seconds: number }, services: number) =>
  (measured.seconds * (services + 50)) / (measured.services + 50);

const rows: Row[] = [];
let last: { services: number; seconds: number } | undefined;
for (const [index, services] of sizes.entries()) {
  const p = new Project(`bench-${services}`, "bench", specFileStackConfig("big.yaml"));
  fs.writeFileSync(path.join(p.dir, "big.yaml"), specFileText(services));
  const runs: { plain: number[]; pack: number[] } = { plain: [], pack: [] };
  let resources = 0;
  for (let rep = 1; rep <= reps; rep++) {
    if (rep > 1 && last) {
      // Another repetition only if one more of this size and one of each size still to run fit.
      const ahead = sizes.slice(index + 1).reduce((sum, s) => sum + guess(last!, s), 0);
      if (elapsed() + last.seconds + ahead > budgetSeconds) {
        progress(`${services} services: budget reached after ${rep - 1} repetition(s)`);
        break;
      }
    }
    const plain = preview(`preview of ${services} services`, () =>
      p.pulumi(["preview", "--non-interactive"]),
    );
    const pack = preview(`preview of ${services} services with the policy pack`, () =>
      p.preview("test/scenarios/generated.policy.json"),
    );
    resources = toCreate(pack.output);
    runs.plain.push(plain.seconds);
    runs.pack.push(pack.seconds);
    last = { services, seconds: plain.seconds + pack.seconds };
    progress(
      `${services} services, run ${rep}/${reps}: ${plain.seconds.toFixed(1)} s, ` +
        `with the pack ${pack.seconds.toFixed(1)} s (${resources} resources)`,
    );
  }
  rows.push({
    services,
    resources,
    runs: runs.plain.length,
    plain: median(runs.plain),
    pack: median(runs.pack),
  });
  fs.rmSync(p.dir, { recursive: true, force: true });
}

const header = [
  "services",
  "resources",
  "runs",
  "preview s",
  "with pack s",
  "ratio",
  "pack ms/resource",
];
const table = rows.map((r) => [
  String(r.services),
  String(r.resources),
  String(r.runs),
  r.plain.toFixed(1),
  r.pack.toFixed(1),
  (r.pack / r.plain).toFixed(2),
  (((r.pack - r.plain) * 1000) / r.resources).toFixed(1),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join("  ");
process.stdout.write(
  [line(header), ...table.map(line)].join("\n") +
    `\n(medians; total ${elapsed().toFixed(0)} s; ms/resource = (with pack - preview) / resources)\n`,
);
