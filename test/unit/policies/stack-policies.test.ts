/** Each stack policy: a compliant environment passes, a mutated one fails with the expected message. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bluegreenKeepPreviousColour } from "../../../policies/rules/bluegreen-keep-previous-colour";
import { canaryEnforceLadderOrder } from "../../../policies/rules/canary-enforce-ladder-order";
import { featuresRequireCriticalFlags } from "../../../policies/rules/features-require-critical-flags";
import { gpuEnforceMemoryLimit } from "../../../policies/rules/gpu-enforce-memory-limit";
import { hostEnforceMinimums } from "../../../policies/rules/host-enforce-minimums";
import { licenseRequireValid } from "../../../policies/rules/license-require-valid";
import { monitoringMissingScrapeTargets } from "../../../policies/rules/monitoring-missing-scrape-targets";
import { monitoringMissingStack } from "../../../policies/rules/monitoring-missing-stack";
import { postgresMissingBackup } from "../../../policies/rules/postgres-missing-backup";
import { postgresMissingPgbouncer } from "../../../policies/rules/postgres-missing-pgbouncer";
import { postgresMissingReplica } from "../../../policies/rules/postgres-missing-replica";
import { startupEnforceDependencyOrder } from "../../../policies/rules/startup-enforce-dependency-order";
import { workloadEnforceReplicasPdb } from "../../../policies/rules/workload-enforce-replicas-pdb";
import { dockerApp, facts, k8sDeployment, runStack, type Res } from "./harness";

const messages = (found: { message: string }[]) => found.map((f) => f.message);
const w = (
  name: string,
  component: string,
  labels: Record<string, string> = {},
  deps: Res[] = [],
): Res => {
  const r = dockerApp(
    { name: `golive-prod-${name}` },
    { "app.kubernetes.io/name": name, "app.kubernetes.io/component": component, ...labels },
  );
  r.name = name;
  r.dependencies = deps;
  return r;
};

describe("stack policies: compliant environment passes, one mutation fails", () => {
  const primary = w("postgres", "database", {
    "golive.dev/postgres-role": "primary",
    "golive.dev/start-order": "10",
  });
  const replica = w("postgres-replica-1", "database", { "golive.dev/postgres-role": "replica" });
  const backup = w("postgres-backup", "backup", {
    "golive.dev/backup-of": "postgres",
    "golive.dev/backup-interval-hours": "24",
    "golive.dev/backup-retention-days": "14",
  });
  const bouncer = w("pgbouncer", "connection-pooler", { "golive.dev/start-order": "15" });

  it("postgres-missing-replica, -backup, -pgbouncer", () => {
    const env = [primary, replica, backup, bouncer];
    for (const p of [postgresMissingReplica, postgresMissingBackup, postgresMissingPgbouncer]) {
      assert.deepEqual(messages(runStack(p, env)), [], p.name);
    }
    assert.match(
      messages(runStack(postgresMissingReplica, [primary, backup, bouncer]))[0],
      /has no replica/,
    );
    assert.match(
      messages(runStack(postgresMissingBackup, [primary, replica, bouncer]))[0],
      /no scheduled backup/,
    );
    assert.match(
      messages(runStack(postgresMissingBackup, env, { minRetentionDays: 30 }))[0],
      /kept 14 days; at least 30/,
    );
    assert.match(
      messages(runStack(postgresMissingPgbouncer, [primary, replica, backup]))[0],
      /no pgBouncer/,
    );
  });

  it("startup-enforce-dependency-order: the app must wait for its databases, directly or through its component", () => {
    const component: Res = {
      type: "golive:docker:Workload",
      name: "api-component",
      props: {},
      dependencies: [primary, bouncer],
    };
    const app = w("api", "app", { "golive.dev/depends-on": "pgbouncer,postgres" });
    app.parent = component;
    assert.deepEqual(
      messages(runStack(startupEnforceDependencyOrder, [primary, bouncer, app, component])),
      [],
    );
    const orphan = w("api", "app", { "golive.dev/depends-on": "pgbouncer,postgres" });
    const found = messages(runStack(startupEnforceDependencyOrder, [primary, bouncer, orphan]));
    assert.equal(found.length, 2);
    assert.match(found[0], /depends on pgbouncer but its deployment does not wait for it/);
    const early = w(
      "api",
      "app",
      { "golive.dev/depends-on": "postgres", "golive.dev/start-order": "5" },
      [primary],
    );
    assert.match(
      messages(runStack(startupEnforceDependencyOrder, [primary, early]))[0],
      /starts at order 5, not after postgres \(10\)/,
    );
  });

  it("monitoring-missing-stack and monitoring-missing-scrape-targets", () => {
    const prom = w("prometheus", "monitoring", { "golive.dev/scrape-jobs": "api,node-exporter" });
    const am = w("alertmanager", "alerting");
    const api = w("api", "app");
    assert.deepEqual(messages(runStack(monitoringMissingStack, [prom, am, api])), []);
    assert.deepEqual(messages(runStack(monitoringMissingStack, [api])), [
      "No Prometheus runs in this environment.",
      "No Alertmanager runs in this environment.",
    ]);
    assert.deepEqual(messages(runStack(monitoringMissingScrapeTargets, [prom, api])), []);
    assert.match(
      messages(
        runStack(monitoringMissingScrapeTargets, [prom, api, w("worker-exporter", "exporter")]),
      )[0],
      /does not scrape worker-exporter/,
    );
  });

  it("host-enforce-minimums with the system's thresholds", () => {
    const cgs = { minCpuCores: 8, minMemoryGb: 16, minDiskGb: 100 };
    assert.deepEqual(
      messages(
        runStack(
          hostEnforceMinimums,
          [facts({ host: { cpuCores: 8, memoryGb: 32, diskGb: 200, nodes: 1 } })],
          cgs,
        ),
      ),
      [],
    );
    assert.match(
      messages(
        runStack(
          hostEnforceMinimums,
          [facts({ host: { cpuCores: 4, memoryGb: 32, diskGb: 200, nodes: 1 } })],
          cgs,
        ),
      )[0],
      /4 cores; at least 8/,
    );
    assert.match(
      messages(runStack(hostEnforceMinimums, [facts({})], cgs))[0],
      /declares no host sizing/,
    );
    const psa = { minDiskGb: 5000, minNodes: 3 };
    assert.match(
      messages(
        runStack(
          hostEnforceMinimums,
          [facts({ host: { cpuCores: 96, memoryGb: 768, diskGb: 6000, nodes: 2 } })],
          psa,
        ),
      )[0],
      /2 node\(s\); at least 3/,
    );
    const ct = (ha: string): Res => ({
      type: "command:remote:Command",
      name: "ct",
      props: {
        environment: { GOLIVE_CT_ID: "200", GOLIVE_CT_HOSTNAME: "psa-db", GOLIVE_CT_HA: ha },
      },
    });
    const cluster = facts({ host: { cpuCores: 96, memoryGb: 768, diskGb: 6000, nodes: 3 } });
    assert.deepEqual(
      messages(runStack(hostEnforceMinimums, [cluster, ct("1")], { ...psa, requireHa: true })),
      [],
    );
    assert.match(
      messages(runStack(hostEnforceMinimums, [cluster, ct("0")], { ...psa, requireHa: true }))[0],
      /200 \(psa-db\) is not registered with HA/,
    );
  });

  it("gpu-enforce-memory-limit: at most 85 % of the card", () => {
    const card = facts({
      host: {
        cpuCores: 16,
        memoryGb: 64,
        diskGb: 1000,
        nodes: 1,
        gpu: { model: "RTX 4080", memoryGb: 16 },
      },
    });
    const worker = (limit?: string) => {
      const r = w("ocr", "worker", limit ? { "golive.dev/gpu-memory-limit-gb": limit } : {});
      r.props.gpus = "count=1";
      return r;
    };
    assert.deepEqual(messages(runStack(gpuEnforceMemoryLimit, [card, worker("13.6")])), []);
    assert.match(
      messages(runStack(gpuEnforceMemoryLimit, [card, worker("15")]))[0],
      /at most 13\.6 GB/,
    );
    assert.match(
      messages(runStack(gpuEnforceMemoryLimit, [card, worker()]))[0],
      /declares no GPU memory limit/,
    );
  });

  it("bluegreen-keep-previous-colour", () => {
    const bg = (active: "blue" | "green", blue: number, green: number) =>
      facts({
        tier: "production",
        runtime: "docker",
        features: {},
        licenseProblems: [],
        blueGreen: {
          crm: { active, weights: { blue, green }, releases: { blue: "1.0.0", green: "1.1.0" } },
        },
      });
    const both = [w("crm-blue", "app"), w("crm-green", "app")];
    assert.deepEqual(
      messages(runStack(bluegreenKeepPreviousColour, [bg("green", 0, 100), ...both])),
      [],
    );
    assert.deepEqual(
      messages(runStack(bluegreenKeepPreviousColour, [bg("green", 50, 50), ...both])),
      [],
    );
    assert.match(
      messages(runStack(bluegreenKeepPreviousColour, [bg("green", 0, 100), both[1]]))[0],
      /blue colour \(1\.0\.0\) is not deployed/,
    );
    assert.match(
      messages(runStack(bluegreenKeepPreviousColour, [bg("green", 100, 0), ...both]))[0],
      /active colour green gets no traffic/,
    );
  });

  it("canary-enforce-ladder-order", () => {
    const agents = (value: string) => w("agents", "app", { "golive.dev/canary.gastronomy": value });
    assert.deepEqual(
      messages(
        runStack(canaryEnforceLadderOrder, [agents("step=10%,previous=pilot,enabled=2/12")]),
      ),
      [],
    );
    assert.deepEqual(
      messages(runStack(canaryEnforceLadderOrder, [agents("step=10%,previous=50%,enabled=2/12")])),
      [],
      "rolling back is allowed",
    );
    assert.match(
      messages(
        runStack(canaryEnforceLadderOrder, [agents("step=50%,previous=10%,enabled=6/12")]),
      )[0],
      /step 50% skips rungs after 10%/,
    );
  });

  it("features-require-critical-flags", () => {
    assert.deepEqual(
      messages(
        runStack(featuresRequireCriticalFlags, [facts({ features: { ai_assistant: true } })], {
          requiredFlags: ["ai_assistant"],
        }),
      ),
      [],
    );
    assert.match(
      messages(
        runStack(featuresRequireCriticalFlags, [facts({ features: {} })], {
          requiredFlags: ["ai_assistant"],
        }),
      )[0],
      /"ai_assistant" is not declared/,
    );
  });

  it("license-require-valid", () => {
    process.env.GOLIVE_TODAY = "2026-11-21";
    const license = (expires: string, modules = ["llm", "rag"]) =>
      facts({
        license: {
          file: "license/license.json",
          customer: "C",
          modules,
          expires,
          requiredModules: ["llm", "rag"],
        },
      });
    assert.deepEqual(
      messages(runStack(licenseRequireValid, [license("2027-12-31")], { required: true })),
      [],
    );
    assert.match(
      messages(runStack(licenseRequireValid, [license("2026-11-01")], { required: true }))[0],
      /expired on 2026-11-01/,
    );
    assert.match(
      messages(runStack(licenseRequireValid, [license("2026-12-01")], { required: true }))[0],
      /in 10 days/,
    );
    assert.match(
      messages(
        runStack(licenseRequireValid, [license("2027-12-31", ["llm"])], { required: true }),
      )[0],
      /does not cover: rag/,
    );
    assert.match(
      messages(runStack(licenseRequireValid, [facts({})], { required: true }))[0],
      /No license/,
    );
    assert.match(
      messages(
        runStack(licenseRequireValid, [
          facts({ licenseProblems: ["license file license/license.json is missing"] }),
        ]),
      )[0],
      /missing/,
    );
    delete process.env.GOLIVE_TODAY;
  });

  it("workload-enforce-replicas-pdb (HPA-aware)", () => {
    const pdb: Res = {
      type: "kubernetes:policy/v1:PodDisruptionBudget",
      props: {
        spec: { minAvailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": "api" } } },
      },
    };
    assert.deepEqual(messages(runStack(workloadEnforceReplicasPdb, [k8sDeployment(), pdb])), []);
    assert.match(
      messages(runStack(workloadEnforceReplicasPdb, [k8sDeployment()]))[0],
      /no PodDisruptionBudget/,
    );
    assert.match(
      messages(runStack(workloadEnforceReplicasPdb, [k8sDeployment({}, { replicas: 1 }), pdb]))[0],
      /1 replica\(s\); at least 2/,
    );
    const hpa: Res = {
      type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
      props: { spec: { scaleTargetRef: { name: "api" }, minReplicas: 3 } },
    };
    assert.deepEqual(
      messages(
        runStack(workloadEnforceReplicasPdb, [k8sDeployment({}, { replicas: 1 }), pdb, hpa]),
      ),
      [],
    );
  });
});
