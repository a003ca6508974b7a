import type { StackValidationPolicy } from "@pulumi/policy";
import { label, role } from "../lib/contract";
import { configTexts, isApp } from "../lib/gate";
import { runs } from "../lib/identify";
import { running } from "../lib/stack";
import { isKnown, parseImage, type WorkloadView } from "../lib/workloads";

/** Workloads that expose metrics Prometheus must collect. */
function mustBeScraped(w: WorkloadView): boolean {
  const component = w.labels[label.component];
  return (
    // Workers serve no HTTP port golive could scrape; apps do.
    (isApp(w) && component !== role.worker) ||
    component === role.exporter ||
    (w.image !== undefined &&
      isKnown(w.image) &&
      /exporter/.test(parseImage(w.image).repository)) ||
    runs(w, "rabbitmq") ||
    runs(w, "minio") ||
    runs(w, "alertmanager")
  );
}

/**
 * Prometheus scrapes every app, exporter and broker of the environment: each must be among the
 * scrape jobs golive records, or a host of the targets in Prometheus' own configuration.
 */
export const monitoringMissingScrapeTargets: StackValidationPolicy = {
  name: "monitoring-missing-scrape-targets",
  description: "Every service and exporter is among Prometheus' scrape jobs.",
  severity: "medium",
  tags: ["monitoring"],
  remediationSteps: "Use golive's MonitoringStack, which derives its jobs from the environment.",
  url: "https://golive.dev/checklists#002_3edfb88dbd4090f7.txt",
  validateStack: (args, reportViolation) => {
    const all = running(args.resources);
    const prometheus = all.flatMap((r) => r.views).filter((w) => runs(w, "prometheus"));
    if (prometheus.length === 0) return; // monitoring-missing-stack says so
    const scraped = new Set<string>();
    for (const p of prometheus) {
      for (const job of (p.labels[label.scrapeJobs] ?? "").split(",")) scraped.add(job);
    }
    for (const t of configTexts(args.resources)) {
      if (!/scrape_configs:/.test(t.content)) continue;
      for (const m of t.content.matchAll(/["']?([A-Za-z0-9_.-]+):\d+["']?/g)) scraped.add(m[1]);
    }
    for (const { resource, views } of all) {
      for (const w of views) {
        if (!mustBeScraped(w) || runs(w, "prometheus")) continue;
        if (![w.name, w.container].some((n) => scraped.has(n))) {
          reportViolation(`Prometheus does not scrape ${w.name}.`, resource.urn);
        }
      }
    }
  },
};
