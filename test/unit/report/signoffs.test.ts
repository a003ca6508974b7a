/**
 * Sign-off files (signoffs/<stack>.yaml): the repository's own, and the errors for bad ones, each
 * naming the entry's path and what was expected.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { loadChecklist } from "../../../report/checklist/registry";
import {
  formatSignoffProblems,
  loadSignoffs,
  parseSignoffs,
  signoffsDir,
} from "../../../report/signoffs";

const checklist = loadChecklist();
const today = "2026-12-01";
const manual = "psa-platform.fencing-konfiguriert-bei-hardware";

function problems(text: string): string[] {
  const r = parseSignoffs(text, checklist, today);
  assert.ok(!r.ok, "the file is accepted");
  return r.problems.map((p) => `${p.path}: ${p.message}`);
}

describe("sign-off files", () => {
  it("accepts every file of the repository (signoffs/*.yaml)", () => {
    const files = fs.readdirSync(signoffsDir).filter((f) => f.endsWith(".yaml"));
    assert.ok(files.includes("production.yaml"));
    for (const f of files) {
      const r = parseSignoffs(
        fs.readFileSync(path.join(signoffsDir, f), "utf8"),
        checklist,
        "2099-12-31",
      );
      assert.ok(r.ok, `${f}: ${!r.ok && formatSignoffProblems(f, r.problems)}`);
      assert.ok(r.signoffs.length > 0, f);
    }
  });

  it("reads a good file: dates quoted or not, evidence optional", () => {
    const r = parseSignoffs(
      `signoffs:
  - { item: ${manual}, by: M. Keller, date: 2026-11-24, note: failover test passed }
  - { item: ${manual}, by: A. Yilmaz, date: "2026-11-25", note: reviewed, evidence: "https://tickets.example.com/1" }
`,
      checklist,
      today,
    );
    assert.ok(r.ok);
    assert.deepEqual(
      r.signoffs.map((s) => [s.by, s.date, s.evidence]),
      [
        ["M. Keller", "2026-11-24", undefined],
        ["A. Yilmaz", "2026-11-25", "https://tickets.example.com/1"],
      ],
    );
  });

  it("refuses an unknown item, a non-manual item and a heading, saying why", () => {
    assert.deepEqual(
      problems(`signoffs:
  - { item: psa-platform.no-such-item, by: x, date: 2026-11-24, note: n }
  - { item: cgs-assist.hardware-spezifikationen-pruefen, by: x, date: 2026-11-24, note: n }
  - { item: cgs-assist.backup-restore-testen, by: x, date: 2026-11-24, note: n }
  - { item: psa-platform.netzwerk, by: x, date: 2026-11-24, note: n }
`),
      [
        "signoffs[0].item: psa-platform.no-such-item is not an item of the checklist registry",
        "signoffs[1].item: cgs-assist.hardware-spezifikationen-pruefen is a gate item: only manual items are signed off (its policy decides it)",
        "signoffs[2].item: cgs-assist.backup-restore-testen is a verified item: only manual items are signed off (its live check decides it)",
        "signoffs[3].item: psa-platform.netzwerk is a heading: sign off its sub-items (psa-platform.vlans-konfiguriert-management-app-db-dmz, psa-platform.firewall-regeln-aktiviert, psa-platform.load-balancer-haproxy-konfiguriert, psa-platform.dns-eintraege-gesetzt, psa-platform.ssl-zertifikate-installiert, psa-platform.monitoring-netzwerk-eingerichtet)",
      ],
    );
  });

  it("names the path and the expectation of every shape error, all at once", () => {
    assert.deepEqual(
      problems(`signoffs:
  - { item: ${manual}, date: 24.11.2026, note: n, signedBy: x }
  - { item: ${manual}, by: x, date: 2026-02-30, note: n, evidence: not a link }
  - { item: ${manual}, by: x, date: 2026-12-24 }
`).sort(),
      [
        "signoffs[0].signedBy: is not a field of a sign-off (item, by, date, note, evidence)",
        "signoffs[0].by: expected who signed it off",
        "signoffs[0].date: expected a date YYYY-MM-DD",
        "signoffs[1].date: is not a calendar date",
        "signoffs[1].evidence: expected a URL",
        "signoffs[2].note: expected a note: what was agreed or looked at",
      ].sort(),
    );
  });

  it("refuses a sign-off dated after the report's day", () => {
    assert.deepEqual(
      problems(`signoffs:\n  - { item: ${manual}, by: x, date: 2026-12-24, note: n }\n`),
      ["signoffs[0].date: 2026-12-24 is after today (2026-12-01)"],
    );
  });

  it("refuses a file that is not a list of sign-offs", () => {
    assert.deepEqual(problems(`- { item: ${manual} }\n`), [
      "(file): Invalid input: expected object, received array",
    ]);
    assert.deepEqual(problems(`signoffs: {}\n`), ["signoffs: expected a list of sign-offs"]);
    assert.match(problems(`signoffs: [\n`)[0], /^\(file\): is not YAML/);
  });

  it("loads a stack's file with the file named in the error, and none when there is no file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "golive-signoffs-"));
    try {
      assert.deepEqual(loadSignoffs("staging", checklist, today, dir), []);
      fs.writeFileSync(
        path.join(dir, "staging.yaml"),
        "signoffs:\n  - { item: x.y, by: b, date: 2026-11-01, note: n }\n",
      );
      assert.throws(
        () => loadSignoffs("staging", checklist, today, dir),
        /staging\.yaml is invalid \(1 problem\):\n {2}- signoffs\[0\]\.item: x\.y is not an item/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
