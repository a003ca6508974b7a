/**
 * Every data service on every runtime: the service is written once, so the same facts must reach
 * each runtime's own resources (a Docker container, a Kubernetes controller, an LXC service unit).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { byType, recordResources, reveal, settle, type Recorded } from "../mocks";
import { specFor } from "./fixtures";

const recorded: Recorded[] = recordResources();
pulumi.runtime.setAllConfig({ "golive:openaiKey": "sk-test" }, ["golive:openaiKey"]);
const runtimes = ["docker", "kubernetes", "lxc"] as const;
type RuntimeKind = (typeof runtimes)[number];

const data = {
  postgres: { version: "16", replicas: 1, resources: { limits: { cpu: "1", memory: "1Gi" } } },
  redis: {},
  rabbitmq: {
    vhosts: ["erp"],
    users: { app: { permissions: { erp: { configure: ".*", write: ".*", read: ".*" } } } },
    queues: [{ name: "events", vhost: "erp" }],
  },
  elasticsearch: {
    ilmPolicies: { logs: { deleteAfterDays: 30 } },
    indexTemplates: { logs: { indexPatterns: ["logs-*"], ilmPolicy: "logs" } },
  },
  minio: { buckets: ["documents"] },
  mongodb: {},
  monitoring: { receiver: { kind: "webhook", url: "https://alerts.example.com/hook" } },
};

/** The command line and files a workload runs with, whatever the runtime. */
function realised(
  runtime: RuntimeKind,
  workload: string,
): { command: string[]; files: Record<string, string>; env: string[] } {
  const env = `golive-${runtime}`;
  if (runtime === "docker") {
    const c = recorded.find(
      (r) => r.type === "docker:index/container:Container" && r.name === `${env}-${workload}`,
    );
    assert.ok(c, `docker container ${env}-${workload}`);
    const files = Object.fromEntries(
      (reveal<{ file: string; content: unknown }[]>(c.inputs.uploads) ?? []).map((u) => [
        u.file,
        String(reveal(u.content)),
      ]),
    );
    return { command: c.inputs.command ?? [], files, env: reveal<string[]>(c.inputs.envs) ?? [] };
  }
  if (runtime === "kubernetes") {
    const c = recorded.find(
      (r) =>
        /apps\/v1:(StatefulSet|Deployment)|batch\/v1:Job/.test(r.type) &&
        r.name.startsWith(`${env}-${workload}-`) &&
        r.inputs.metadata?.name === workload,
    );
    assert.ok(c, `kubernetes controller for ${workload}`);
    const container = c.inputs.spec.template.spec.containers[0];
    const maps = recorded.filter(
      (r) => /core\/v1:(ConfigMap|Secret)/.test(r.type) && r.name.startsWith(`${env}-${workload}-`),
    );
    const files: Record<string, string> = {};
    for (const m of maps) {
      for (const [k, v] of Object.entries({
        ...(m.inputs.data ?? {}),
        ...(reveal<Record<string, unknown>>(m.inputs.stringData) ?? {}),
      })) {
        files[k] = String(reveal(v));
      }
    }
    return {
      command: [...(container.command ?? []), ...(container.args ?? [])],
      files,
      env: (container.env ?? []).map(
        (e: { name: string; value?: string }) => `${e.name}=${e.value ?? "<secretKeyRef>"}`,
      ),
    };
  }
  const svc = recorded.find(
    (r) => r.type === "command:remote:Command" && r.name === `${env}-${workload}-service`,
  );
  assert.ok(svc, `lxc service command for ${workload}`);
  const e = reveal<Record<string, string>>(svc.inputs.environment);
  const unit = e.GOLIVE_UNIT ?? "";
  const files = Object.fromEntries(
    Object.entries(e)
      .filter(([k]) => k.startsWith("GOLIVE_FILE_") || k === "GOLIVE_SETUP")
      .map(([k, v]) => [k, v]),
  );
  return {
    command: unit ? [unit] : [],
    files,
    env: Object.entries(e).map(([k, v]) => `${k.replace(/^GOLIVE_ENV_/, "")}=${v}`),
  };
}

const text = (r: { command: string[]; files: Record<string, string> }) =>
  [...r.command, ...Object.values(r.files)].join("\n");

/** Every workload port of a full Docker environment, each given a host port by spec `hostPorts`. */
const published: Record<string, Record<string, number>> = {};
let expectedWorkloads: string[] = [];

describe("data services on every runtime", () => {
  before(async () => {
    const { Environment, workloadPorts } = await import("../../../components/environment");
    const full = {
      runtime: "docker",
      tier: "dev",
      ...data,
      gateway: { domain: "localhost", proxy: "haproxy", tls: { source: "internal" } },
    };
    expectedWorkloads = Object.keys(workloadPorts(specFor(full))).sort();
    let next = 30000;
    const services = specFor(full).services;
    for (const [w, ports] of Object.entries(workloadPorts(specFor(full)))) {
      // A replicated service cannot publish one host port: its replicas would collide (refused).
      if ((services[w]?.replicas ?? 1) > 1) continue;
      for (const port of ports) (published[w] ??= {})[port] = next++;
    }
    new Environment("golive-published", { spec: specFor({ ...full, hostPorts: published }) });
    for (const runtime of runtimes) {
      new Environment(`golive-${runtime}`, {
        spec: specFor({
          runtime,
          tier: "production",
          ...data,
          ...(runtime === "lxc" ? { lxc: { node: { host: "pve1" }, firstId: 100 } } : {}),
        }),
      });
    }
    await settle();
  });

  it("workloadPorts names every Docker container and port the components declare", () => {
    const containers = recorded.filter(
      (r) =>
        r.type === "docker:index/container:Container" && r.name.startsWith("golive-published-"),
    );
    // One-shot jobs (e.g. elasticsearch-setup) are no long-running workload: no ports, no CT-ID.
    const services = containers.filter((c) => c.inputs.restart !== "no");
    const workloadOf = (c: Recorded) =>
      (c.inputs.labels as { label: string; value: string }[]).find(
        (l) => l.label === "app.kubernetes.io/name",
      )?.value;
    assert.deepEqual([...new Set(services.map(workloadOf))].sort(), expectedWorkloads);
    for (const [w, ports] of Object.entries(published)) {
      const c = services.find((x) => workloadOf(x) === w);
      assert.ok(c, `a container for workload ${w}`);
      const hostPorts = (c.inputs.ports as { external?: number }[]).map((p) => p.external).sort();
      assert.deepEqual(
        hostPorts,
        Object.values(ports).sort(),
        `${w}: every named port is published`,
      );
    }
  });

  it("Prometheus and Alertmanager get flags only where the image's entrypoint is the binary", () => {
    for (const w of ["prometheus", "alertmanager"]) {
      const c = recorded.find(
        (r) => r.type === "docker:index/container:Container" && r.name === `golive-docker-${w}`,
      );
      assert.ok(c);
      assert.deepEqual(c.inputs.entrypoints, [w]);
      assert.match(String(c.inputs.command[0]), /^--config\.file=/);
    }
    // On LXC golive's unit runs the Debian package's binary as the package's user, and the
    // package's own unit is stopped; a lone Alertmanager does not cluster.
    const am = text(realised("lxc", "alertmanager"));
    assert.match(
      am,
      /ExecStart=\/usr\/bin\/prometheus-alertmanager --config\.file=\S+ --storage\.path=\S+ --cluster\.listen-address=\n/,
    );
    const prom = text(realised("lxc", "prometheus"));
    assert.match(prom, /ExecStart=\/usr\/bin\/prometheus --config\.file=/);
    for (const [t, w, pkg] of [
      [am, "alertmanager", "prometheus-alertmanager"],
      [prom, "prometheus", "prometheus"],
    ]) {
      assert.match(t, /\nUser=prometheus\n/);
      const svc = recorded.find(
        (r) => r.type === "command:remote:Command" && r.name === `golive-lxc-${w}-service`,
      );
      assert.match(
        String(svc?.inputs.create),
        new RegExp(`systemctl disable --now ${pkg}\\.service`),
      );
    }
  });

  for (const runtime of runtimes) {
    describe(runtime, () => {
      it("PostgreSQL primary archives WAL and allows replication slots", () => {
        const pg = text(realised(runtime, "postgres"));
        assert.match(pg, /archive_mode=on/);
        assert.match(pg, /archive_command=test ! -f \/var\/lib\/postgresql\/wal-archive\/%%?f/);
        assert.match(pg, /hot_standby=on/);
        assert.match(pg, /pg_create_physical_replication_slot\('replica_1'\)/);
      });
      it("the replica clones the primary into its slot and streams", () => {
        const replica = text(realised(runtime, "postgres-replica-1"));
        assert.match(
          replica,
          /pg_basebackup -h postgres -U replicator .* -R -X stream -S replica_1/,
        );
      });
      it("pgBouncer pools in transaction mode in front of the primary", () => {
        const b = text(realised(runtime, "pgbouncer"));
        assert.match(b, /pool_mode = transaction/);
        assert.match(b, /app = host=postgres port=5432 dbname=app/);
      });
      it("backups run on a schedule with retention", () => {
        const b = text(realised(runtime, "postgres-backup"));
        assert.match(b, /pg_basebackup .* -Ft -z -X fetch/);
        assert.match(b, /-mtime \+14/);
        assert.match(b, /sleep 86400/);
      });
      it("Redis keeps AOF and RDB, evicts allkeys-lru, and requires a password from a secret file", () => {
        const r = realised(runtime, "redis");
        const t = text(r);
        assert.match(t, /--appendonly[\s"]+yes/);
        assert.match(t, /--save[\s"]+900 1 300 10 60 10000/);
        assert.match(t, /--maxmemory-policy[\s"]+allkeys-lru/);
        assert.match(t, /requirepass s{32}/);
      });
      it("RabbitMQ loads vhosts, quorum queues and users from definitions, without guest", () => {
        const t = text(realised(runtime, "rabbitmq"));
        assert.match(t, /rabbitmq_management/);
        assert.match(t, /"x-queue-type": "quorum"/);
        assert.match(t, /loopback_users.guest = true/);
        assert.doesNotMatch(t, /"name": "guest"/);
      });
      if (runtime === "kubernetes") {
        it("every StatefulSet is applied forcing field conflicts, so an up after a killed one converges", () => {
          const sets = recorded.filter(
            (r) =>
              r.type === "kubernetes:apps/v1:StatefulSet" &&
              r.name.startsWith(`golive-${runtime}-`),
          );
          assert.ok(sets.length >= 4, sets.map((r) => r.name).join(","));
          for (const r of sets) {
            assert.equal(r.inputs.metadata?.annotations?.["pulumi.com/patchForce"], "true", r.name);
          }
        });
      }
      if (runtime !== "lxc") {
        it("RabbitMQ's node name names a host that resolves inside its own container", () => {
          // Docker: the container's hostname is the workload's; a Kubernetes pod's is the pod's
          // own (rabbitmq-0), so there the node is rabbit@localhost.
          const want = runtime === "kubernetes" ? "rabbit@localhost" : "rabbit@rabbitmq";
          const r = realised(runtime, "rabbitmq");
          assert.ok(r.env.includes(`RABBITMQ_NODENAME=${want}`), r.env.join("\n"));
        });
      }
      it("Elasticsearch runs with security on and half its memory as heap", () => {
        const r = realised(runtime, "elasticsearch");
        assert.ok(r.env.includes("xpack.security.enabled=true"), r.env.join("\n"));
        assert.ok(r.env.includes("ES_JAVA_OPTS=-Xms1024m -Xmx1024m"));
      });
      it("MinIO creates its buckets", () => {
        assert.match(text(realised(runtime, "minio")), /mkdir -p \/data\/documents/);
      });
      it("MongoDB runs with authentication", () => {
        assert.match(text(realised(runtime, "mongodb")), /--auth/);
      });
      it("Prometheus scrapes every exporter and service, with alert rules; Alertmanager routes to the receiver", () => {
        const prom = text(realised(runtime, "prometheus"));
        for (const job of [
          "postgres-exporter",
          "postgres-replica-1-exporter",
          "redis-exporter",
          "rabbitmq",
          "minio",
          "api",
          "node-exporter",
        ]) {
          assert.match(prom, new RegExp(`job_name: ${job}\\b`), job);
        }
        for (const alert of [
          "ServiceDown",
          "HighErrorRate",
          "HighLatencyP95",
          "HighHandoffRate",
          "PostgresReplicaLag",
          "DiskSpaceLow",
        ]) {
          assert.match(prom, new RegExp(`alert: ${alert}`), alert);
        }
        assert.match(
          text(realised(runtime, "alertmanager")),
          /webhook_configs:\n\s+- url: "https:\/\/alerts\.example\.com\/hook"/,
        );
      });
      it("Grafana is provisioned with the Prometheus datasource and a dashboard", () => {
        const g = text(realised(runtime, "grafana"));
        assert.match(g, /url: http:\/\/prometheus:9090/);
        assert.match(g, /"uid": "golive-overview"/);
      });
    });
  }

  it("apps wait for their data services and connect through pgBouncer", () => {
    const api = byType(recorded, "docker:index/container:Container").find(
      (c) => c.name === "golive-docker-api-1",
    );
    assert.ok(api);
    const envs = reveal<string[]>(api.inputs.envs);
    assert.ok(envs.includes("DATABASE_HOST=pgbouncer"));
  });
});
