import type { StackValidationPolicy } from "@pulumi/policy";
import { workloads } from "../lib/stack";

const scraped = new Set(["app", "exporter", "message-broker", "object-storage", "alerting"]);

/** Prometheus scrapes every app, exporter and broker of the environment. */
export const monitoringMissingScrapeTargets: StackValidationPolicy = {
  name: "monitoring-missing-scrape-targets",
  description: "Every service and exporter is among Prometheus' scrape jobs.",
  severity: "medium",
  tags: ["monitoring"],
  remediationSteps: "Use golive's MonitoringStack, which derives its jobs from the environment.",
  url: "https://golive.dev/checklists#002_3edfb88dbd4090f7.txt",
  validateStack: (args, reportViolation) => {
    const all = workloads(args.resources);
    const prometheus = all.find((w) => w.component === "monitoring");
    if (!prometheus) return; // monitoring-missing-stack says so
    const jobs = new Set((prometheus.labels["golive.dev/scrape-jobs"] ?? "").split(","));
    for (const w of all) {
      if (scraped.has(w.component) && !jobs.has(w.name)) {
        reportViolation(`Prometheus does not scrape ${w.name}.`, w.resource.urn);
      }
    }
  },
};
