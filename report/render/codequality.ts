/**
 * The report as a GitLab code quality report (`artifacts:reports:codequality`): a JSON array of
 * the items that are not done, each with a stable fingerprint (stack and item ID, so GitLab can
 * tell a new problem from an old one across pipelines), a severity and the seed line (a gate's
 * issue points at the stack config file). Passing, signed and skipped items are not issues.
 */
import { createHash } from "node:crypto";
import type { Report } from "../model";
import { seedUri } from "./common";

export interface CodeQualityIssue {
  readonly description: string;
  readonly check_name: string;
  readonly fingerprint: string;
  readonly severity: "info" | "minor" | "major" | "critical" | "blocker";
  readonly location: { readonly path: string; readonly lines: { readonly begin: number } };
}

export function codeQualityIssues(report: Report): CodeQualityIssue[] {
  return report.items
    .filter((r) => r.status !== "pass" && r.status !== "signed" && r.status !== "skipped")
    .map((r) => {
      const gate = r.item.class === "gate" && !r.heading;
      return {
        description: `${r.item.id}: ${r.status}: ${r.message}`,
        check_name: `golive-checklist-${r.item.class}`,
        fingerprint: createHash("sha256").update(`${report.stack}\n${r.item.id}`).digest("hex"),
        severity: r.failing ? "critical" : r.mandatory ? "minor" : "info",
        location: gate
          ? { path: report.stackFile, lines: { begin: 1 } }
          : { path: seedUri(r.item.seed), lines: { begin: r.item.line } },
      };
    });
}

export function renderCodeQuality(report: Report): string {
  return `${JSON.stringify(codeQualityIssues(report), null, 2)}\n`;
}
