/**
 * docs/checklist-coverage.md, rendered from the registry and its template. The prose (legend,
 * rules, the notes after the summary) lives in coverage.template.md; the tables and counts come
 * from items.yaml, so the document cannot drift from the data the report runs on.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  isHeading,
  isMandatory,
  itemClasses,
  itemRef,
  type Checklist,
  type ChecklistItem,
} from "./registry";

export const templateFile = path.join(__dirname, "coverage.template.md");
export const coverageDocFile = path.join(__dirname, "..", "..", "docs", "checklist-coverage.md");

function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

function code(names: readonly string[]): string {
  return names.map((n) => `\`${n}\``).join(", ");
}

/** What decides the item, from its structured fields (the Decided by column). */
export function decidedBy(checklist: Checklist, item: ChecklistItem): string {
  if (isHeading(checklist, item)) {
    const lines = (checklist.children.get(item.id) ?? []).map((k) => k.line);
    return `its sub-items (lines ${lines[0]}–${lines[lines.length - 1]})`;
  }
  switch (item.class) {
    case "gate":
      return `policies: ${code(item.policies ?? [])}`;
    case "declared":
      return [
        item.components ? `components: ${code(item.components)}` : undefined,
        item.specKeys ? `spec keys: ${code(item.specKeys)}` : undefined,
      ]
        .filter((s) => s !== undefined)
        .join("; ");
    case "verified":
      return item.checks === "none" || item.checks === undefined
        ? `checks: none (${item.why ?? ""})`
        : `checks: ${code(item.checks)}`;
    case "manual":
      return `sign-off: ${item.signoff ?? ""}${isMandatory(item) ? "" : " (optional)"}`;
  }
}

function itemRow(checklist: Checklist, item: ChecklistItem): string {
  const text = item.gloss ? `${item.text} — ${item.gloss}` : item.text;
  return `| \`${item.id}\` | \`${itemRef(item)}\` | ${cell(text)} | \`${item.class}\` | ${cell(decidedBy(checklist, item))} | ${cell(item.note)} |`;
}

function seedSection(checklist: Checklist, file: string): string {
  const seed = checklist.seeds.find((s) => s.file === file);
  if (!seed) throw new Error(`coverage template: ${file} is not a seed of the registry`);
  const out = [`## \`${seed.file}\` — ${seed.title} (${seed.where})`, ""];
  const items = checklist.items.filter((i) => i.seed === file);
  if (seed.intro) out.push(seed.intro, "");
  if (items.length > 0) {
    out.push("| ID | Item | Text | Class | Decided by | Notes |", "|---|---|---|---|---|---|");
    for (const item of items) out.push(itemRow(checklist, item));
  }
  return out.join("\n").trimEnd();
}

function countsBySeed(checklist: Checklist): string {
  const parts = checklist.seeds.map((s) => {
    const n = checklist.items.filter((i) => i.seed === s.file).length;
    return `${n === 0 ? "none" : n} in \`${s.file.slice(0, 3)}\``;
  });
  return `${checklist.items.length} items: ${parts.join(", ")}`;
}

function summary(checklist: Checklist): string {
  const order = [...itemClasses].reverse(); // gate, declared, verified, manual
  const row = (label: string, items: readonly ChecklistItem[], bold: boolean) => {
    const b = (s: string | number) => (bold ? `**${s}**` : String(s));
    const counts = order.map((c) => b(items.filter((i) => i.class === c).length));
    return `| ${b(label)} | ${counts.join(" | ")} | ${b(items.length)} |`;
  };
  return [
    `| File | ${order.join(" | ")} | total |`,
    `|---|${order.map(() => "---:").join("|")}|---:|`,
    ...checklist.seeds.map((s) =>
      row(
        `\`${s.file}\``,
        checklist.items.filter((i) => i.seed === s.file),
        false,
      ),
    ),
    row("Total", checklist.items, true),
  ].join("\n");
}

/** The coverage document for a registry and a template text. */
export function renderCoverageDoc(checklist: Checklist, template: string): string {
  return template.replace(
    /\{\{(counts|summary|seed ([^}]+))\}\}/g,
    (_, what: string, file?: string) => {
      if (what === "counts") return countsBySeed(checklist);
      if (what === "summary") return summary(checklist);
      return seedSection(checklist, file ?? "");
    },
  );
}

/** The coverage document of this repository's registry and template. */
export function coverageDoc(checklist: Checklist): string {
  return renderCoverageDoc(checklist, fs.readFileSync(templateFile, "utf8"));
}
