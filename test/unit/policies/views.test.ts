/**
 * The pack's views of a workload: what it runs (image, command, package), its version, its
 * environment at preview (unknown kept apart from absent), its user, Redis and PostgreSQL
 * settings. Props go through the SDK's unknown-checking proxy, as at preview.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareVersions, servicesOf, versionOf } from "../../../policies/lib/identify";
import { isReplica } from "../../../policies/lib/postgres";
import { redisSettings } from "../../../policies/lib/redis";
import {
  isKnown,
  isVersionTag,
  UNKNOWN,
  workloadsOf,
  type WorkloadView,
} from "../../../policies/lib/workloads";
import { cronIntervalHours } from "../../../policies/rules/postgres-missing-backup";
import { dockerLabels, unknown } from "./harness";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as {
  unknownCheckingProxy: <T extends object>(o: T) => T;
};

const docker = (props: Record<string, any>): WorkloadView =>
  workloadsOf("docker:index/container:Container", unknownCheckingProxy(props))[0];
const lxc = (env: Record<string, string>): WorkloadView =>
  workloadsOf(
    "command:remote:Command",
    unknownCheckingProxy({ environment: { GOLIVE_CT_ID: "200", GOLIVE_LABELS: "{}", ...env } }),
  )[0];
const pod = (spec: Record<string, any>, type = "kubernetes:apps/v1:Deployment") =>
  workloadsOf(type, unknownCheckingProxy({ spec: { template: { spec } } }));

describe("what a workload runs", () => {
  it("recognises a service by image, by command and by Debian package, without labels", () => {
    assert.deepEqual(servicesOf(docker({ image: "redis:7.2" })), ["redis"]);
    assert.deepEqual(servicesOf(docker({ image: "bitnami/postgresql:16.4.0" })), ["postgres"]);
    assert.deepEqual(servicesOf(docker({ image: "acme/base:1", command: ["redis-server"] })), [
      "redis",
    ]);
    assert.deepEqual(servicesOf(lxc({ GOLIVE_PACKAGES: "postgresql-16 curl" })), ["postgres"]);
    assert.deepEqual(servicesOf(docker({ image: "oliver006/redis_exporter:v1.62.0" })), []);
  });

  it("does not take a helper running a service's image for the service", () => {
    // pg_dump in a loop, in the postgres image: a backup, not PostgreSQL.
    assert.deepEqual(
      servicesOf(
        docker({
          image: "postgres:16",
          entrypoints: ["sh", "-c"],
          command: ["while :; do pg_dump app; sleep 3600; done"],
        }),
      ),
      [],
    );
    // A one-off container (Docker's attach) is a job.
    assert.deepEqual(servicesOf(docker({ image: "postgres:16", attach: true })), []);
    // A shell that execs the server is the server.
    assert.deepEqual(
      servicesOf(
        docker({
          image: "postgres:16",
          entrypoints: ["sh", "-c"],
          command: ["exec postgres -c x=y"],
        }),
      ),
      ["postgres"],
    );
  });

  it("reads the version from the tag, the package or the label, and refuses to guess", () => {
    assert.equal(versionOf(docker({ image: "postgres:15.4-alpine" }), "postgres"), "15.4-alpine");
    assert.equal(versionOf(lxc({ GOLIVE_PACKAGES: "postgresql-13" }), "postgres"), "13");
    assert.equal(
      versionOf(lxc({ GOLIVE_PACKAGES: "rabbitmq-server=3.12.1-1" }), "rabbitmq"),
      "3.12.1-1",
    );
    assert.equal(versionOf(docker({ image: "postgres:latest" }), "postgres"), undefined);
    assert.equal(versionOf(docker({ image: unknown }), "postgres"), UNKNOWN);
    assert.ok(compareVersions("3.10.8", "3.12") < 0);
    assert.ok(compareVersions("3.13-management", "3.12") > 0);
  });

  it("tells version tags from floating names", () => {
    for (const t of [
      "16.4",
      "3.13-management",
      "v2.42.0",
      "7.2-alpine",
      "RELEASE.2024-10-13T13-34-11Z",
    ])
      assert.ok(isVersionTag(t), t);
    for (const t of ["latest", "alpine", "stable", "e2e", "lts", ""])
      assert.ok(!isVersionTag(t), t);
  });
});

describe("the environment at preview", () => {
  it("keeps a Docker container's plain variables readable when a secret one is unknown", () => {
    const w = docker({
      image: "acme/api:1",
      envs: ["LOG_LEVEL=DEBUG", unknown],
      labels: dockerLabels({
        "golive.dev/secret-env": "SECRET_KEY",
        "golive.dev/secret-lengths": "SECRET_KEY=48",
      }),
    });
    assert.ok(isKnown(w.env));
    if (!isKnown(w.env)) return;
    assert.deepEqual(
      w.env.vars.map((v) => [v.name, v.value, v.fromSecret, v.length]),
      [
        ["LOG_LEVEL", "DEBUG", false, undefined],
        ["SECRET_KEY", UNKNOWN, true, 48],
      ],
    );
    assert.equal(w.env.hidden, undefined);
  });

  it("says so when an entry it cannot name hides variables", () => {
    const w = docker({ image: "acme/api:1", envs: ["A=1", unknown] });
    assert.ok(isKnown(w.env) && /computed whole/.test(w.env.hidden ?? ""));
    const [k] = pod({
      containers: [{ name: "api", image: "a:1", envFrom: [{ configMapRef: { name: "x" } }] }],
    });
    assert.ok(isKnown(k.env) && /envFrom/.test(k.env.hidden ?? ""));
    assert.equal(docker({ image: "a:1", envs: unknown }).env, UNKNOWN);
  });
});

describe("the user a workload runs as", () => {
  it("on Docker, Kubernetes and LXC", () => {
    assert.equal(docker({ image: "a:1", user: "10001" }).nonRoot, true);
    assert.equal(docker({ image: "a:1", user: "root" }).nonRoot, false);
    assert.equal(docker({ image: "a:1", user: "0:0" }).nonRoot, false);
    assert.equal(docker({ image: "a:1" }).nonRoot, "image");
    // Official images known to run unprivileged: by their USER, or an entrypoint that drops root
    // for the server (and only then).
    assert.equal(
      docker({ image: "prom/prometheus:v2.53.0", entrypoints: ["prometheus"] }).nonRoot,
      true,
    );
    assert.equal(
      docker({ image: "redis:7.2", command: ["redis-server", "--appendonly", "yes"] }).nonRoot,
      true,
    );
    assert.equal(
      docker({ image: "postgres:16", command: ["-c", "archive_mode=on"] }).nonRoot,
      true,
    );
    assert.equal(
      docker({ image: "postgres:16", entrypoints: ["sh", "-c"], command: ["pg_dump"] }).nonRoot,
      "image",
    );
    assert.equal(
      docker({ image: "postgres:16", command: ["bash", "-c", "pg_dump"] }).nonRoot,
      "image",
    );
    assert.equal(docker({ image: "caddy:2.8.4" }).nonRoot, "image");
    assert.equal(
      pod({ containers: [{ name: "a", image: "a:1" }], securityContext: { runAsNonRoot: true } })[0]
        .nonRoot,
      true,
    );
    assert.equal(
      pod({
        containers: [{ name: "a", image: "a:1", securityContext: { runAsUser: 0 } }],
        securityContext: { runAsNonRoot: true },
      })[0].nonRoot,
      false,
    );
    assert.equal(lxc({ GOLIVE_UNIT: "[Service]\nExecStart=/x\nDynamicUser=yes\n" }).nonRoot, true);
    assert.equal(lxc({ GOLIVE_UNIT: "[Service]\nExecStart=/x\nUser=0\n" }).nonRoot, false);
    assert.equal(lxc({ GOLIVE_SYSTEMD_SERVICE: "redis-server" }).nonRoot, true);
    assert.equal(lxc({ GOLIVE_JOB: "migrate" }).nonRoot, false);
  });

  it("marks init containers, and restartable ones (sidecars) as long-running", () => {
    const views = pod({
      initContainers: [
        { name: "wait", image: "busybox:1.36.1" },
        { name: "proxy", image: "envoy:1.30.0", restartPolicy: "Always" },
      ],
      containers: [{ name: "api", image: "a:1" }],
    });
    assert.deepEqual(
      views.map((v) => v.role),
      ["init", "main", "main"],
    );
    assert.deepEqual(
      pod({ containers: [{ name: "m", image: "a:1" }] }, "kubernetes:batch/v1:Job").map(
        (v) => v.role,
      ),
      ["job"],
    );
  });
});

describe("service settings", () => {
  it("Redis: options override the file; an unread file is said to be unread", () => {
    const file = { file: "/etc/redis.conf", content: "appendonly yes\nmaxmemory 10mb\n" };
    const s = redisSettings(
      docker({
        image: "redis:7.2",
        command: ["redis-server", "/etc/redis.conf", "--appendonly", "no"],
        uploads: [file],
      }),
    );
    assert.equal(s.problem, undefined);
    assert.equal(s.get("appendonly"), "no");
    assert.equal(s.get("maxmemory"), "10mb");
    const unread = redisSettings(
      docker({ image: "redis:7.2", command: ["redis-server", "/etc/other.conf"] }),
    );
    assert.match(unread.problem ?? "", /cannot read/);
  });

  it("PostgreSQL: a replica by role label, by primary_conninfo, by Bitnami's replication mode", () => {
    assert.ok(
      isReplica(
        docker({
          image: "postgres:16",
          labels: dockerLabels({ "golive.dev/postgres-role": "replica" }),
        }),
      ),
    );
    assert.ok(
      isReplica(docker({ image: "postgres:16", command: ["-c", "primary_conninfo=host=db"] })),
    );
    assert.ok(
      isReplica(
        docker({ image: "bitnami/postgresql:16", envs: ["POSTGRESQL_REPLICATION_MODE=slave"] }),
      ),
    );
    assert.ok(!isReplica(docker({ image: "postgres:16", command: ["-c", "archive_mode=on"] })));
  });

  it("cron schedules as hours between runs", () => {
    assert.equal(cronIntervalHours("0 2 * * *"), 24);
    assert.equal(cronIntervalHours("0 */6 * * *"), 6);
    assert.equal(cronIntervalHours("@hourly"), 1);
    assert.equal(cronIntervalHours("0 3 * * 0"), 168);
    assert.equal(cronIntervalHours("bad"), undefined);
  });
});
