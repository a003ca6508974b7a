/**
 * The report's join rules over the real registry: nothing unknown passes, unsigned manual items
 * fail production only, headings follow their mandatory sub-items, and the exit code.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkIds } from "../../../report/checklist/checks";
import { isHeading, loadChecklist, type ChecklistItem } from "../../../report/checklist/registry";
import {
  buildReport,
  exitCode,
  type CheckResult,
  type ItemResult,
  type ReportInput,
} from "../../../report/model";
import type { Signoff } from "../../../report/signoffs";

const checklist = loadChecklist();

const allChecksPass: CheckResult[] = checkIds.map((checkId) => ({
  checkId,
  status: "pass",
  message: "ok",
  seconds: 0.1,
}));

/** A sign-off of every manual (non-heading) item of the given systems. */
function signAll(systems: readonly string[]): Signoff[] {
  const files = new Set(
    checklist.seeds.filter((s) => systems.includes(s.system)).map((s) => s.file),
  );
  return checklist.items
    .filter((i) => i.class === "manual" && !isHeading(checklist, i) && files.has(i.seed))
    .map((i) => ({ item: i.id, by: "A. Person", date: "2026-11-30", note: "done" }));
}

function input(over: Partial<ReportInput> = {}): ReportInput {
  return {
    stack: "production",
    tier: "production",
    generatedAt: "2026-12-01T10:00:00Z",
    stackFile: "Pulumi.production.yaml",
    gates: { read: true, violations: [] },
    checks: allChecksPass,
    deployment: { status: "succeeded" },
    signoffs: [],
    ...over,
  };
}

/**
 * The registry with one verified item no live check can decide (`checks: none` + why): the rule
 * holds for such items though the registry has none today (its last ones became sign-offs).
 */
const noCheckItem = "psa-platform.firewall-regeln-aktiviert";
const withNoCheck = ((): typeof checklist => {
  const swap = (i: ChecklistItem): ChecklistItem =>
    i.id === noCheckItem
      ? {
          id: i.id,
          seed: i.seed,
          line: i.line,
          text: i.text,
          ...(i.gloss ? { gloss: i.gloss } : {}),
          ...(i.parent ? { parent: i.parent } : {}),
          note: i.note,
          class: "verified",
          checks: "none",
          why: "needs a vantage point outside the perimeter",
        }
      : i;
  return {
    seeds: checklist.seeds,
    items: checklist.items.map(swap),
    byId: new Map([...checklist.byId].map(([id, i]) => [id, swap(i)])),
    children: new Map([...checklist.children].map(([id, c]) => [id, c.map(swap)])),
  };
})();

function result(over: Partial<ReportInput>, id: string, from = withNoCheck): ItemResult {
  const r = buildReport(from, input(over)).items.find((i) => i.item.id === id);
  assert.ok(r, id);
  return r;
}

const gateItem = "cgs-assist.hardware-spezifikationen-pruefen"; // host-enforce-minimums
const verifiedItem = "cgs-assist.backup-restore-testen"; // restore-drill
const manualItem = "cgs-assist.kundenanforderungen-erfassen";
const declaredItem = "cgs-assist.disk-space-monitoring";

describe("the report's join rules", () => {
  it("judges every item of the registry once, in registry order", () => {
    const report = buildReport(checklist, input());
    assert.deepEqual(
      report.items.map((r) => r.item.id),
      checklist.items.map((i) => i.id),
    );
  });

  it("fails a gate on a violation of its policy, naming policy, level, message and resource", () => {
    const urn = "urn:pulumi:production::golive::golive:environment:Environment::erp";
    const r = result(
      {
        gates: {
          read: true,
          violations: [
            {
              policyName: "host-enforce-minimums",
              enforcementLevel: "mandatory",
              message: "8 GB < 16 GB",
              resourceUrn: urn,
            },
          ],
        },
      },
      gateItem,
    );
    assert.equal(r.status, "fail");
    assert.ok(r.failing);
    assert.equal(r.message, `host-enforce-minimums (mandatory): 8 GB < 16 GB [${urn}]`);
    assert.deepEqual(r.by, ["policy:host-enforce-minimums"]);
    assert.equal(result({}, gateItem).status, "pass");
  });

  it("never passes what it could not see: unread gates, unknown or missing checks, no check, no deployment result", () => {
    const unread = result(
      { gates: { read: false, reason: "preview exited 255", violations: [] } },
      gateItem,
    );
    assert.deepEqual([unread.status, unread.failing], ["unknown", true]);
    assert.match(unread.message, /could not be read: preview exited 255/);

    const notRun = result(
      { gates: { read: true, violations: [], policies: ["license-require-valid"] } },
      gateItem,
    );
    assert.deepEqual([notRun.status, notRun.failing], ["unknown", true]);

    const unknownCheck = result(
      {
        checks: allChecksPass.map((c) =>
          c.checkId === "restore-drill"
            ? { ...c, status: "unknown", message: "backup volume not mounted" }
            : c,
        ),
      },
      verifiedItem,
    );
    assert.deepEqual([unknownCheck.status, unknownCheck.failing], ["unknown", true]);
    assert.match(unknownCheck.message, /restore-drill unknown: backup volume not mounted/);

    const missing = result(
      { checks: allChecksPass.filter((c) => c.checkId !== "restore-drill") },
      verifiedItem,
    );
    assert.deepEqual(
      [missing.status, missing.failing, missing.message],
      ["unknown", true, "restore-drill unknown: did not run"],
    );

    const none = result({}, noCheckItem);
    assert.deepEqual([none.status, none.failing], ["unknown", true]);
    assert.match(none.message, /^no live check can decide this yet: needs a vantage point/);

    const noDeploy = result({ deployment: undefined }, declaredItem);
    assert.deepEqual([noDeploy.status, noDeploy.failing], ["unknown", true]);
    assert.equal(
      result({ deployment: { status: "failed", message: "exit 1" } }, declaredItem).status,
      "fail",
    );
    assert.equal(result({}, declaredItem).status, "pass");
  });

  it("skips a check that does not apply, and an item none of whose checks applies", () => {
    // cgs-assist.netzwerk-konnektivitaet-testen: app-health, postgres-reachable, pgbouncer.
    const item = "cgs-assist.netzwerk-konnektivitaet-testen";
    const noBouncer = allChecksPass.map((c) =>
      c.checkId === "pgbouncer"
        ? { ...c, status: "skipped" as const, message: "the spec has no pgBouncer" }
        : c,
    );
    const r = result({ checks: noBouncer }, item);
    assert.deepEqual([r.status, r.failing], ["pass", false]);
    assert.match(r.message, /pgbouncer skipped: the spec has no pgBouncer/);
    // ablage.gpu-verfuegbarkeit has gpu-visible alone: no GPU in the spec, nothing to judge.
    const noGpu = allChecksPass.map((c) =>
      c.checkId === "gpu-visible"
        ? { ...c, status: "skipped" as const, message: "no service asks for a GPU" }
        : c,
    );
    const gpu = result({ checks: noGpu }, "ablage.gpu-verfuegbarkeit");
    assert.deepEqual([gpu.status, gpu.failing], ["skipped", false]);
    // A skipped check never outweighs an unknown one.
    const mixed = result(
      {
        checks: noBouncer.map((c) =>
          c.checkId === "app-health" ? { ...c, status: "unknown" as const, message: "timeout" } : c,
        ),
      },
      item,
    );
    assert.deepEqual([mixed.status, mixed.failing], ["unknown", true]);
  });

  it("fails a verified item when any of its checks fails, even if another passed twice", () => {
    const r = result(
      {
        checks: [
          ...allChecksPass,
          {
            checkId: "restore-drill",
            status: "fail",
            message: "12 tables, expected 14",
            seconds: 3,
          },
        ],
      },
      verifiedItem,
    );
    assert.deepEqual(
      [r.status, r.failing, r.message],
      ["fail", true, "restore-drill fail: 12 tables, expected 14"],
    );
  });

  it("fails an unsigned mandatory manual item in production only; a signed one is signed everywhere", () => {
    for (const tier of ["production", "staging", "dev"] as const) {
      const unsigned = result({ tier }, manualItem);
      assert.equal(unsigned.status, "unsigned");
      assert.equal(unsigned.failing, tier === "production", tier);
      assert.equal(unsigned.message, "not signed off (by: customer / project lead)");
      const signed = result(
        {
          tier,
          signoffs: [
            { item: manualItem, by: "J. Doe", date: "2026-11-20", note: "workshop minutes" },
          ],
        },
        manualItem,
      );
      assert.deepEqual(
        [signed.status, signed.failing, signed.message, signed.by],
        [
          "signed",
          false,
          "signed off by J. Doe on 2026-11-20: workshop minutes",
          ["signoff:J. Doe"],
        ],
      );
    }
  });

  it("does not fail the report with an optional item", () => {
    const r = result({}, "psa-platform.redis-cluster-optional-konfiguriert");
    assert.deepEqual([r.status, r.mandatory, r.failing], ["unsigned", false, false]);
  });

  it("judges a heading by its mandatory sub-items: the worst status, failing when one fails", () => {
    // 003:86 Redis: three declared sub-items and the optional Redis Cluster (manual).
    const redis = result({}, "psa-platform.redis");
    assert.ok(redis.heading);
    assert.deepEqual(
      [redis.status, redis.failing, redis.message],
      ["pass", false, "all 3 mandatory sub-items done"],
    );
    assert.deepEqual(redis.by, ["sub-items"]);

    // 003:24 Netzwerk: a gate, declared, verified (one without a check) and manual sub-items.
    const signoffs = signAll(["psa-platform"]);
    const net = result({ signoffs }, "psa-platform.netzwerk");
    assert.deepEqual([net.status, net.failing], ["unknown", true]);
    assert.match(
      net.message,
      /^5 of 6 mandatory sub-items done; open: psa-platform\.firewall-regeln-aktiviert \(unknown\)$/,
    );

    const failed = result(
      {
        signoffs,
        gates: {
          read: true,
          violations: [
            {
              policyName: "tls-require-public-endpoints",
              enforcementLevel: "mandatory",
              message: "no TLS",
            },
          ],
        },
      },
      "psa-platform.netzwerk",
    );
    assert.equal(failed.status, "fail");

    // 003:114 Frontend (manual heading) in staging: unsigned sub-items are reported, not failing.
    const staging = result({ tier: "staging" }, "psa-platform.frontend");
    assert.equal(staging.status, "unsigned");
    assert.equal(staging.failing, false);
    assert.equal(result({ tier: "production" }, "psa-platform.frontend").failing, true);
  });

  it("skips the items of systems the stack does not run, never failing them", () => {
    const report = buildReport(
      checklist,
      input({ systems: ["valero-neuroerp"], gates: { read: false, violations: [] } }),
    );
    const skipped = report.items.filter((r) => r.status === "skipped");
    assert.equal(skipped.length, 305 - 14);
    assert.ok(
      skipped.every((r) => !r.failing && r.message.endsWith("is not a system of stack production")),
    );
  });
});

describe("the report's exit code", () => {
  const valero = { systems: ["valero-neuroerp"], signoffs: signAll(["valero-neuroerp"]) };

  it("is 0 when every mandatory item of the stack's systems passes or is signed", () => {
    assert.equal(exitCode(buildReport(checklist, input(valero))), 0);
  });

  it("is 1 when one mandatory item fails, is unknown, or (in production) is unsigned", () => {
    const oneCheckFails = allChecksPass.map((c) =>
      c.checkId === "latency-p95" ? { ...c, status: "fail" as const } : c,
    );
    assert.equal(exitCode(buildReport(checklist, input({ ...valero, checks: oneCheckFails }))), 1);
    assert.equal(exitCode(buildReport(checklist, input({ ...valero, checks: [] }))), 1);
    const oneUnsigned = { ...valero, signoffs: valero.signoffs.slice(1) };
    assert.equal(exitCode(buildReport(checklist, input(oneUnsigned))), 1);
    assert.equal(exitCode(buildReport(checklist, input({ ...oneUnsigned, tier: "staging" }))), 0);
  });

  it("is 1 for a mandatory violation of a policy that decides no checklist item, 0 for an advisory one", () => {
    const violation = (enforcementLevel: "mandatory" | "advisory") => ({
      ...valero,
      gates: {
        read: true,
        violations: [
          { policyName: "workload-enforce-non-root", enforcementLevel, message: "runs as root" },
        ],
      },
    });
    const report = buildReport(checklist, input(violation("mandatory")));
    assert.deepEqual(
      report.otherViolations.map((v) => v.policyName),
      ["workload-enforce-non-root"],
    );
    assert.equal(exitCode(report), 1);
    assert.equal(exitCode(buildReport(checklist, input(violation("advisory")))), 0);
  });
});
