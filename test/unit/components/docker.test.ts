import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { byType, isSecret, one, recordResources, reveal, settle, type Recorded } from "../mocks";
import { specFor } from "./fixtures";

const recorded: Recorded[] = recordResources();
pulumi.runtime.setAllConfig({ "golive:openaiKey": "sk-test" }, ["golive:openaiKey"]);

describe("the Docker runtime", () => {
  before(async () => {
    const { Environment } = await import("../../../components/environment");
    new Environment("golive-test", {
      spec: specFor({
        runtime: "docker",
        tier: "dev",
        gateway: {
          domain: "localhost",
          tls: { source: "internal" },
          cors: { origins: ["https://localhost:18443"] },
          hostPorts: { http: 18080, https: 18443 },
        },
      }),
      config: new pulumi.Config("golive"),
    });
    await settle();
  });

  it("makes one bridge network for the environment", () => {
    const net = one(recorded, "docker:index/network:Network", "golive-test-docker-network");
    assert.equal(net.inputs.name, "golive-test-net");
    assert.equal(net.inputs.driver, "bridge");
  });

  it("runs PostgreSQL with a retained named volume, a pg_isready health check and limits", () => {
    const pg = one(recorded, "docker:index/container:Container", "golive-test-postgres");
    assert.equal(pg.inputs.image, "postgres:16");
    assert.deepEqual(pg.inputs.healthcheck.tests, ["CMD", "pg_isready", "-U", "app", "-d", "app"]);
    assert.equal(pg.inputs.wait, true);
    assert.equal(pg.inputs.memory, 1024);
    assert.equal(pg.inputs.cpus, "1");
    assert.equal(pg.inputs.restart, "unless-stopped");
    assert.deepEqual(pg.inputs.volumes, [
      { volumeName: "golive-test-postgres-data", containerPath: "/var/lib/postgresql/data" },
      {
        volumeName: "golive-test-postgres-wal-archive",
        containerPath: "/var/lib/postgresql/wal-archive",
      },
    ]);
    assert.ok(isSecret(pg.inputs.envs), "envs carry the password, so the engine keeps them secret");
    assert.ok(reveal<string[]>(pg.inputs.envs).includes("POSTGRES_USER=app"));
    const vol = one(recorded, "docker:index/volume:Volume", "golive-test-postgres-data");
    assert.equal(vol.inputs.name, "golive-test-postgres-data");
  });

  it("hands the WAL archive volume to postgres before PostgreSQL starts", () => {
    const job = one(
      recorded,
      "docker:index/container:Container",
      "golive-test-postgres-volume-owner",
    );
    assert.deepEqual(job.inputs.entrypoints, ["sh", "-c"]);
    assert.deepEqual(job.inputs.command, [
      "chown postgres: /var/lib/postgresql/wal-archive && touch /var/lib/postgresql/wal-archive/.golive-owner",
    ]);
    assert.equal(job.inputs.user, "0");
    assert.equal(job.inputs.attach, true, "runs to completion before the primary is created");
    const labels = Object.fromEntries(
      (job.inputs.labels as { label: string; value: string }[]).map((l) => [l.label, l.value]),
    );
    assert.equal(labels["app.kubernetes.io/name"], "postgres-volume-owner");
    assert.equal(labels["golive.dev/postgres-role"], undefined, "not taken for the primary");
    assert.deepEqual(job.inputs.volumes, [
      {
        volumeName: "golive-test-postgres-wal-archive",
        containerPath: "/var/lib/postgresql/wal-archive",
      },
    ]);
  });

  it("runs each app replica as its own container with HTTP health check, env and secrets", () => {
    const apis = byType(recorded, "docker:index/container:Container").filter((c) =>
      c.name.startsWith("golive-test-api"),
    );
    assert.deepEqual(apis.map((c) => c.name).sort(), ["golive-test-api-1", "golive-test-api-2"]);
    const api = apis[0];
    assert.equal(api.inputs.image, "acme/api:1.4.2");
    assert.equal(api.inputs.healthcheck.tests[0], "CMD-SHELL");
    assert.match(api.inputs.healthcheck.tests[1], /http:\/\/127\.0\.0\.1:8080\/health/);
    assert.ok(isSecret(api.inputs.envs), "secret env values keep the whole env list secret");
    const envs = reveal<string[]>(api.inputs.envs);
    assert.ok(
      envs.includes("LOG_LEVEL=INFO"),
      "the service's own LOG_LEVEL wins over the tier default",
    );
    assert.ok(envs.includes("LOG_DIR=/var/log/api"));
    assert.ok(envs.includes("DATABASE_HOST=pgbouncer"), "apps connect through pgBouncer");
    assert.ok(envs.includes("DATABASE_PORT=6432"));
    assert.ok(envs.includes("FEATURE_RAG=true"));
    assert.ok(envs.includes(`SECRET_KEY=${"s".repeat(48)}`));
    assert.ok(envs.includes("OPENAI_API_KEY=sk-test"));
    assert.deepEqual(
      api.inputs.ports,
      [],
      "app ports are reached through the gateway, not published",
    );
    const labels = Object.fromEntries(
      (api.inputs.labels as { label: string; value: string }[]).map((l) => [l.label, l.value]),
    );
    assert.equal(labels["app.kubernetes.io/name"], "api");
    assert.equal(labels["app.kubernetes.io/version"], "1.4.2");
    assert.equal(labels["app.kubernetes.io/component"], "app");
    // Secrets' lengths travel beside them: a generated one's as declared, a config one's measured.
    assert.equal(
      labels["golive.dev/secret-lengths"],
      "DATABASE_PASSWORD=32,OPENAI_API_KEY=7,SECRET_KEY=48",
    );
    assert.ok(!isSecret(labels["golive.dev/secret-lengths"]), "a length is no secret");
    assert.equal(api.inputs.user, "10001", "the user is stated, never left to the image");
  });

  it("gives the GPU worker a device request and no ports", () => {
    const ocr = one(recorded, "docker:index/container:Container", "golive-test-ocr");
    assert.equal(ocr.inputs.gpus, "count=1");
    assert.deepEqual(ocr.inputs.command, ["python", "-m", "ocr.worker"]);
    assert.equal(ocr.inputs.memory, 8192);
  });

  it("publishes only the gateway, on 127.0.0.1, with the generated Caddyfile uploaded", () => {
    const gw = one(recorded, "docker:index/container:Container", "golive-test-gateway");
    assert.equal(gw.inputs.image, "caddy:2.8");
    assert.deepEqual(gw.inputs.ports, [
      { internal: 80, external: 18080, ip: "127.0.0.1" },
      { internal: 443, external: 18443, ip: "127.0.0.1" },
    ]);
    const caddy = (gw.inputs.uploads as { file: string; content: string }[]).find(
      (u) => u.file === "/etc/caddy/Caddyfile",
    );
    assert.ok(caddy);
    assert.match(caddy.content, /reverse_proxy api:8080/);
    assert.match(caddy.content, /tls internal/);
  });

  it("gives every uploaded file a numeric owner, never a name upstream would resolve on this machine", () => {
    const owners = byType(recorded, "docker:index/container:Container").flatMap((c) =>
      reveal<unknown[]>(c.inputs.uploads ?? []).map((item) => {
        const u = reveal<{ file: string; owner?: string }>(item);
        return { at: `${c.name}:${u.file}`, owner: u.owner };
      }),
    );
    assert.ok(owners.length >= 4, "the stack uploads files");
    assert.deepEqual(
      owners.filter((o) => o.owner !== undefined && !/^\d+$/.test(o.owner)),
      [],
    );
    const backup = one(recorded, "docker:index/container:Container", "golive-test-postgres-backup");
    assert.equal(backup.inputs.user, "postgres", "the loop runs as the image's postgres user");
    assert.deepEqual(
      reveal<unknown[]>(backup.inputs.uploads).map((u) => reveal<{ owner?: string }>(u).owner),
      ["999"],
      "its files go to the image's UID, since the user is a name",
    );
  });

  it("records the environment's facts for the policy pack", () => {
    const facts = byType(recorded, "pulumi-nodejs:dynamic/golive:EnvironmentFacts")[0];
    assert.ok(facts, "an EnvironmentFacts resource");
    assert.equal(facts.inputs.tier, "dev");
    assert.deepEqual(facts.inputs.features, { rag: true });
  });
});
