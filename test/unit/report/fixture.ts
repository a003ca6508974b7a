/**
 * A report of every status, over the real registry, for the renderer tests: one gate violated,
 * one check failing and one unknown, the repository's production sign-offs, an environment graph
 * of a gateway, three services and three data services with one failing and one unknown node.
 */
import { checkIds } from "../../../report/checklist/checks";
import { loadChecklist } from "../../../report/checklist/registry";
import {
  buildReport,
  type CheckResult,
  type EnvironmentGraph,
  type Report,
  type ReportInput,
} from "../../../report/model";
import { loadSignoffs } from "../../../report/signoffs";

export const checklist = loadChecklist();

export const environment: EnvironmentGraph = {
  nodes: [
    { name: "gateway", kind: "gateway", status: "pass" },
    { name: "api", kind: "service", status: "pass" },
    { name: "worker", kind: "service", status: "fail" },
    { name: "web <beta>", kind: "service", status: "pass" },
    { name: "postgres", kind: "data", status: "pass" },
    { name: "redis", kind: "data", status: "unknown" },
    { name: "rabbitmq", kind: "data", status: "pass" },
  ],
  edges: [
    { from: "gateway", to: "api" },
    { from: "gateway", to: "web <beta>" },
    { from: "api", to: "postgres" },
    { from: "api", to: "redis" },
    { from: "api", to: "worker" },
    { from: "worker", to: "rabbitmq" },
    { from: "worker", to: "postgres" },
  ],
};

const checks: CheckResult[] = checkIds.map((checkId) => {
  if (checkId === "latency-p95")
    return { checkId, status: "fail", message: "p95 412 ms > 300 ms (job api)", seconds: 1.5 };
  if (checkId === "restore-drill")
    return { checkId, status: "unknown", message: "no dump in postgres-backup", seconds: 0.4 };
  return { checkId, status: "pass", message: "ok", seconds: 0.25 };
});

export function fixtureInput(over: Partial<ReportInput> = {}): ReportInput {
  return {
    stack: "production",
    tier: "production",
    generatedAt: "2026-12-01T10:00:00Z",
    stackFile: "Pulumi.production.yaml",
    gates: {
      read: true,
      violations: [
        {
          policyName: "host-enforce-minimums",
          resourceUrn: "urn:pulumi:production::golive::golive:environment:Environment::erp",
          message: "host.memoryGb 8 is below 16",
          enforcementLevel: "mandatory",
        },
        {
          policyName: "workload-enforce-non-root",
          resourceUrn: "urn:pulumi:production::golive::docker:index/container:Container::erp-api",
          message: "runs as root",
          enforcementLevel: "advisory",
        },
      ],
    },
    checks,
    deployment: { status: "succeeded", message: "update 42" },
    signoffs: loadSignoffs("production", checklist, "2026-12-01"),
    environment,
    ...over,
  };
}

export function fixtureReport(over: Partial<ReportInput> = {}): Report {
  return buildReport(checklist, fixtureInput(over));
}
