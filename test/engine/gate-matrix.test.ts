/**
 * The gate matrix: every checklist gate, given a violating input, refuses it through the real
 * engine at a first preview (no prior state) — on each runtime golive builds for, from the spec's
 * input paths (env, arguments, generated and config secrets, data-service settings), and on
 * resources written by hand with upstream providers and no golive label. docs/policies.md shows
 * the matrix and names, for each cell, the case here that proves it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { figure, Project, repo } from "./harness";

/** [policy, resource name pattern]: the violations a preview must report. */
type Expect = readonly [policy: string, resource: RegExp];

/** The (policy, resource) pairs a preview reported, from its Policies section. */
function reported(output: string): { policy: string; resource: string }[] {
  return [
    ...output.matchAll(
      /- \[(?:mandatory|advisory)\] \[severity: \w+\]\s+([a-z0-9-]+)\s+\(([^)]*)\)/g,
    ),
  ].map((m) => ({ policy: m[1], resource: m[2] }));
}

function assertReported(output: string, expected: readonly Expect[]): void {
  const found = reported(output);
  const missing = expected.filter(
    ([policy, resource]) => !found.some((f) => f.policy === policy && resource.test(f.resource)),
  );
  assert.deepEqual(
    missing.map(([p, r]) => `${p} on ${r}`),
    [],
    `gates that let a violation through:\n${output.slice(-20000)}`,
  );
}

function assertNotReported(output: string, unexpected: readonly Expect[]): void {
  const found = reported(output);
  const wrong = unexpected.filter(([policy, resource]) =>
    found.some((f) => f.policy === policy && resource.test(f.resource)),
  );
  assert.deepEqual(
    wrong.map(([p, r]) => `${p} on ${r}`),
    [],
    "false positives",
  );
}

describe("gate matrix: resources written by hand (upstream providers, no golive label)", () => {
  const expected: Expect[] = [
    ["redis-enable-persistence", /Container: redis-no-aof\b/],
    ["redis-configure-eviction", /Container: redis-no-aof\b/],
    ["redis-enable-persistence", /Deployment: k8s-redis-appendonly-no\b/],
    ["image-disallow-latest-tag", /Container: redis-floating-tag\b/],
    ["postgres-enforce-min-version", /Container: postgres-13-no-archive\b/],
    ["postgres-enforce-min-version", /StatefulSet: k8s-postgres-14\b/],
    ["postgres-enable-wal-archiving", /Container: postgres-13-no-archive\b/],
    ["postgres-missing-replica", /Container: postgres-13-no-archive\b/],
    ["postgres-missing-pgbouncer", /StatefulSet: k8s-postgres-14\b/],
    ["logging-disallow-debug-in-production", /Container: debug-by-argument\b/],
    ["logging-disallow-debug-in-production", /Container: debug-by-env\b/],
    ["logging-disallow-debug-in-production", /Container: env-unknown-at-preview\b/],
    ["cors-disallow-wildcard", /Container: cors-wildcard\b/],
    ["cors-disallow-wildcard", /Container: env-unknown-at-preview\b/],
    ["secrets-disallow-plain-env", /Container: plain-short-secret\b/],
    ["secrets-enforce-min-length", /Container: plain-short-secret\b/],
    ["secrets-disallow-plain-config-files", /ConfigMap: k8s-configmap-password\b/],
    ["workload-disallow-privileged", /Container: privileged\b/],
    ["workload-enforce-non-root", /Container: root-user\b/],
    ["workload-enforce-non-root", /Container: image-user\b/],
    ["workload-enforce-non-root", /Deployment: k8s-root\b/],
    ["workload-missing-healthcheck", /Container: no-healthcheck\b/],
    ["workload-missing-resource-limits", /Container: no-limits\b/],
    ["workload-enforce-replicas-pdb", /Deployment: k8s-single-replica\b/],
    ["workload-enforce-replicas-pdb", /Container: no-limits\b/],
    ["tls-require-public-endpoints", /Container: published-port\b/],
    ["tls-require-public-endpoints", /Service: k8s-loadbalancer\b/],
    ["tls-require-public-endpoints", /Ingress: k8s-ingress-no-tls\b/],
    ["rabbitmq-disallow-guest", /Container: rabbitmq-defaults\b/],
    ["rabbitmq-enable-management", /Container: rabbitmq-defaults\b/],
    ["rabbitmq-enforce-min-version", /Container: rabbitmq-old\b/],
    ["elasticsearch-enable-security", /Container: elasticsearch-7\b/],
    ["elasticsearch-configure-ilm", /Container: elasticsearch-7\b/],
    ["monitoring-configure-alert-rules", /Container: prometheus-no-rules\b/],
    ["alertmanager-disallow-null-receiver", /Container: alertmanager-no-config\b/],
    ["monitoring-missing-scrape-targets", /Deployment: k8s-single-replica\b/],
    ["logging-disallow-debug-in-production", /Deployment: k8s-debug-arg\b/],
    ["cors-disallow-wildcard", /Deployment: k8s-cors\b/],
    ["secrets-disallow-plain-env", /Deployment: k8s-plain-short-secret\b/],
    ["secrets-enforce-min-length", /Deployment: k8s-plain-short-secret\b/],
    ["workload-disallow-privileged", /Deployment: k8s-privileged\b/],
    ["workload-missing-healthcheck", /Deployment: k8s-no-probes\b/],
    ["workload-missing-resource-limits", /Deployment: k8s-no-limits\b/],
    ["image-disallow-latest-tag", /Deployment: k8s-floating-tag\b/],
    ["redis-configure-eviction", /Deployment: k8s-redis-noeviction\b/],
    ["postgres-enable-wal-archiving", /Deployment: k8s-postgres-16-no-archive\b/],
    ["postgres-missing-replica", /StatefulSet: k8s-postgres-14\b/],
    ["rabbitmq-disallow-guest", /Deployment: k8s-rabbitmq-guest\b/],
    ["rabbitmq-enforce-min-version", /Container: rabbitmq-old\b/],
    ["elasticsearch-enable-security", /Deployment: k8s-elasticsearch-insecure\b/],
    ["elasticsearch-configure-ilm", /Deployment: k8s-elasticsearch-insecure\b/],
    ["alertmanager-disallow-null-receiver", /Deployment: k8s-alertmanager\b/],
    ["monitoring-configure-alert-rules", /Container: prometheus-no-rules\b/],
    ["postgres-missing-backup", /CronJob: k8s-backup-weekly\b/],
    ["startup-enforce-dependency-order", /Container: app-no-wait\b/],
    ["tls-enforce-certificate-validity", /Secret: k8s-tls-expiring\b/],
    ["rabbitmq-enforce-min-version", /Deployment: k8s-rabbitmq-old\b/],
    ["rabbitmq-enable-management", /Deployment: k8s-rabbitmq-old\b/],
    ["startup-enforce-dependency-order", /Deployment: k8s-app-no-wait\b/],
  ];
  it("every gate names the hand-written resource that breaks it, and spares the sound ones", () => {
    const p = new Project(
      "gate-matrix-handwritten",
      "handwritten",
      "config: {}\n",
      path.join(repo, "test", "programs", "handwritten"),
    );
    // A certificate that expires in 5 days.
    const cert = certificate(5).cert;
    const set = spawnSync("pulumi", ["config", "set", "handwritten:tlsCert", "--", cert], {
      cwd: p.dir,
      env: p.env,
      encoding: "utf8",
    });
    assert.equal(set.status, 0, set.stderr);
    const r = p.preview("production");
    figure("gate-matrix-handwritten-preview-seconds", r.seconds.toFixed(1));
    assert.notEqual(r.code, 0, r.output);
    assert.doesNotMatch(r.output, /can't run policy/, r.output);
    assertReported(r.output, expected);
    assertNotReported(r.output, [
      ["redis-enable-persistence", /Container: ok-redis\b/],
      ["redis-configure-eviction", /Container: ok-redis\b/],
      ["image-disallow-latest-tag", /Container: ok-redis\b/],
      ["workload-missing-healthcheck", /Deployment: ok-k8s-init-without-probes\b/],
      ["workload-enforce-replicas-pdb", /Deployment: ok-k8s-init-without-probes\b/],
      ["rabbitmq-disallow-guest", /Container: rabbitmq-old\b/],
    ]);
    // Remediated rather than reported: the missing recommended labels are added.
    assert.match(r.output, /\[remediate\]\s+workload-missing-labels/);
    figure("gate-matrix-handwritten-violations", reported(r.output).length);
  });
});

/** A self-signed certificate and key that expire in `days` days, made with openssl (nothing is fetched). */
function certificate(days: number): { cert: string; key: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "golive-cert-"));
  try {
    const made = spawnSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        String(days),
        "-subj",
        "/CN=matrix.example.com",
        "-keyout",
        path.join(dir, "key.pem"),
        "-out",
        path.join(dir, "cert.pem"),
      ],
      { encoding: "utf8" },
    );
    assert.equal(made.status, 0, made.stderr);
    return {
      cert: fs.readFileSync(path.join(dir, "cert.pem"), "utf8"),
      key: fs.readFileSync(path.join(dir, "key.pem"), "utf8"),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A production spec in which each service, and each data service, breaks one checklist item. */
function brokenSpec(runtime: "docker" | "kubernetes" | "lxc"): string {
  const sound = (extra: string) => `
        replicas: 2
        ports: [{ name: http, port: 8080, public: false }]
        resources: { requests: { cpu: "100m", memory: 128Mi }, limits: { cpu: "500m", memory: 256Mi } }
        healthCheck: { path: /health, port: 8080 }${extra}`;
  const runtimeBlock = {
    docker: "",
    kubernetes: "    kubernetes: { namespace: matrix }\n",
    lxc: "    lxc:\n      node: { host: pve1.example.internal, user: root }\n",
  }[runtime];
  return `config:
  golive:environment:
    runtime: ${runtime}
    tier: production
${runtimeBlock}    host:
      { cpuCores: 16, memoryGb: 64, diskGb: 500, nodes: 3, gpu: { model: RTX 4080, memoryGb: 16 } }
    license: { file: license/missing.json, requiredModules: [llm] }
    waivers:
      debug:
        logging-disallow-debug-in-production: { reason: "granted for the pilot in 2019", until: "2020-01-01" }
    canaries:
      - package: pkg
        service: canary
        agents: [agent]
        accounts: [acct-1, acct-2, acct-3, acct-4]
        pilotAccounts: [acct-1]
        step: "50%"
        previousStep: pilot
    monitoring:
      receiver: { kind: "null" }
      disableDefaultRules: [HighLatencyP95]
    postgres:
      version: "13"
      replicas: 0
      walArchive: { enabled: false }
      backups: { enabled: false }
      pgbouncer: { enabled: false }
    redis:
      appendonly: false
      maxmemoryPolicy: noeviction
    rabbitmq:
      version: "3.10"
      plugins: [rabbitmq_prometheus]
      users: { guest: {} }
    elasticsearch:
      version: "7.17.0"
      security: false
    gateway:
      domain: matrix.example.com
      proxy: haproxy
      tls:
        source: file
        keyConfig: tlsKey
        certificate: |
CERTIFICATE
    services:
      floating:
        image: acme/api:stable${sound("")}
      debug:
        image: acme/api:1.4.2${sound("\n        env: { LOG_LEVEL: DEBUG }")}
      debugarg:
        image: acme/api:1.4.2${sound('\n        command: ["serve", "--log-level=debug"]')}
      debugsecret:
        image: acme/api:1.4.2${sound("\n        env: { LOG_LEVEL: TRACE }\n        secretEnv: { SECRET_KEY: { generate: { length: 48 } } }")}
      cors:
        image: acme/api:1.4.2${sound('\n        env: { CORS_ORIGINS: "*" }')}
      plain:
        image: acme/api:1.4.2${sound("\n        env: { API_TOKEN: abc123literal }")}
      shortconfig:
        image: acme/api:1.4.2${sound("\n        secretEnv: { JWT_SECRET: { config: jwtSecret } }")}
      shortgen:
        image: acme/api:1.4.2${sound("\n        secretEnv: { SECRET_KEY: { generate: { length: 16 } } }")}
      single:
        image: acme/api:1.4.2${sound("").replace("replicas: 2", "replicas: 1")}
      nohealth:
        image: acme/api:1.4.2${sound("").replace("\n        healthCheck: { path: /health, port: 8080 }", "")}
      nolimits:
        image: acme/api:1.4.2${sound("").replace(/\n {8}resources: .*/, "")}
      privileged:
        image: acme/api:1.4.2${sound("\n        securityContext: { privileged: true }")}
      bluegreen:
        image: acme/api:1.4.2${sound("\n        blueGreen: { active: blue, blue: 1.4.2, green: 1.4.3, weights: { blue: 0, green: 100 } }")}
      canary:
        image: acme/agents:1.0.0${sound("")}
${
  // golive's LXC runtime refuses GPU workloads at the boundary (no passthrough).
  runtime === "lxc"
    ? ""
    : `      gpu:\n        image: acme/ocr:1.0.0${sound("\n        gpu: { count: 1, memoryLimitGb: 16 }")}\n`
}      rootuser:
        image: acme/api:1.4.2${sound('\n        command: ["serve"]\n        securityContext: { runAsUser: 0 }')}
`;
}

/** What each runtime must report for brokenSpec; cells a runtime cannot express are left out (docs say why). */
function brokenExpect(runtime: "docker" | "kubernetes" | "lxc"): Expect[] {
  const all: (Expect & { on?: ("docker" | "kubernetes" | "lxc")[] })[] = [];
  const add = (policy: string, resource: RegExp, on?: ("docker" | "kubernetes" | "lxc")[]) =>
    all.push(Object.assign([policy, resource] as const, { on }));
  add("image-disallow-latest-tag", /floating/, ["docker", "kubernetes"]);
  add("logging-disallow-debug-in-production", /-debug\b|-debug-/);
  add("logging-disallow-debug-in-production", /debugarg/);
  add("logging-disallow-debug-in-production", /debugsecret/);
  add("cors-disallow-wildcard", /-cors\b|-cors-/);
  add("secrets-disallow-plain-env", /plain/);
  add("secrets-enforce-min-length", /shortconfig/);
  add("secrets-enforce-min-length", /shortgen/);
  add("workload-enforce-replicas-pdb", /single/);
  add("workload-missing-healthcheck", /nohealth/, ["docker", "kubernetes"]);
  add("workload-missing-resource-limits", /nolimits/, ["docker", "kubernetes"]);
  add("postgres-enforce-min-version", /postgres/);
  add("postgres-enable-wal-archiving", /postgres/);
  add("postgres-missing-replica", /postgres/);
  add("postgres-missing-backup", /postgres/);
  add("postgres-missing-pgbouncer", /postgres/);
  add("redis-enable-persistence", /redis/);
  add("redis-configure-eviction", /redis/);
  add("rabbitmq-enforce-min-version", /rabbitmq/);
  add("rabbitmq-enable-management", /rabbitmq/);
  add("alertmanager-disallow-null-receiver", /alertmanager/);
  add("monitoring-configure-alert-rules", /prometheus/);
  add("rabbitmq-disallow-guest", /rabbitmq/);
  add("elasticsearch-enable-security", /elasticsearch/);
  add("elasticsearch-configure-ilm", /elasticsearch/);
  add("workload-disallow-privileged", /privileged/);
  add("workload-enforce-non-root", /rootuser/);
  add("tls-enforce-certificate-validity", /gateway|ingress/i);
  add("bluegreen-keep-previous-colour", /EnvironmentFacts/);
  add("license-require-valid", /EnvironmentFacts/);
  add("waivers-disallow-expired", /-debug\b|-debug-/);
  add("canary-enforce-ladder-order", /canary/);
  add("gpu-enforce-memory-limit", /-gpu\b|-gpu-/, ["docker", "kubernetes"]);
  return all
    .filter((e) => !(e as any).on || (e as any).on.includes(runtime))
    .map((e) => [e[0], e[1]] as const);
}

describe("gate matrix: golive-built environments, each runtime, each input path", () => {
  for (const runtime of ["docker", "kubernetes", "lxc"] as const) {
    it(`${runtime}: every broken item is refused at the first preview`, () => {
      const tls = certificate(5);
      const spec = brokenSpec(runtime).replace(
        "CERTIFICATE\n",
        tls.cert.replace(/^/gm, "          ").replace(/ +$/, ""),
      );
      const p = new Project(`gate-matrix-${runtime}`, `matrix-${runtime}`, spec);
      const set = p.pulumi(["config", "set", "--secret", "golive:jwtSecret", "too-short"]);
      assert.equal(set.code, 0, set.output);
      const key = spawnSync(
        "pulumi",
        ["config", "set", "--secret", "golive:tlsKey", "--", tls.key],
        {
          cwd: p.dir,
          env: p.env,
          encoding: "utf8",
        },
      );
      assert.equal(key.status, 0, key.stderr);
      const r = p.preview("production");
      figure(`gate-matrix-${runtime}-preview-seconds`, r.seconds.toFixed(1));
      assert.notEqual(r.code, 0, r.output);
      assert.doesNotMatch(r.output, /can't run policy/, r.output);
      assertReported(r.output, brokenExpect(runtime));
      figure(`gate-matrix-${runtime}-violations`, reported(r.output).length);
    });
  }
});

describe("gate matrix: an environment without monitoring", () => {
  it("is refused by monitoring-missing-stack", () => {
    const spec = brokenSpec("docker")
      .replace(
        "CERTIFICATE\n",
        certificate(365).cert.replace(/^/gm, "          ").replace(/ +$/, ""),
      )
      .replace(/ {4}monitoring:\n( {6}.*\n)+/, "");
    assert.doesNotMatch(spec, /monitoring:/);
    const p = new Project("gate-matrix-unmonitored", "matrix-unmonitored", spec);
    assert.equal(p.pulumi(["config", "set", "--secret", "golive:jwtSecret", "too-short"]).code, 0);
    assert.equal(p.pulumi(["config", "set", "--secret", "golive:tlsKey", "unused"]).code, 0);
    const r = p.preview("production");
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, /\[mandatory\] \[severity: high\]\s+monitoring-missing-stack/);
    assert.match(r.output, /No Prometheus runs in this environment/);
  });
});
