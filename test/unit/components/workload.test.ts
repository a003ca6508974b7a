/** The workload builder, the services' workload declarations and blue/green releases, without mocks. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { colourWorkload, releases, releaseWorkloads } from "../../../components/release/bluegreen";
import { workload } from "../../../components/runtime/workload";
import { declaredPorts } from "../../../components/services/client";
import { postgresWorkloads } from "../../../components/services/postgres";
import { specFor } from "./fixtures";

const resources = { limits: { cpu: "1", memory: "256Mi" } };

describe("the workload builder", () => {
  it("fills the defaults: no env, ports, volumes, files or labels; one stateless replica", () => {
    assert.deepEqual(
      workload({ name: "x", component: "app", image: "x:1", resources, startOrder: 50 }),
      {
        name: "x",
        component: "app",
        image: "x:1",
        resources,
        startOrder: 50,
        env: {},
        secretEnv: {},
        ports: [],
        volumes: [],
        files: [],
        labels: {},
        replicas: 1,
        stateful: false,
      },
    );
  });

  it("keeps what a service states over the defaults", () => {
    const w = workload({
      name: "db",
      component: "database",
      image: "db:1",
      resources,
      startOrder: 10,
      replicas: 3,
      stateful: true,
      env: { A: "1" },
      kubernetes: { runAsUser: 999 },
    });
    assert.equal(w.replicas, 3);
    assert.equal(w.stateful, true);
    assert.deepEqual(w.env, { A: "1" });
    assert.deepEqual(w.kubernetes, { runAsUser: 999 });
  });
});

describe("workload declarations", () => {
  it("PostgreSQL declares its instances, each one's exporter, the backup loop and pgBouncer, in order", () => {
    const pg = specFor({
      runtime: "docker",
      tier: "dev",
      postgres: { version: "16", replicas: 2, pgbouncer: { enabled: true } },
    }).postgres!;
    assert.deepEqual(declaredPorts(postgresWorkloads(pg)), {
      postgres: ["postgres"],
      "postgres-exporter": ["metrics"],
      "postgres-replica-1": ["postgres"],
      "postgres-replica-1-exporter": ["metrics"],
      "postgres-replica-2": ["postgres"],
      "postgres-replica-2-exporter": ["metrics"],
      "postgres-backup": [],
      pgbouncer: ["pgbouncer"],
    });
  });

  it("leaves out what the spec turns off", () => {
    const pg = specFor({
      runtime: "docker",
      tier: "dev",
      postgres: { version: "16", backups: { enabled: false }, pgbouncer: { enabled: false } },
    }).postgres!;
    assert.deepEqual(Object.keys(declaredPorts(postgresWorkloads(pg))), [
      "postgres",
      "postgres-exporter",
    ]);
  });
});

describe("blue/green releases", () => {
  const spec = specFor({
    runtime: "docker",
    tier: "dev",
    services: {
      web: {
        image: "acme/web:1.0.0",
        resources,
        blueGreen: { active: "green", blue: "1.0.0", green: "1.1.0" },
      },
      api: { image: "acme/api:2.0.0", resources },
    },
  });

  it("a blue/green service deploys both colours, each its tag, colour and version", () => {
    assert.deepEqual(releases("web", spec.services.web), [
      {
        workload: "web-blue",
        image: "acme/web:1.0.0",
        env: { APP_COLOR: "blue", APP_VERSION: "1.0.0" },
        labels: { "golive.dev/color": "blue" },
      },
      {
        workload: "web-green",
        image: "acme/web:1.1.0",
        env: { APP_COLOR: "green", APP_VERSION: "1.1.0" },
        labels: { "golive.dev/color": "green" },
      },
    ]);
    assert.deepEqual(releaseWorkloads("web", spec.services.web), [
      colourWorkload("web", "blue"),
      colourWorkload("web", "green"),
    ]);
  });

  it("a colour's image keeps a registry's port and drops a digest", () => {
    for (const [image, blue] of [
      ["mirror.example:5000/acme/web:1.0.0", "mirror.example:5000/acme/web:1.0.0"],
      ["mirror.example:5000/acme/web", "mirror.example:5000/acme/web:1.0.0"],
      ["acme/web@sha256:" + "a".repeat(64), "acme/web:1.0.0"],
    ]) {
      const [b] = releases("web", { ...spec.services.web, image });
      assert.equal(b.image, blue, image);
    }
  });

  it("any other service deploys itself, as it is", () => {
    assert.deepEqual(releases("api", spec.services.api), [
      { workload: "api", image: "acme/api:2.0.0", env: {}, labels: {} },
    ]);
  });
});
