/**
 * What an app gets from the data services it depends on: each service describes its own client
 * (components/services/client.ts) and the Environment hands it on. The names and values are what
 * the apps (and the e2e app) read, so they are pinned here exactly.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { one, recordResources, reveal, settle } from "../mocks";
import { specFor } from "./fixtures";

const recorded = recordResources();
const pw = (length: number) => "s".repeat(length);

describe("data service clients", () => {
  before(async () => {
    const { Environment } = await import("../../../components/environment");
    new Environment("golive-clients", {
      spec: specFor({
        runtime: "docker",
        tier: "staging",
        postgres: { version: "16", pgbouncer: { enabled: true } },
        redis: {},
        rabbitmq: {
          vhosts: ["erp"],
          users: { app: { permissions: { erp: { configure: ".*", write: ".*", read: ".*" } } } },
        },
        elasticsearch: {},
        minio: { buckets: ["documents"] },
        mongodb: { database: "docs" },
        monitoring: { receiver: { kind: "null" } },
        features: { rag: true },
        services: {
          api: {
            image: "acme/api:1.4.2",
            ports: [{ name: "http", port: 8080 }],
            resources: { limits: { cpu: "1", memory: "512Mi" } },
            dependsOn: ["postgres", "redis", "rabbitmq", "elasticsearch", "minio", "mongodb"],
          },
          web: {
            image: "acme/web:1.0.0",
            resources: { limits: { cpu: "1", memory: "512Mi" } },
            dependsOn: ["api"],
          },
        },
      }),
    });
    await settle();
  });

  const envOf = (workload: string) =>
    reveal<string[]>(
      one(recorded, "docker:index/container:Container", `golive-clients-${workload}`).inputs.envs,
    );

  it("an app gets every client variable of the data services it depends on, and golive's defaults", () => {
    assert.deepEqual(envOf("api"), [
      "DATABASE_HOST=pgbouncer",
      "DATABASE_NAME=app",
      "DATABASE_PORT=6432",
      "DATABASE_USER=app",
      "ELASTICSEARCH_URL=http://elasticsearch:9200",
      "ELASTICSEARCH_USER=elastic",
      "FEATURE_RAG=true",
      "LOG_DIR=/var/log/api",
      "LOG_LEVEL=INFO",
      "MAINTENANCE_MODE=false",
      "MINIO_ENDPOINT=http://minio:9000",
      "MONGODB_HOST=mongodb",
      "MONGODB_PORT=27017",
      "RABBITMQ_HOST=rabbitmq",
      "RABBITMQ_PORT=5672",
      "RABBITMQ_USER=app",
      "REDIS_HOST=redis",
      "REDIS_PORT=6379",
      "S3_ACCESS_KEY=golive-admin",
      "S3_ENDPOINT=http://minio:9000",
      `AMQP_URL=amqp://app:${pw(32)}@rabbitmq:5672/erp`,
      `DATABASE_PASSWORD=${pw(32)}`,
      `DATABASE_URL=postgresql://app:${pw(32)}@pgbouncer:6432/app`,
      `ELASTICSEARCH_PASSWORD=${pw(32)}`,
      `MONGODB_URL=mongodb://root:${pw(32)}@mongodb:27017/docs?authSource=admin`,
      `RABBITMQ_PASSWORD=${pw(32)}`,
      `RABBITMQ_URL=amqp://app:${pw(32)}@rabbitmq:5672/erp`,
      `REDIS_PASSWORD=${pw(32)}`,
      `REDIS_URL=redis://:${pw(32)}@redis:6379/0`,
      `S3_SECRET_KEY=${pw(40)}`,
    ]);
  });

  it("an app depending on another app gets no data service client, only golive's defaults", () => {
    assert.deepEqual(envOf("web"), [
      "FEATURE_RAG=true",
      "LOG_DIR=/var/log/web",
      "LOG_LEVEL=INFO",
      "MAINTENANCE_MODE=false",
    ]);
  });

  it("the app waits for each data service's ready workloads (pgBouncer included)", () => {
    const api = one(recorded, "docker:index/container:Container", "golive-clients-api");
    const label = (api.inputs.labels as { label: string; value: string }[]).find(
      (l) => l.label === "golive.dev/depends-on",
    );
    assert.equal(label?.value, "elasticsearch,minio,mongodb,pgbouncer,postgres,rabbitmq,redis");
  });

  it("Prometheus scrapes each service's own targets, MinIO's cluster metrics among them", () => {
    const prometheus = one(
      recorded,
      "docker:index/container:Container",
      "golive-clients-prometheus",
    );
    const yml = String(
      reveal<{ file: string; content: unknown }[]>(prometheus.inputs.uploads).find(
        (u) => u.file === "/etc/prometheus/prometheus.yml",
      )?.content,
    );
    for (const target of [
      "postgres-exporter:9187",
      "redis-exporter:9121",
      "rabbitmq:15692",
      "minio:9000",
      "api:8080",
    ]) {
      assert.ok(yml.includes(target), `prometheus.yml scrapes ${target}`);
    }
    assert.match(yml, /metrics_path: \/minio\/v2\/metrics\/cluster/);
  });
});
