import assert from "node:assert/strict";
import { describe, it } from "node:test";
import yaml from "js-yaml";
import { gatewaySpec } from "../../components/config/spec";
import { caddyfile, orderRoutes } from "../../components/gateway/caddy";
import { haproxyCfg, haproxySwitchScript } from "../../components/gateway/haproxy";
import { lxcFactsEnvironment, readLxcFacts } from "../../policies/lib/contract";
import {
  pctCreate,
  pctDestroy,
  pctUpdate,
  provisionScript,
  systemdUnit,
} from "../../components/runtime/lxc/pct";
import { matchSnapshot } from "./snapshot";
import { monitoringSpec } from "../../components/config/spec";
import {
  alertmanagerYml,
  alertRules,
  prometheusYml,
} from "../../components/services/monitoring/config";
import {
  backupLoop,
  pgbouncerIni,
  postgresArgs,
  primaryInitScript,
  replicaCommand,
  serverSettings,
} from "../../components/services/postgres/config";

const gateway = gatewaySpec.parse({
  domain: "erp.example.com",
  tls: { source: "acme", email: "ops@example.com" },
  cors: { origins: ["https://erp.example.com", "https://admin.example.com"] },
  rateLimit: { requestsPerSecond: 20 },
  compression: { brotli: true },
});
const routes = [
  { pathPrefix: "/", upstreams: [{ address: "web:3000", weight: 100 }] },
  {
    pathPrefix: "/api",
    upstreams: [
      { address: "api-blue:8080", weight: 100 },
      { address: "api-green:8080", weight: 0 },
    ],
  },
];

describe("generated configuration text", () => {
  it("Caddyfile: TLS, compression, rate limit, CORS, gateway health, longest route first", () => {
    const text = caddyfile(gateway, routes);
    matchSnapshot("Caddyfile", text);
    assert.ok(text.indexOf("reverse_proxy /api*") < text.indexOf("reverse_proxy web:3000"));
  });

  it("haproxy.cfg: TLS, rate limit table, CORS, weighted servers, runtime API socket", () => {
    const text = haproxyCfg({ ...gateway, proxy: "haproxy", tls: { source: "internal" } }, routes);
    matchSnapshot("haproxy.cfg", text);
    assert.match(text, /server api_green_8080 api-green:8080 check .* weight 0/);
    assert.match(text, /stats socket \/run\/haproxy\/admin\.sock/);
    assert.match(text, /stats socket ipv4@127\.0\.0\.1:9999 level admin/);
    assert.match(text, /server-state-file \/var\/lib\/haproxy\/golive-server-state/);
  });

  it("haproxy.cfg on Kubernetes: colour weights in the file, no runtime API, resolved at start, bounded soft stop", () => {
    const colours = [
      { pathPrefix: "/", upstreams: [{ address: "web:3000", weight: 100 }] },
      {
        pathPrefix: "/api",
        upstreams: [
          { address: "api-blue:8080", weight: 50, colour: "blue" as const },
          { address: "api-green:8080", weight: 50, colour: "green" as const },
        ],
      },
    ];
    const g = { ...gateway, proxy: "haproxy" as const, tls: { source: "internal" as const } };
    const text = haproxyCfg(g, colours, undefined, "kubernetes");
    matchSnapshot("haproxy-kubernetes.cfg", text);
    assert.match(text, /server api_blue_8080 api-blue:8080 check .* weight 50 init-addr libc\n/);
    assert.match(text, /server api_green_8080 api-green:8080 check .* weight 50 init-addr libc\n/);
    assert.doesNotMatch(text, /stats socket|server-state|resolvers/);
    assert.match(text, /\thard-stop-after 20s\n/);
    assert.match(text, /\tretry-on conn-failure empty-response\n/);
    assert.match(text, /\toption idle-close-on-response\n/);
    assert.doesNotMatch(haproxyCfg(g, colours), /idle-close-on-response/);
    // The same routes in a container: colours at 0 in the file, the switch sets them live.
    assert.match(haproxyCfg(g, colours), /server api_blue_8080 api-blue:8080 check .* weight 0 /);
  });

  it("Caddyfile on Kubernetes: a bounded grace period, the TLS Secret's files", () => {
    const g = { ...gateway, tls: { source: "secret" as const, secretName: "erp-tls" } };
    const text = caddyfile(g, routes, undefined, "kubernetes");
    matchSnapshot("Caddyfile-kubernetes", text);
    assert.match(text, /\tgrace_period 20s\n/);
    assert.match(text, /\ttls \/etc\/golive\/tls\/cert\.pem \/etc\/golive\/tls\/key\.pem\n/);
    assert.doesNotMatch(caddyfile(gateway, routes), /grace_period/);
  });

  it("blue/green switch: runtime API weights, read back, saved for restarts; socat or bash", () => {
    const script = haproxySwitchScript([
      { backend: "be_api", server: "api_blue_8080", weight: 0 },
      { backend: "be_api", server: "api_green_8080", weight: 100 },
    ]);
    matchSnapshot("haproxy-switch.sh", script);
    assert.match(script, /set server be_api\/api_green_8080 weight 100/);
    assert.match(script, /socat .*unix-connect:\/run\/haproxy\/admin\.sock/);
    assert.match(script, /\/dev\/tcp\/127\.0\.0\.1\/9999/);
    assert.match(script, /show servers state" > \/var\/lib\/haproxy\/golive-server-state\.tmp/);
    assert.match(script, /within 30s/);
    // The colour that gets traffic is set and awaited before the other is taken to 0.
    assert.ok(
      script.indexOf("api_green_8080 weight 100") < script.indexOf("await_state be_api api_green"),
    );
    assert.ok(
      script.indexOf("await_state be_api api_green") <
        script.indexOf('set server be_api/api_blue_8080 weight 0"'),
    );
  });

  it("pct command lines read the container's facts from the environment", () => {
    matchSnapshot("pct-create.sh", pctCreate());
    matchSnapshot("pct-update.sh", pctUpdate());
    matchSnapshot("pct-destroy.sh", pctDestroy());
    for (const script of [pctCreate(), pctUpdate(), pctDestroy()]) {
      assert.doesNotMatch(script, /\b\d{3}\b.*--cores/, "no literal facts in the scripts");
    }
  });

  it("provisioning writes a 0600 env file and a systemd unit", () => {
    const unit = systemdUnit("api", ["/opt/api/bin/api", "--port", "8080", "--name", "a b"]);
    matchSnapshot("golive-api.service", unit);
    matchSnapshot(
      "provision-api.sh",
      provisionScript({
        service: "api",
        packages: ["python3"],
        envKeys: ["LOG_LEVEL", "SECRET_KEY"],
        files: [{ path: "/etc/api/x.conf", envKey: "GOLIVE_FILE_0", mode: "0600" }],
        unit,
        health: {
          unit: "golive-api.service",
          check: { path: "/health", port: 8080 },
          timeoutSeconds: 5,
          intervalSeconds: 5,
          deadlineSeconds: 60,
        },
      }),
    );
  });

  it("facts become GOLIVE_CT_* variables, and the pack reads back what the program wrote", () => {
    const facts = {
      id: 101,
      hostname: "psa-db",
      cores: 4,
      memoryMb: 8192,
      diskGb: 108,
      startOrder: 10,
      tier: "production",
      template: "local:vztmpl/debian-12.tar.zst",
      storage: "local-lvm",
      bridge: "vmbr0",
      ha: true,
      tags: "golive;production;database",
      unprivileged: true,
    };
    const env = lxcFactsEnvironment(facts);
    assert.equal(env.GOLIVE_CT_ID, "101");
    assert.equal(env.GOLIVE_CT_HA, "1");
    assert.equal(env.GOLIVE_CT_UNPRIVILEGED, "1");
    assert.equal(Object.keys(env).length, 13);
    assert.deepEqual(
      readLxcFacts((k) => env[k]),
      facts,
    );
    const privileged = lxcFactsEnvironment({ ...facts, unprivileged: false, ha: false });
    assert.equal(privileged.GOLIVE_CT_UNPRIVILEGED, "0");
    assert.deepEqual(
      readLxcFacts((k) => privileged[k]),
      { ...facts, unprivileged: false, ha: false },
    );
    // A container without the fact (hand-written, or before the fact existed) is unprivileged.
    assert.equal(readLxcFacts(() => undefined).unprivileged, true);
  });

  it("orders routes longest prefix first", () => {
    assert.deepEqual(
      orderRoutes([
        { pathPrefix: "/", upstreams: [] },
        { pathPrefix: "/api/v2", upstreams: [] },
        { pathPrefix: "/api", upstreams: [] },
      ]).map((r) => r.pathPrefix),
      ["/api/v2", "/api", "/"],
    );
  });

  it("PostgreSQL: server settings, replication setup, replica bootstrap, pgBouncer, backups", () => {
    const settings = serverSettings({ replicas: 2, walArchive: true, standby: false });
    matchSnapshot("postgres-args", postgresArgs(settings).join("\n"));
    matchSnapshot("postgres-init-replication.sh", primaryInitScript(2));
    matchSnapshot(
      "postgres-replica.sh",
      replicaCommand(
        "postgres",
        "replica_2",
        serverSettings({ replicas: 2, walArchive: true, standby: true }),
      )[2],
    );
    matchSnapshot(
      "pgbouncer.ini",
      pgbouncerIni({
        primaryHost: "postgres",
        database: "app",
        poolMode: "transaction",
        maxClientConnections: 500,
        defaultPoolSize: 20,
      }),
    );
    matchSnapshot("postgres-backup.sh", backupLoop("postgres", 24, 14)[2]);
  });

  it("monitoring: prometheus.yml, alert rules, alertmanager.yml", () => {
    const spec = monitoringSpec.parse({
      receiver: {
        kind: "email",
        to: "ops@example.com",
        from: "am@example.com",
        smarthost: "mail.example.com:587",
      },
    });
    matchSnapshot(
      "prometheus.yml",
      prometheusYml([
        { job: "api", address: "api:8080" },
        { job: "minio", address: "minio:9000", path: "/minio/v2/metrics/cluster" },
      ]),
    );
    matchSnapshot("alert-rules.yml", alertRules(spec.thresholds));
    matchSnapshot("alertmanager.yml", alertmanagerYml(spec.receiver));
    assert.doesNotMatch(alertmanagerYml(spec.receiver), /name: "?null"?/);
  });

  it("alert rules: a default dropped, a team's rule added, valid YAML whatever its expression", () => {
    const spec = monitoringSpec.parse({
      receiver: { kind: "null" },
      disableDefaultRules: ["HighErrorRate", "HighLatencyP95"],
      alertRules: [
        {
          name: "QueueBacklog",
          expr: 'sum(rabbitmq_queue_messages{queue="jobs"}) > 1000 # "a: b"',
          summary: "{{ $labels.queue }}: backlog",
        },
      ],
    });
    const text = alertRules(spec.thresholds, {
      rules: spec.alertRules,
      disabled: spec.disableDefaultRules,
    });
    const parsed = yaml.load(text) as {
      groups: { rules: { alert: string; expr: string; for: string; labels: object }[] }[];
    };
    const rules = parsed.groups[0].rules;
    assert.deepEqual(
      rules.map((r) => r.alert),
      ["ServiceDown", "HighHandoffRate", "PostgresReplicaLag", "DiskSpaceLow", "QueueBacklog"],
    );
    const own = rules[rules.length - 1];
    assert.equal(own.expr, spec.alertRules[0].expr);
    assert.equal(own.for, "5m");
    assert.deepEqual(own.labels, { severity: "warning" });
    const none = alertRules(spec.thresholds, {
      disabled: [
        "ServiceDown",
        "HighErrorRate",
        "HighLatencyP95",
        "HighHandoffRate",
        "PostgresReplicaLag",
        "DiskSpaceLow",
      ],
    });
    assert.deepEqual(yaml.load(none), { groups: [{ name: "golive", rules: [] }] });
  });
});
