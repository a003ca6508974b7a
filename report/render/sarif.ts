/**
 * The report as SARIF 2.1.0, for code-scanning views (GitHub code scanning, GitLab's SAST widget
 * through converters, IDE viewers): one rule per checklist item and one result per item. A failing
 * item is `level: error`; an item that is not done but does not fail this report (unsigned in
 * staging, an optional item) is a warning or a note; a passing or signed item is `kind: pass` and a
 * skipped one `kind: notApplicable` (SARIF gives both `level: none`). Results point at the seed's
 * line, and a gate's at the stack config file the policies read, with the seed line as a related
 * location and the violating resources as logical locations.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  SarifBuilder,
  SarifResultBuilder,
  SarifRuleBuilder,
  SarifRunBuilder,
} from "node-sarif-builder";
import type { Location, Result } from "sarif";
import { itemRef, type Checklist } from "../checklist/registry";
import type { ItemResult, Report } from "../model";
import { seedUri } from "./common";
import { decidedBy } from "../checklist/coverage-doc";

const repoRoot = path.join(__dirname, "..", "..");

function toolVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

function levelAndKind(r: ItemResult): { level: Result.level; kind: Result.kind } {
  if (r.status === "skipped") return { level: "none", kind: "notApplicable" };
  if (r.status === "pass" || r.status === "signed") return { level: "none", kind: "pass" };
  if (r.failing) return { level: "error", kind: "fail" };
  return { level: r.mandatory ? "warning" : "note", kind: "fail" };
}

function seedLocation(r: ItemResult): Location {
  return {
    physicalLocation: {
      artifactLocation: { uri: seedUri(r.item.seed), uriBaseId: "%SRCROOT%" },
      region: { startLine: r.item.line },
    },
    message: { text: `${itemRef(r.item)}: ${r.item.text}` },
  };
}

export function renderSarif(checklist: Checklist, report: Report): string {
  const sarif = new SarifBuilder();
  const run = new SarifRunBuilder().initSimple({
    toolDriverName: "golive",
    toolDriverVersion: toolVersion(),
  });
  run.run.automationDetails = { id: `golive-report/${report.stack}/${report.generatedAt}` };
  run.run.properties = { stack: report.stack, tier: report.tier };
  for (const r of report.items) {
    const rule = new SarifRuleBuilder().initSimple({
      ruleId: r.item.id,
      shortDescriptionText: r.item.gloss ?? r.item.text,
      fullDescriptionText: `${r.item.text} (${r.item.class}; ${decidedBy(checklist, r.item)})`,
    });
    rule.rule.help = { text: r.item.note };
    rule.rule.defaultConfiguration = { level: r.mandatory ? "error" : "note" };
    rule.rule.properties = {
      tags: [r.item.class, checklist.seeds.find((s) => s.file === r.item.seed)?.system ?? ""],
      seed: itemRef(r.item),
      mandatory: r.mandatory,
    };
    run.addRule(rule);

    const { level, kind } = levelAndKind(r);
    const result = new SarifResultBuilder();
    result.setRuleId(r.item.id);
    result.result.level = level;
    result.result.kind = kind;
    result.result.message = { text: `${r.status}: ${r.message}` };
    if (r.item.class === "gate" && !r.heading) {
      const resources = [...new Set(r.violations.flatMap((v) => v.resourceUrn ?? []))];
      result.result.locations = [
        {
          physicalLocation: { artifactLocation: { uri: report.stackFile, uriBaseId: "%SRCROOT%" } },
          ...(resources.length > 0
            ? {
                logicalLocations: resources.map((urn) => ({
                  fullyQualifiedName: urn,
                  kind: "resource",
                })),
              }
            : {}),
        },
      ];
      result.result.relatedLocations = [{ id: 0, ...seedLocation(r) }];
    } else {
      result.result.locations = [seedLocation(r)];
    }
    result.result.properties = { status: r.status, by: r.by, mandatory: r.mandatory };
    run.addResult(result);
  }
  sarif.addRun(run);
  return sarif.buildSarifJsonString({ indent: true });
}
