/**
 * The release's steps on every runtime, their pure parts: the command lines the dump and the
 * restore stream through (`docker exec -i`, `kubectl exec -i`, ssh to `pct exec`), the database
 * user they run as, where a watch asks Prometheus (the plan's URL, else the runtime's forward), and
 * the smoke command's variables per runtime.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import type { LiveEnvironment } from "../../policies/lib/contract";
import { accessFor, type RuntimeAccess } from "../../report/checks/access";
import { execArgs } from "../../report/checks/access/kubernetes";
import { asDatabaseUser } from "../../release/steps/backup";
import { smokeEnvironment } from "../../release/steps/smoke";
import { prometheusAt, readBoth } from "../../release/steps/watch";

const env = (runtime: LiveEnvironment["runtime"]): LiveEnvironment => ({
  runtime,
  tier: "dev",
  prefix: "golive-unit",
  workloads: ["api-blue", "api-green", "postgres", "prometheus"],
  apps: [{ name: "api", dependsOn: ["postgres"] }],
  hostPorts: runtime === "docker" ? { prometheus: { http: 22090 } } : {},
  postgres: {
    user: "app",
    database: "app",
    replicas: [],
    pgbouncer: false,
    walArchive: false,
  },
  ...(runtime === "kubernetes" ? { kubernetes: { namespace: "golive-unit" } } : {}),
  ...(runtime === "lxc"
    ? {
        lxc: {
          node: { host: "pve.example", port: 2222, user: "root" },
          ids: { "api-green": 211, postgres: 201, prometheus: 230 },
          ports: { prometheus: { http: 9090 } },
        },
      }
    : {}),
  verify: {
    routes: [],
    gatewayLatencyMs: 50,
    logErrorPattern: "ERROR",
    alertWindowMinutes: 60,
    packages: [],
  },
});

const release = { stack: "s", service: "api", version: "1.1.0", colour: "green" as const };

/** An access whose forward hands out a fixed port, or fails, and says where Prometheus runs. */
const fakeAccess = (over: Partial<RuntimeAccess>): RuntimeAccess =>
  ({
    runtime: "kubernetes",
    where: (w: string) => `${w} in namespace n`,
    unreachable: () => undefined,
    forward: <T>(_w: string, _p: string, use: (port: number) => Promise<T>) => use(41000),
    ...over,
  }) as unknown as RuntimeAccess;

describe("the release's steps on every runtime", () => {
  it("streams the dump and the restore through the runtime's exec", async () => {
    const d = await accessFor(env("docker")).command("postgres", ["pg_dump", "-Fc"]);
    assert.deepEqual(d, {
      file: "docker",
      args: ["exec", "golive-unit-postgres", "pg_dump", "-Fc"],
    });
    const r = await accessFor(env("docker")).command("postgres", ["pg_restore"], { stdin: true });
    assert.deepEqual(r.args.slice(0, 3), ["exec", "-i", "golive-unit-postgres"]);
    assert.deepEqual(execArgs("ns", "postgres-0", ["pg_restore"], true), [
      "exec",
      "-i",
      "-n",
      "ns",
      "postgres-0",
      "--",
      "pg_restore",
    ]);
    const l = await accessFor(env("lxc")).command("postgres", ["pg_dump", "-d", "app db"]);
    assert.equal(l.file, "ssh");
    assert.equal(l.args.at(-2), "root@pve.example");
    assert.equal(l.args.at(-1), "pct exec 201 -- pg_dump -d 'app db'");
  });

  it("runs the client as the database's owner may: as it is unless root with a postgres user", () => {
    const cmd = asDatabaseUser(["echo", "pg_dump", "-d", "app db"]);
    assert.deepEqual(cmd.slice(0, 2), ["sh", "-c"]);
    assert.deepEqual(cmd.slice(3), ["sh", "echo", "pg_dump", "-d", "app db"]);
    const hasPostgres = spawnSync("id", ["postgres"]).status === 0;
    const r = spawnSync(cmd[0], cmd.slice(1), { encoding: "utf8" });
    if (process.getuid?.() === 0 && hasPostgres) assert.equal(r.status, 0);
    else assert.equal(r.stdout, "pg_dump -d app db\n", "the arguments arrive as they were");
  });

  it("asks Prometheus at the plan's URL, else through the runtime's forward, opened per measurement", async () => {
    const byUrl = prometheusAt(
      { access: fakeAccess({}) },
      "http://prom:9090",
      "watch.prometheusUrl",
    );
    assert.ok(!("error" in byUrl));
    assert.equal(await byUrl.ask((b) => Promise.resolve(b)), "http://prom:9090");
    let opened = 0;
    const forwarded = prometheusAt(
      {
        access: fakeAccess({
          forward: <T>(w: string, p: string, use: (port: number) => Promise<T>) => {
            assert.deepEqual([w, p], ["prometheus", "http"]);
            opened++;
            return use(41000);
          },
        }),
      },
      undefined,
      "watch.prometheusUrl",
    );
    assert.ok(!("error" in forwarded));
    assert.match(forwarded.where, /prometheus in namespace n/);
    assert.equal(await forwarded.ask((b) => Promise.resolve(b)), "http://127.0.0.1:41000");
    await forwarded.ask((b) => Promise.resolve(b));
    assert.equal(opened, 2);
    const none = prometheusAt(
      { access: accessFor({ ...env("docker"), hostPorts: {} }) },
      undefined,
      "watch.prometheusUrl",
    );
    assert.ok("error" in none);
    assert.match(none.error, /hostPorts\.prometheus\.http.*watch\.prometheusUrl/);
  });

  it("a forward that cannot open makes the measurement unreadable, not a pass", async () => {
    const broken = prometheusAt(
      { access: fakeAccess({ forward: () => Promise.reject(new Error("no pod of prometheus")) }) },
      undefined,
      "watch.prometheusUrl",
    );
    assert.ok(!("error" in broken));
    const [e, l] = await readBoth(broken, () => Promise.resolve([{ value: 0 }, { value: 1 }]));
    assert.deepEqual(e, { error: "no way to Prometheus: no pod of prometheus" });
    assert.deepEqual(l, e);
  });

  it("tells the smoke command where the new colour runs, per runtime", () => {
    const d = smokeEnvironment(release, env("docker"), "api-green");
    assert.equal(d.GOLIVE_RELEASE_RUNTIME, "docker");
    assert.equal(d.GOLIVE_RELEASE_CONTAINER, "golive-unit-api-green");
    const k = smokeEnvironment(release, env("kubernetes"), "api-green");
    assert.equal(k.GOLIVE_RELEASE_NAMESPACE, "golive-unit");
    assert.equal(k.GOLIVE_RELEASE_CONTAINER, undefined);
    const l = smokeEnvironment(release, env("lxc"), "api-green");
    assert.deepEqual(
      [l.GOLIVE_RELEASE_CTID, l.GOLIVE_RELEASE_NODE, l.GOLIVE_RELEASE_NODE_PORT],
      ["211", "root@pve.example", "2222"],
    );
    for (const v of [d, k, l]) assert.equal(v.GOLIVE_RELEASE_VERSION, "1.1.0");
  });
});
