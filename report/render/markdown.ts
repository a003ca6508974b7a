/**
 * The report as Markdown: the verdict, what fails, then every item by seed. For a merge request
 * comment, a job summary or the release ticket.
 */
import type { Checklist } from "../checklist/registry";
import type { Report } from "../model";
import { bySeed, countsLine, verdict } from "./common";

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

export function renderMarkdown(checklist: Checklist, report: Report): string {
  const out = [
    `# Go-live report: ${report.stack}`,
    "",
    `**${verdict(report)}**`,
    "",
    `Tier \`${report.tier}\`, generated ${report.generatedAt}. Items: ${countsLine(report)}.`,
    "",
  ];
  const failing = report.items.filter((r) => r.failing);
  if (failing.length > 0) {
    out.push("## Failing", "", "| Status | Item | Text | Seen |", "|---|---|---|---|");
    for (const r of failing)
      out.push(
        `| ${r.status} | \`${r.item.id}\` | ${cell(r.item.gloss ?? r.item.text)} | ${cell(r.message)} |`,
      );
    out.push("");
  }
  if (report.otherViolations.length > 0) {
    out.push("## Policy violations outside the checklist", "");
    for (const v of report.otherViolations)
      out.push(
        `- \`${v.policyName}\` (${v.enforcementLevel}): ${v.message}${v.resourceUrn ? ` — \`${v.resourceUrn}\`` : ""}`,
      );
    out.push("");
  }
  for (const { seed, items } of bySeed(checklist, report)) {
    out.push(
      `## ${seed.title} (\`${seed.file}\`)`,
      "",
      "| Status | Item | Line | Text | Class | Seen |",
      "|---|---|---:|---|---|---|",
    );
    for (const r of items) {
      const status = `${r.failing ? "**" : ""}${r.status}${r.failing ? "**" : ""}${r.mandatory ? "" : " (optional)"}`;
      const text = r.item.gloss ? `${r.item.text} — ${r.item.gloss}` : r.item.text;
      out.push(
        `| ${status} | \`${r.item.id}\` | ${r.item.line} | ${cell(text)} | ${r.item.class} | ${cell(r.message)} |`,
      );
    }
    out.push("");
  }
  return out.join("\n");
}
