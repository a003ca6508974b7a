/**
 * What every renderer says the same way: the verdict, the counts, the items grouped by seed.
 */
import type { Checklist, SeedInfo } from "../checklist/registry";
import {
  exitCode,
  failingOtherViolations,
  reportCounts,
  type ItemResult,
  type ItemStatus,
  type Report,
} from "../model";

export const statuses: readonly ItemStatus[] = [
  "fail",
  "unknown",
  "unsigned",
  "pass",
  "signed",
  "skipped",
];

/** One line: the stack, its tier and whether it may go live. */
export function verdict(report: Report): string {
  const counts = reportCounts(report);
  const other = failingOtherViolations(report).length;
  if (exitCode(report) === 0) return `${report.stack} (${report.tier}): ready to go live`;
  const parts = [`${counts.failing} mandatory item${counts.failing === 1 ? "" : "s"} failing`];
  if (other > 0)
    parts.push(`${other} mandatory violation${other === 1 ? "" : "s"} outside the checklist`);
  return `${report.stack} (${report.tier}): not ready: ${parts.join(", ")}`;
}

/** `3 fail, 2 unknown, …` in the fixed order, zero counts left out. */
export function countsLine(report: Report): string {
  const counts = reportCounts(report);
  return statuses
    .filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`)
    .join(", ");
}

/** The items of each seed that has any, in registry order. */
export function bySeed(
  checklist: Checklist,
  report: Report,
): { seed: SeedInfo; items: ItemResult[] }[] {
  return checklist.seeds
    .map((seed) => ({ seed, items: report.items.filter((r) => r.item.seed === seed.file) }))
    .filter((g) => g.items.length > 0);
}

/** Where a seed is, relative to the repository root (the seeds lie beside the repository). */
export function seedUri(file: string): string {
  return `../shared/seeds/${file}`;
}
