/**
 * The stack outputs the live checks read (components/outputs.ts): the end-to-end scenario's spec
 * gives every name, port and expectation the checks look for.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as YAML from "yaml";
import { parseSpec } from "../../components/config/load";
import { liveEnvironment } from "../../components/outputs";
import { minimalSpec } from "./minimal-spec";

const repo = path.resolve(__dirname, "..", "..");

describe("the live environment output", () => {
  it("describes the end-to-end scenario: workloads, host ports and what the spec expects", () => {
    const doc = YAML.parse(
      fs.readFileSync(path.join(repo, "test", "scenarios", "e2e-docker.yaml"), "utf8"),
    ) as { config: Record<string, unknown> };
    const r = parseSpec(doc.config["golive:environment"]);
    assert.ok(r.ok);
    const env = liveEnvironment(r.spec, "golive-e2e");
    assert.equal(env.runtime, "docker");
    assert.equal(env.prefix, "golive-e2e");
    for (const w of ["api", "postgres", "postgres-replica-1", "postgres-backup", "pgbouncer"])
      assert.ok(env.workloads.includes(w), `workload ${w}`);
    assert.deepEqual(env.apps, [
      {
        name: "api",
        dependsOn: ["postgres", "redis", "rabbitmq"],
        health: { path: "/health", port: 8080 },
      },
    ]);
    assert.equal(env.hostPorts.postgres.postgres, 25432);
    assert.deepEqual(env.gateway, {
      domain: "localhost",
      tls: "internal",
      healthPath: "/health",
      httpPort: 28080,
      httpsPort: 28443,
      corsOrigins: ["https://localhost:28443"],
      routes: ["/"],
    });
    assert.deepEqual(env.postgres, {
      user: "app",
      database: "app",
      replicas: ["postgres-replica-1"],
      pgbouncer: true,
      walArchive: true,
      backupIntervalHours: 24,
    });
    // 75 % of the 256Mi limit, as redisArgs sets it.
    assert.deepEqual(env.redis, {
      appendonly: true,
      maxmemoryPolicy: "allkeys-lru",
      maxmemoryMb: 192,
    });
    assert.deepEqual(env.rabbitmq, {
      vhosts: ["erp"],
      users: ["app"],
      queues: [{ name: "events", vhost: "erp" }],
    });
    assert.deepEqual(env.monitoring, {
      receiver: "webhook",
      replicaLagSeconds: 30,
      diskFreePercent: 15,
      latencyP95Ms: 500,
      errorRatePercent: 1,
    });
    // No verify block: the defaults, and nothing app-specific declared.
    assert.deepEqual(env.verify, {
      routes: [],
      gatewayLatencyMs: 50,
      logErrorPattern: "\\b(ERROR|CRITICAL|FATAL|PANIC)\\b",
      alertWindowMinutes: 1440,
      packages: [],
    });
    assert.doesNotMatch(JSON.stringify(env), /password/i, "no secret in the plain output");
  });

  it("carries the verify block without the secret config key of the test account's password", () => {
    const doc = YAML.parse(
      fs.readFileSync(path.join(repo, "test", "scenarios", "e2e-docker.yaml"), "utf8"),
    ) as { config: Record<string, Record<string, unknown>> };
    const spec = doc.config["golive:environment"];
    spec.verify = {
      smoke: { command: ["./smoke.sh"] },
      login: {
        path: "/login",
        username: "tester",
        passwordConfig: "testerPasswordKey",
        expect: { cookie: "session" },
      },
      routes: ["/admin"],
      load: { requests: 50 },
    };
    const r = parseSpec(spec);
    assert.ok(r.ok);
    const v = liveEnvironment(r.spec, "golive-e2e").verify;
    assert.deepEqual(v.smoke, { command: ["./smoke.sh"], timeoutSeconds: 120 });
    assert.deepEqual(v.login, {
      path: "/login",
      method: "POST",
      username: "tester",
      fields: { username: "username", password: "password" },
      expect: { cookie: "session" },
    });
    assert.deepEqual(v.load, { requests: 50, concurrency: 10 });
    assert.deepEqual(v.routes, ["/admin"]);
    assert.doesNotMatch(JSON.stringify(v), /testerPasswordKey/);
  });

  it("names the Kubernetes namespace the checks reach the workloads in, and a render folder", () => {
    const doc = YAML.parse(
      fs.readFileSync(path.join(repo, "test", "scenarios", "k8s-staging-offline.yaml"), "utf8"),
    ) as { config: Record<string, unknown> };
    const spec = doc.config["golive:environment"] as Record<string, unknown>;
    const r = parseSpec(spec);
    assert.ok(r.ok);
    const env = liveEnvironment(r.spec, "golive-staging-x");
    assert.deepEqual(env.kubernetes, { namespace: "golive-staging" });
    const kube = spec.kubernetes as Record<string, unknown>;
    const noNamespace = Object.fromEntries(Object.entries(kube).filter(([k]) => k !== "namespace"));
    const rendered = parseSpec({
      ...spec,
      kubernetes: { ...noNamespace, renderYamlToDirectory: "rendered" },
    });
    assert.ok(rendered.ok);
    assert.deepEqual(liveEnvironment(rendered.spec, "golive-staging-x").kubernetes, {
      namespace: "golive-staging-x",
      renderedTo: "rendered",
    });
  });

  it("names the Proxmox node, each workload's CT-ID, its ports and its static address on LXC", () => {
    const r = parseSpec({
      ...minimalSpec(),
      runtime: "lxc",
      lxc: {
        node: { host: "pve.example", privateKeyConfig: "proxmoxSshKey" },
        network: { cidr: "10.0.0.0/24", gateway: "10.0.0.1" },
        ids: { api: 250 },
      },
      postgres: { version: "15" },
    });
    assert.ok(r.ok, JSON.stringify(r));
    const lxc = liveEnvironment(r.spec, "golive-lxc").lxc;
    assert.deepEqual(lxc?.node, {
      host: "pve.example",
      port: 22,
      user: "root",
      privateKeyConfig: "proxmoxSshKey",
    });
    assert.equal(lxc?.ids.api, 250);
    assert.equal(lxc?.addresses?.api, "10.0.0.250");
    assert.deepEqual(lxc?.ports.api, { http: 8080 });
    assert.equal(lxc?.ports.postgres.postgres, 5432);
    assert.equal(typeof lxc?.ids.postgres, "number");
    assert.equal(lxc?.addresses?.postgres, `10.0.0.${lxc?.ids.postgres}`);
    assert.doesNotMatch(JSON.stringify(lxc), /BEGIN|PRIVATE/, "the key itself is no output");
  });
});
