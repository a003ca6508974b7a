/**
 * The report as one self-contained HTML page: no external asset (styles inline, the environment as
 * inline SVG), so it can be attached to a ticket or archived as a CI artefact and still open years
 * later. The item table has the ID `items`, one row per checklist item.
 */
import type { Checklist } from "../checklist/registry";
import { exitCode, type Report } from "../model";
import { bySeed, countsLine, statuses, verdict } from "./common";
import { escapeXml, renderEnvironmentSvg, statusColours } from "./environment-svg";

const rowColours: Record<string, string> = {
  fail: statusColours.fail.fill,
  unknown: statusColours.unknown.fill,
  unsigned: "#eceff7",
  pass: statusColours.pass.fill,
  signed: "#dcefef",
  skipped: "#f3f3f3",
};

const css = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #1d1d1d; background: #fff; }
h1 { font-size: 22px; margin: 0 0 6px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
.verdict { font-size: 16px; font-weight: 600; padding: 10px 14px; border-radius: 6px; display: inline-block; }
.verdict.ready { background: ${statusColours.pass.fill}; color: ${statusColours.pass.stroke}; }
.verdict.failing { background: ${statusColours.fail.fill}; color: ${statusColours.fail.stroke}; }
.meta { color: #555; margin: 8px 0 16px; }
table { border-collapse: collapse; width: 100%; margin-top: 6px; }
th, td { border: 1px solid #d4d4d4; padding: 4px 8px; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
th { background: #f0f0f0; }
td.status { font-weight: 600; white-space: nowrap; }
tr.failing td.status { color: ${statusColours.fail.stroke}; }
td code { font-size: 12px; }
.environment .column-title { font-weight: 600; font-size: 13px; }
.environment .node-name { font-size: 13px; }
.environment .node-status { font-size: 11px; }
${statuses.map((s) => `tr.${s} td { background: ${rowColours[s]}; }`).join("\n")}
`;

export function renderHtml(checklist: Checklist, report: Report): string {
  const e = escapeXml;
  const rows: string[] = [];
  for (const { seed, items } of bySeed(checklist, report)) {
    rows.push(
      `<tr class="seed"><th colspan="6">${e(seed.title)} — <code>${e(seed.file)}</code></th></tr>`,
    );
    for (const r of items) {
      const text = r.item.gloss ? `${r.item.text} — ${r.item.gloss}` : r.item.text;
      rows.push(
        `<tr class="${r.status}${r.failing ? " failing" : ""}" data-item="${e(r.item.id)}">` +
          `<td class="status">${r.status}${r.mandatory ? "" : " (optional)"}</td>` +
          `<td><code>${e(r.item.id)}</code></td>` +
          `<td>${r.item.line}</td>` +
          `<td>${e(text)}</td>` +
          `<td>${r.item.class}</td>` +
          `<td>${e(r.message)}</td></tr>`,
      );
    }
  }
  const failing = exitCode(report) !== 0;
  const other =
    report.otherViolations.length === 0
      ? ""
      : `<h2>Policy violations outside the checklist</h2><ul>${report.otherViolations
          .map(
            (v) =>
              `<li><code>${e(v.policyName)}</code> (${v.enforcementLevel}): ${e(v.message)}${v.resourceUrn ? ` — <code>${e(v.resourceUrn)}</code>` : ""}</li>`,
          )
          .join("")}</ul>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Go-live report: ${e(report.stack)}</title>
<style>${css}</style>
</head>
<body>
<h1>Go-live report: ${e(report.stack)}</h1>
<div class="verdict ${failing ? "failing" : "ready"}">${e(verdict(report))}</div>
<p class="meta">Tier <code>${report.tier}</code>, generated ${e(report.generatedAt)}. Items: ${e(countsLine(report))}.</p>
${report.environment ? `<h2>Environment</h2>\n${renderEnvironmentSvg(report.environment)}` : ""}
${other}
<h2>Checklist</h2>
<table id="items">
<thead><tr><th>Status</th><th>Item</th><th>Line</th><th>Text</th><th>Class</th><th>Seen</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
</body>
</html>
`;
}
