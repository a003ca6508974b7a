/**
 * `golive report <stack> --results <file>`: its arguments, the tier it reads from the stack file,
 * the results file's errors, and a run that writes every format and returns the exit code.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { parseReportArgs, runReport, stackTier } from "../../../cli/report";
import { checklistSystems, minCertDays, policiesThatRan, showsPackRan } from "../../../cli/verify";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { checkIds } from "../../../report/checklist/checks";
import { parseResults } from "../../../report/results";

const repo = path.resolve(__dirname, "..", "..", "..");
const now = new Date("2026-12-01T10:00:00Z");

describe("golive report", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "golive-cli-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads its arguments, defaulting the output folder and the day", () => {
    assert.deepEqual(parseReportArgs(["production", "--results", "r.json"], repo, now), {
      stack: "production",
      results: "r.json",
      out: path.join(repo, ".golive", "report", "production"),
      today: "2026-12-01",
      root: repo,
    });
    assert.throws(() => parseReportArgs(["--results", "r.json"], repo, now), /name the stack/);
    // Without --results the report gathers its results on the deployed stack (golive verify).
    assert.deepEqual(
      parseReportArgs(["production", "--restore-drill", "--dir", "/tmp/p"], repo, now),
      {
        stack: "production",
        out: path.join(repo, ".golive", "report", "production"),
        today: "2026-12-01",
        root: repo,
        dir: "/tmp/p",
        restoreDrill: true,
      },
    );
    assert.throws(
      () => parseReportArgs(["production", "--results"], repo, now),
      /--results needs a value/,
    );
    assert.throws(
      () => parseReportArgs(["production", "--format", "x"], repo, now),
      /unknown option --format/,
    );
  });

  it("takes the tier from the stack file", () => {
    assert.deepEqual(stackTier(repo, "production"), {
      tier: "production",
      stackFile: "Pulumi.production.yaml",
    });
    assert.equal(stackTier(repo, "staging").tier, "staging");
    assert.throws(() => stackTier(repo, "nosuch"), /Pulumi\.nosuch\.yaml does not exist/);
  });

  it("refuses a results file with unknown check IDs or fields, naming each path", () => {
    assert.throws(
      () =>
        parseResults(
          JSON.stringify({
            gates: {
              read: true,
              violations: [{ policyName: "p", message: "m", enforcementLevel: "fatal" }],
            },
            checks: [{ checkId: "ping", status: "pass", message: "", seconds: 1 }],
            extra: 1,
          }),
          "results.json",
        ),
      (e: Error) => {
        assert.match(e.message, /^golive: results\.json is invalid \(3 problems\):/);
        assert.match(e.message, /- gates\.violations\[0\]\.enforcementLevel: /);
        assert.match(
          e.message,
          /- checks\[0\]\.checkId: is not a check ID of report\/checklist\/checks\.ts/,
        );
        assert.match(e.message, /- \(file\): Unrecognized key: "extra"/);
        return true;
      },
    );
    assert.throws(
      () =>
        parseResults(
          JSON.stringify({
            gates: { read: false },
            environment: {
              nodes: [{ name: "api", kind: "service", status: "pass" }],
              edges: [{ from: "gateway", to: "api" }],
            },
          }),
          "r.json",
        ),
      /environment\.edges\[0\]: gateway is not a node/,
    );
  });

  it("writes every format and exits 1 when a mandatory item fails, 0 when none does", () => {
    const results = path.join(dir, "results.json");
    const out = path.join(dir, "out");
    const lines: string[] = [];
    fs.writeFileSync(
      results,
      JSON.stringify({
        gates: { read: true, violations: [] },
        checks: [],
        systems: ["valero-neuroerp"],
      }),
    );
    const code = runReport(
      { stack: "staging", results, out, today: "2026-12-01", root: repo },
      now,
      (l) => lines.push(l),
    );
    assert.equal(code, 1);
    assert.deepEqual(fs.readdirSync(out).sort(), [
      "codequality.json",
      "junit.xml",
      "report.html",
      "report.md",
      "report.sarif",
    ]);
    assert.match(lines[0], /^staging \(staging\): not ready: \d+ mandatory items failing$/);
    assert.ok(
      lines.some((l) =>
        /unknown\s+valero-neuroerp\.alle-services-aktiv-und-erreichbar: service-healthy unknown: did not run/.test(
          l,
        ),
      ),
    );

    // Staging, every check passing and the last update done: unsigned manual items do not fail it.
    fs.writeFileSync(
      results,
      JSON.stringify({
        gates: { read: true, violations: [] },
        checks: checkIds.map((checkId) => ({ checkId, status: "pass", message: "ok", seconds: 1 })),
        deployment: { status: "succeeded" },
        systems: ["valero-neuroerp"],
      }),
    );
    assert.equal(
      runReport({ stack: "staging", results, out, today: "2026-12-01", root: repo }, now, () => {}),
      0,
    );
  });
});

describe("golive verify's gates", () => {
  it("counts as run every policy of the pack but those the stack's pack config disables", () => {
    const production = policiesThatRan(path.join(repo, "policies", "config", "production.json"));
    const dev = policiesThatRan(path.join(repo, "policies", "config", "dev.json"));
    assert.ok(production.includes("tls-enforce-certificate-validity"));
    assert.deepEqual(
      production.filter((p) => !dev.includes(p)),
      [
        "logging-disallow-debug-in-production",
        "postgres-missing-replica",
        "workload-enforce-replicas-pdb",
      ],
    );
  });

  it("reads the stack's checklist systems and the pack's certificate threshold", () => {
    assert.equal(checklistSystems(repo, "production"), undefined);
    assert.equal(minCertDays(path.join(repo, "policies", "config", "production.json")), 30);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "golive-systems-"));
    try {
      fs.writeFileSync(
        path.join(dir, "Pulumi.s.yaml"),
        "config:\n  golive:checklistSystems: [ablage]\n",
      );
      assert.deepEqual(checklistSystems(dir, "s"), ["ablage"]);
      fs.writeFileSync(
        path.join(dir, "Pulumi.s.yaml"),
        "config:\n  golive:checklistSystems: ablage\n",
      );
      assert.throws(
        () => checklistSystems(dir, "s"),
        /golive:checklistSystems must be a list of system names/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads a policy pack that found nothing as run, from the events the engine writes", () => {
    const ev = (o: Record<string, unknown>) => ({ sequence: 1, timestamp: 1, ...o }) as EngineEvent;
    const summary = (packs: Record<string, string>) => ({
      maybeCorrupt: false,
      durationSeconds: 5,
      resourceChanges: { same: 64 },
      PolicyPacks: packs,
      isPreview: true,
    });
    assert.equal(
      showsPackRan(ev({ summaryEvent: summary({ "golive|local|policies": "0.1.0" }) })),
      "summary",
    );
    assert.equal(showsPackRan(ev({ summaryEvent: summary({}) })), undefined);
    assert.equal(
      showsPackRan(
        ev({ policyAnalyzeStackSummaryEvent: { policyPackName: "golive", passed: [] } }),
      ),
      "stack",
    );
    // Some resources analysed is not the pack having judged the stack.
    assert.equal(
      showsPackRan(ev({ policyAnalyzeSummaryEvent: { policyPackName: "golive", passed: [] } })),
      undefined,
    );
    assert.equal(showsPackRan(ev({ cancelEvent: {} })), undefined);
  });
});
