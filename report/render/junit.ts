/**
 * The report as JUnit XML, the format every CI shows as test results (GitLab's `artifacts:reports:
 * junit`, Jenkins' junit step, GitHub actions that read it): one testsuite per seed, one testcase
 * per item. A failing item is a `failure` when something was seen to be wrong, an `error` when it
 * could not be decided (unknown); a skipped item is `skipped`. Every testcase carries what was seen
 * and the seed line in `system-out`. Kept to the Jenkins JUnit schema (no attributes beyond it).
 */
import builder from "junit-report-builder";
import type { Checklist } from "../checklist/registry";
import type { Report } from "../model";
import { bySeed, seedUri } from "./common";

export function renderJunit(checklist: Checklist, report: Report): string {
  const junit = builder.newBuilder().name(`golive go-live report: ${report.stack}`);
  for (const { seed, items } of bySeed(checklist, report)) {
    const suite = junit
      .testSuite()
      .name(`${seed.system}: ${seed.title}`)
      .timestamp(new Date(report.generatedAt))
      .property("stack", report.stack)
      .property("tier", report.tier)
      .property("seed", seedUri(seed.file));
    for (const r of items) {
      const tc = suite
        .testCase()
        .className(`golive.checklist.${seed.system}.${r.item.class}`)
        .name(`${r.item.id}: ${r.item.gloss ?? r.item.text}`)
        .time(r.seconds);
      tc.standardOutput(
        `${r.status}${r.mandatory ? "" : " (optional)"}: ${r.message}\nseed: ${seedUri(r.item.seed)}:${r.item.line}\nby: ${r.by.join(", ") || "-"}`,
      );
      if (r.status === "skipped") tc.skipped();
      else if (r.failing && r.status === "unknown") tc.error(r.message, "unknown");
      else if (r.failing) tc.failure(r.message, r.status);
    }
  }
  // junit-report-builder also counts skipped tests on <testsuites>, an attribute the Jenkins JUnit
  // schema (junit-4.xsd) does not have there; each <testsuite> keeps its own count.
  return junit.build().replace(/^(<testsuites [^>]*?) skipped="\d+"/m, "$1");
}
