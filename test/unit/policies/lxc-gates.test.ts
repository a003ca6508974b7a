/**
 * Gates on golive's LXC resources (the `pct` container command and the service command that
 * provisions it), as the engine hands them to the pack: facts in the commands' `environment`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { monitoringMissingScrapeTargets } from "../../../policies/rules/monitoring-missing-scrape-targets";
import { monitoringMissingStack } from "../../../policies/rules/monitoring-missing-stack";
import { secretsDisallowPlainConfigFiles } from "../../../policies/rules/secrets-disallow-plain-config-files";
import { startupEnforceDependencyOrder } from "../../../policies/rules/startup-enforce-dependency-order";
import { workloadDisallowPrivileged } from "../../../policies/rules/workload-disallow-privileged";
import { workloadEnforceNonRoot } from "../../../policies/rules/workload-enforce-non-root";
import { runResource, runStack, type Res } from "./harness";

const labels = (name: string, component: string, extra: Record<string, string> = {}) =>
  JSON.stringify({
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/component": component,
    ...extra,
  });

/** The `pct` container command of a workload. */
const ct = (
  name: string,
  id: number,
  component: string,
  extra: Record<string, string> = {},
  env: Record<string, string> = {},
): Res => ({
  type: "command:remote:Command",
  name: `${name}-ct`,
  props: {
    environment: {
      GOLIVE_CT_ID: String(id),
      GOLIVE_CT_HOSTNAME: name,
      GOLIVE_CT_CORES: "1",
      GOLIVE_CT_MEMORY_MB: "512",
      GOLIVE_CT_UNPRIVILEGED: "1",
      GOLIVE_LABELS: labels(name, component, extra),
      ...env,
    },
  },
});

/** Its service command. */
const service = (
  name: string,
  id: number,
  component: string,
  env: Record<string, string>,
  extra: Record<string, string> = {},
): Res => ({
  type: "command:remote:Command",
  name: `${name}-service`,
  props: {
    environment: {
      GOLIVE_CT_ID: String(id),
      GOLIVE_LABELS: labels(name, component, extra),
      ...env,
    },
  },
});

describe("gates on LXC containers", () => {
  it("workload-disallow-privileged refuses a privileged container", () => {
    assert.deepEqual(runResource(workloadDisallowPrivileged, ct("api", 200, "app")), []);
    const found = runResource(
      workloadDisallowPrivileged,
      ct("api", 200, "app", {}, { GOLIVE_CT_UNPRIVILEGED: "0" }),
    );
    assert.equal(found.length, 1);
    assert.match(found[0], /LXC container 200 \(api\) is privileged/);
  });

  it("workload-enforce-non-root reads the unit's user, a package's unit, and refuses root jobs", () => {
    const unit = (extra: string) => ({ GOLIVE_UNIT: `[Service]\nExecStart=/srv/api\n${extra}` });
    assert.deepEqual(
      runResource(workloadEnforceNonRoot, service("api", 200, "app", unit("DynamicUser=yes\n"))),
      [],
    );
    assert.match(
      runResource(workloadEnforceNonRoot, service("api", 200, "app", unit("User=0\n")))[0],
      /runs as root/,
    );
    assert.deepEqual(
      runResource(
        workloadEnforceNonRoot,
        service("redis", 210, "cache", {
          GOLIVE_PACKAGES: "redis-server",
          GOLIVE_SYSTEMD_SERVICE: "redis-server",
        }),
      ),
      [],
    );
    assert.match(
      runResource(workloadEnforceNonRoot, service("x", 220, "app", {}))[0],
      /package's unit/,
    );
    const job = {
      type: "command:remote:Command",
      name: "migrate",
      props: { environment: { GOLIVE_CT_ID: "200", GOLIVE_JOB: "api-migration" } },
    };
    assert.match(runResource(workloadEnforceNonRoot, job)[0], /runs as root/);
  });

  it("secrets-disallow-plain-config-files reads the files a service is given", () => {
    assert.deepEqual(
      runResource(
        secretsDisallowPlainConfigFiles,
        service("api", 200, "app", { GOLIVE_FILE_0: "level = info\n" }),
      ),
      [],
    );
    assert.match(
      runResource(
        secretsDisallowPlainConfigFiles,
        service("api", 200, "app", { GOLIVE_FILE_0: "db_password = hunter2\n" }),
      )[0],
      /looks like a secret/,
    );
  });

  it("monitoring gates find Prometheus and Alertmanager by package and their scrape jobs", () => {
    const prom = service(
      "prometheus",
      300,
      "monitoring",
      { GOLIVE_PACKAGES: "prometheus", GOLIVE_SYSTEMD_SERVICE: "prometheus" },
      { "golive.dev/scrape-jobs": "prometheus,alertmanager" },
    );
    const am = service("alertmanager", 301, "alerting", {
      GOLIVE_PACKAGES: "prometheus-alertmanager",
      GOLIVE_SYSTEMD_SERVICE: "prometheus-alertmanager",
    });
    const api = service("api", 200, "app", {
      GOLIVE_UNIT: "[Service]\nExecStart=/srv/api\nDynamicUser=yes\n",
    });
    assert.deepEqual(runStack(monitoringMissingStack, [prom, am, api]), []);
    assert.deepEqual(
      runStack(monitoringMissingStack, [am, api]).map((f) => f.message),
      ["No Prometheus runs in this environment."],
    );
    const found = runStack(monitoringMissingScrapeTargets, [prom, am, api]);
    assert.deepEqual(
      found.map((f) => f.message),
      ["Prometheus does not scrape api."],
    );
  });

  it("startup-enforce-dependency-order compares the containers' start orders", () => {
    const pg = ct("postgres", 110, "database", { "golive.dev/start-order": "10" });
    const app = (order: string) => {
      const r = ct("api", 200, "app", {
        "golive.dev/start-order": order,
        "golive.dev/depends-on": "postgres",
      });
      r.dependencies = [pg];
      return r;
    };
    const svc = service("api", 200, "app", {
      GOLIVE_UNIT: "[Service]\nExecStart=/srv/api\nDynamicUser=yes\n",
    });
    assert.deepEqual(runStack(startupEnforceDependencyOrder, [pg, app("50"), svc]), []);
    const found = runStack(startupEnforceDependencyOrder, [pg, app("5"), svc]).map(
      (f) => f.message,
    );
    assert.deepEqual(found, ["api starts at order 5, not after postgres (10)."]);
  });
});
