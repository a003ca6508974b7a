/**
 * monitoring-*: a Prometheus and an Alertmanager run, Prometheus scrapes every exporter and app,
 * and carries golive's alert rules.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { monitoringConfigureAlertRules } from "../../../policies/rules/monitoring-configure-alert-rules";
import { monitoringMissingScrapeTargets } from "../../../policies/rules/monitoring-missing-scrape-targets";
import { monitoringMissingStack } from "../../../policies/rules/monitoring-missing-stack";
import { dockerApp, lxcService, messages, none, one, runStack, stackOf, workload } from "./harness";

describe("monitoring-configure-alert-rules", () => {
  const prom = (rules: string) =>
    dockerApp(
      { uploads: [{ file: "/etc/prometheus/rules/golive.yml", content: rules }] },
      { "app.kubernetes.io/component": "monitoring" },
    );

  it("accepts a Prometheus whose rules file carries the required alerts", async () => {
    none(
      await stackOf(
        monitoringConfigureAlertRules,
        prom("groups:\n- rules:\n  - alert: HighErrorRate\n  - alert: HighLatencyP95\n"),
      ),
    );
  });

  it("refuses a rules file that lacks a required alert, naming it", async () => {
    one(
      await stackOf(
        monitoringConfigureAlertRules,
        prom("groups:\n- rules:\n  - alert: HighErrorRate\n"),
      ),
      /HighLatencyP95/,
    );
  });
});

// On Docker: golive's containers by their component labels.
const prom = workload("prometheus", "monitoring", {
  "golive.dev/scrape-jobs": "api,node-exporter",
});
const am = workload("alertmanager", "alerting");
const api = workload("api", "app");

// On LXC: found by their Debian packages.
const lxcProm = lxcService(
  "prometheus",
  300,
  "monitoring",
  { GOLIVE_PACKAGES: "prometheus", GOLIVE_SYSTEMD_SERVICE: "prometheus" },
  { "golive.dev/scrape-jobs": "prometheus,alertmanager" },
);
const lxcAm = lxcService("alertmanager", 301, "alerting", {
  GOLIVE_PACKAGES: "prometheus-alertmanager",
  GOLIVE_SYSTEMD_SERVICE: "prometheus-alertmanager",
});
const lxcApi = lxcService("api", 200, "app", {
  GOLIVE_UNIT: "[Service]\nExecStart=/srv/api\nDynamicUser=yes\n",
});

describe("monitoring-missing-stack", () => {
  it("accepts an environment running Prometheus and Alertmanager", async () => {
    assert.deepEqual(messages(await runStack(monitoringMissingStack, [prom, am, api])), []);
  });

  it("refuses an environment without either, naming both", async () => {
    assert.deepEqual(messages(await runStack(monitoringMissingStack, [api])), [
      "No Prometheus runs in this environment.",
      "No Alertmanager runs in this environment.",
    ]);
  });

  it("on LXC, finds Prometheus and Alertmanager by their packages", async () => {
    assert.deepEqual(await runStack(monitoringMissingStack, [lxcProm, lxcAm, lxcApi]), []);
  });

  it("on LXC, refuses an environment without the Prometheus package", async () => {
    assert.deepEqual(
      (await runStack(monitoringMissingStack, [lxcAm, lxcApi])).map((f) => f.message),
      ["No Prometheus runs in this environment."],
    );
  });
});

describe("monitoring-missing-scrape-targets", () => {
  it("accepts a Prometheus that scrapes every app", async () => {
    assert.deepEqual(messages(await runStack(monitoringMissingScrapeTargets, [prom, api])), []);
  });

  it("refuses an exporter that Prometheus does not scrape", async () => {
    assert.match(
      messages(
        await runStack(monitoringMissingScrapeTargets, [
          prom,
          api,
          workload("worker-exporter", "exporter"),
        ]),
      )[0],
      /does not scrape worker-exporter/,
    );
  });

  it("on LXC, reads Prometheus' scrape jobs and refuses an app it does not scrape", async () => {
    const found = await runStack(monitoringMissingScrapeTargets, [lxcProm, lxcAm, lxcApi]);
    assert.deepEqual(
      found.map((f) => f.message),
      ["Prometheus does not scrape api."],
    );
  });
});
