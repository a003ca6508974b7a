/**
 * `pulumi up` of the end-to-end stack on the local Docker engine, from the offline test images,
 * then live checks from 127.0.0.1: PostgreSQL and its streaming replica, pgBouncer, Redis, RabbitMQ,
 * Prometheus (targets and rules) and the gateway over TLS; generated secrets reach the containers
 * but never the state in clear; a second `up` changes nothing; `destroy` removes every container and
 * network and keeps only the data volumes the spec retains; an `up` killed midway converges after
 * scripts/recover.sh (pending creates imported or cleared) and `up`, with no orphaned container.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { figure, Project, removeRetainedVolumes, repo } from "./harness";

const prefix = "golive-e2e";
const scenario = fs.readFileSync(path.join(repo, "test", "scenarios", "e2e-docker.yaml"), "utf8");
/** Host ports the scenario publishes on 127.0.0.1 (see its hostPorts). */
const ports = {
  postgres: 25432,
  replica: 25433,
  pgbouncer: 26432,
  redis: 26379,
  rabbitmq: 25672,
  prometheus: 29090,
  alertmanager: 29093,
  https: 28443,
};
/** Where the restore test moves the primary's data aside (outside the stack's names). */
const restoreAside = "golive-restore-test-aside";
const images = [
  "postgres",
  "pgbouncer",
  "postgres-exporter",
  "app",
  "caddy",
  "redis",
  "redis-exporter",
  "rabbitmq",
  "prom/prometheus",
  "prom/alertmanager",
  "node-exporter",
];
const upArgs = [
  "up",
  "--yes",
  "--non-interactive",
  "--skip-preview",
  "--policy-pack",
  "policies",
  "--policy-pack-config",
  "policies/config/dev.json",
];

function docker(args: string[]): string {
  const r = spawnSync("docker", args, { encoding: "utf8" });
  assert.equal(r.status, 0, `docker ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

function containerEnv(name: string): Record<string, string> {
  const lines = JSON.parse(
    docker(["inspect", "--format", "{{json .Config.Env}}", name]),
  ) as string[];
  return Object.fromEntries(
    lines.map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

/** The stack's objects on the Docker engine: every name starts with the stack's prefix. */
function engineObjects(): { containers: string[]; networks: string[]; volumes: string[] } {
  const list = (args: string[]) =>
    docker(args)
      .split("\n")
      .filter((n) => n.startsWith(`${prefix}-`))
      .sort();
  return {
    containers: list(["ps", "-a", "--format", "{{.Names}}"]),
    networks: list(["network", "ls", "--format", "{{.Name}}"]),
    volumes: list(["volume", "ls", "--format", "{{.Name}}"]),
  };
}

/** psql from the host to 127.0.0.1; returns the unaligned, tuples-only result. */
function psql(port: number, user: string, password: string, db: string, sql: string): string {
  const r = spawnSync(
    "psql",
    ["-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", db, "-XAtq", "-c", sql],
    { encoding: "utf8", env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: "5" } },
  );
  assert.equal(r.status, 0, `psql :${port} ${sql}: ${r.stderr}`);
  return r.stdout.trim();
}

/** One RESP exchange with Redis on 127.0.0.1 (AUTH, then the command); returns the raw replies. */
function redis(password: string, ...command: string[]): Promise<string> {
  const encode = (parts: string[]) =>
    `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join("")}`;
  return new Promise((resolve, reject) => {
    const s = net.connect(ports.redis, "127.0.0.1");
    let data = "";
    s.setTimeout(5000, () => s.destroy(new Error("redis: no answer within 5 s")));
    s.on("data", (c: Buffer) => {
      data += c.toString();
      if (data.startsWith("+OK\r\n") && data.length > 5 && data.endsWith("\r\n")) s.end();
      if (data.startsWith("-")) s.end();
    });
    s.on("end", () => resolve(data));
    s.on("error", reject);
    s.write(encode(["AUTH", password]) + encode(command));
  });
}

const agent = new https.Agent({ rejectUnauthorized: false });

/** GET over HTTP(S) from 127.0.0.1; the body parsed as JSON when it is JSON. */
function get(url: string, auth?: string): Promise<{ status: number; body: string; json?: any }> {
  const u = new URL(url);
  const request = u.protocol === "https:" ? https.request : http.request;
  return new Promise((resolve) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: u.port,
        path: u.pathname + u.search,
        agent: u.protocol === "https:" ? agent : undefined,
        headers: {
          Host: u.hostname,
          ...(auth ? { Authorization: `Basic ${Buffer.from(auth).toString("base64")}` } : {}),
        },
        timeout: 5000,
      },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => {
          let json: unknown;
          try {
            json = JSON.parse(body);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body, json });
        });
      },
    );
    req.on("error", (e: Error) => resolve({ status: 0, body: e.message }));
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.end();
  });
}

/** Polls `check` every second until it returns true or `seconds` pass; returns the last value. */
async function eventually<T>(
  seconds: number,
  probe: () => T | Promise<T>,
  ok: (v: T) => boolean,
): Promise<T> {
  const end = Date.now() + seconds * 1000;
  let v = await probe();
  while (!ok(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 1000));
    v = await probe();
  }
  return v;
}

/** A file's content inside a container (the generated secrets live in uploaded files). */
const catIn = (container: string, file: string) => docker(["exec", container, "cat", file]);

/** Container names the stack's state holds. */
function stateContainers(p: Project): string[] {
  const exported = p.pulumi(["stack", "export"]);
  assert.equal(exported.code, 0, exported.output);
  const deployment = JSON.parse(exported.output) as {
    deployment: { resources?: { type: string; outputs?: { name?: string } }[] };
  };
  return (deployment.deployment.resources ?? [])
    .filter((r) => r.type === "docker:index/container:Container")
    .map((r) => String(r.outputs?.name))
    .sort();
}

describe("end to end on the local Docker engine", () => {
  let p: Project;
  let destroyed = false;

  before(() => {
    const built = spawnSync(path.join(repo, "test", "images", "build.sh"), images, {
      stdio: ["ignore", "inherit", "inherit"],
    });
    assert.equal(built.status, 0, "the offline test images must build");
    removeRetainedVolumes(prefix); // a previous run's data would carry its old passwords
    p = new Project("e2e-docker", "e2e", scenario);
  });

  after(() => {
    if (!destroyed) {
      const d = p.pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
      assert.equal(d.code, 0, d.output);
    }
    removeRetainedVolumes(prefix);
    spawnSync("docker", ["volume", "rm", "-f", restoreAside]);
  });

  it("a cold up deploys the whole stack through the policy pack", () => {
    const up = p.pulumi(upArgs);
    figure("up-seconds-e2e-cold", up.seconds.toFixed(1));
    assert.equal(up.code, 0, up.output);
    assert.match(up.output, /Policies:/);
    // The only finding is the report of the scenario's own waiver (RabbitMQ 3.10 from Debian).
    const reported = [
      ...up.output.matchAll(/\[(mandatory|advisory)\] \[severity: \w+\]\s+([a-z0-9-]+)/g),
    ].map((m) => `${m[1]} ${m[2]}`);
    assert.ok(reported.length > 0, "the waiver is reported");
    assert.deepEqual([...new Set(reported)], ["advisory waivers-report-active"], up.output);
    const { containers } = engineObjects();
    figure("e2e-containers", containers.length);
    for (const c of [
      "postgres",
      "postgres-replica-1",
      "pgbouncer",
      "redis",
      "rabbitmq",
      "prometheus",
      "alertmanager",
      "gateway",
      "api",
    ]) {
      assert.ok(containers.includes(`${prefix}-${c}`), `container ${prefix}-${c} runs`);
    }
  });

  it("PostgreSQL accepts connections and the replica streams", async () => {
    const env = containerEnv(`${prefix}-postgres`);
    const [user, pw] = [env.POSTGRES_USER, env.POSTGRES_PASSWORD];
    assert.equal(psql(ports.postgres, user, pw, "postgres", "select 1"), "1");
    const streaming = await eventually(
      60,
      () =>
        psql(
          ports.postgres,
          user,
          pw,
          "postgres",
          "select application_name || ':' || state || ':' || coalesce(sync_state, '') from pg_stat_replication",
        ),
      (v) => /:streaming:/.test(v),
    );
    assert.match(streaming, /:streaming:/, "pg_stat_replication shows a streaming replica");
    figure("e2e-pg-stat-replication", streaming.replace(/\n/g, ","));
    // A row written on the primary reaches the hot standby.
    psql(
      ports.postgres,
      user,
      pw,
      "app",
      "create table if not exists e2e(v text); insert into e2e values ('streamed')",
    );
    const seen = await eventually(
      30,
      () =>
        psql(
          ports.replica,
          user,
          pw,
          "app",
          "select count(*) from pg_tables where tablename = 'e2e'",
        ),
      (v) => v === "1",
    );
    assert.equal(seen, "1");
    assert.equal(psql(ports.replica, user, pw, "postgres", "select pg_is_in_recovery()"), "t");
  });

  it("pgBouncer proxies to PostgreSQL", () => {
    const env = containerEnv(`${prefix}-api`);
    assert.equal(env.DATABASE_HOST, "pgbouncer");
    const r = psql(
      ports.pgbouncer,
      env.DATABASE_USER,
      env.DATABASE_PASSWORD,
      env.DATABASE_NAME,
      "select current_user || '@' || current_database()",
    );
    assert.equal(r, `${env.DATABASE_USER}@${env.DATABASE_NAME}`);
  });

  it("Redis reports appendonly yes and the eviction policy", async () => {
    const pw = catIn(`${prefix}-redis`, "/usr/local/etc/redis/golive-auth.conf")
      .replace(/^requirepass /, "")
      .trim();
    assert.match(await redis(pw, "CONFIG", "GET", "appendonly"), /appendonly\r\n\$3\r\nyes/);
    assert.match(
      await redis(pw, "CONFIG", "GET", "maxmemory-policy"),
      /maxmemory-policy\r\n\$11\r\nallkeys-lru/,
    );
    assert.match(await redis("wrong-password", "PING"), /^-(WRONGPASS|ERR)/, "auth is required");
  });

  it("the RabbitMQ vhost, user and queue exist", async () => {
    const users = JSON.parse(
      catIn(`${prefix}-rabbitmq`, "/etc/rabbitmq/definitions.d/00-users.json"),
    ) as {
      users: { name: string; password: string }[];
    };
    const admin = users.users.find((u) => u.name === "admin");
    assert.ok(admin);
    const auth = `admin:${admin.password}`;
    const base = `http://127.0.0.1:${ports.rabbitmq}/api`;
    const vhosts = await eventually(
      60,
      () => get(`${base}/vhosts`, auth),
      (r) => r.status === 200,
    );
    assert.equal(vhosts.status, 200, vhosts.body);
    assert.ok(
      (vhosts.json as { name: string }[]).some((v) => v.name === "erp"),
      vhosts.body,
    );
    const names = ((await get(`${base}/users`, auth)).json as { name: string }[]).map(
      (u) => u.name,
    );
    assert.ok(names.includes("app") && names.includes("admin"), names.join(","));
    assert.ok(!names.includes("guest"), "no guest user");
    const queue = await get(`${base}/queues/erp/events`, auth);
    assert.equal(queue.status, 200, queue.body);
    assert.equal((queue.json as { type: string }).type, "quorum");
    const perms = await get(`${base}/permissions/erp/app`, auth);
    assert.equal(perms.status, 200, perms.body);
  });

  it("Prometheus has its targets up and its alert rules loaded", async () => {
    const base = `http://127.0.0.1:${ports.prometheus}/api/v1`;
    type Target = { labels: { job: string }; health: string; lastError: string };
    const targets = await eventually(
      90,
      () => get(`${base}/targets?state=active`),
      (r) => {
        const active = (r.json?.data?.activeTargets ?? []) as Target[];
        return active.length > 0 && active.every((t) => t.health === "up");
      },
    );
    const active = (targets.json?.data?.activeTargets ?? []) as Target[];
    const summary = active.map(
      (t) => `${t.labels.job}=${t.health}${t.lastError ? ` (${t.lastError})` : ""}`,
    );
    figure("e2e-prometheus-targets", summary.join(","));
    for (const job of [
      "postgres-exporter",
      "postgres-replica-1-exporter",
      "redis-exporter",
      "rabbitmq",
      "node-exporter",
    ]) {
      assert.ok(
        active.some((t) => t.labels.job === job),
        `scrape job ${job}`,
      );
    }
    assert.deepEqual(
      active.filter((t) => t.health !== "up").map((t) => t.labels.job),
      [],
      summary.join("\n"),
    );
    const rules = await get(`${base}/rules`);
    const alerts = (
      (rules.json?.data?.groups ?? []) as { rules: { name: string; type: string }[] }[]
    )
      .flatMap((g) => g.rules)
      .filter((r) => r.type === "alerting")
      .map((r) => r.name);
    figure("e2e-prometheus-alert-rules", alerts.length);
    for (const a of ["ServiceDown", "HighErrorRate", "PostgresReplicaLag", "DiskSpaceLow"]) {
      assert.ok(alerts.includes(a), `alert rule ${a} loaded (${alerts.join(",")})`);
    }
    const am = await get(`http://127.0.0.1:${ports.alertmanager}/-/healthy`);
    assert.equal(am.status, 200, "Alertmanager answers");
  });

  it("the gateway serves the app's health endpoint over TLS", async () => {
    const r = await get(`https://localhost:${ports.https}/health`);
    assert.equal(r.status, 200, r.body);
    const plain = await get(`http://localhost:28080/health`);
    assert.ok([301, 308].includes(plain.status), `HTTP redirects to HTTPS (got ${plain.status})`);
  });

  it("generated secrets reach the containers and never appear in clear in the state", () => {
    const pg = containerEnv(`${prefix}-postgres`);
    const api = containerEnv(`${prefix}-api`);
    assert.equal(pg.POSTGRES_PASSWORD.length, 32, "the generated password reached PostgreSQL");
    assert.equal(api.DATABASE_PASSWORD.length, 32, "and the app its own");
    assert.equal(api.SECRET_KEY.length, 48);
    const exported = p.pulumi(["stack", "export"]);
    assert.equal(exported.code, 0, exported.output);
    for (const [name, value] of [
      ["POSTGRES_PASSWORD", pg.POSTGRES_PASSWORD],
      ["DATABASE_PASSWORD", api.DATABASE_PASSWORD],
      ["SECRET_KEY", api.SECRET_KEY],
    ]) {
      assert.ok(!exported.output.includes(value), `${name} appears in clear in stack export`);
    }
    assert.match(exported.output, /"ciphertext"/, "secrets are stored encrypted");
  });

  it("a point-in-time restore from the base backup and WAL archive brings back what was committed before the target", async () => {
    // docs/runbooks/postgres-restore.md, step by step, on the primary's own volumes.
    const env = containerEnv(`${prefix}-postgres`);
    const sql = (q: string) =>
      psql(ports.postgres, env.POSTGRES_USER, env.POSTGRES_PASSWORD, "app", q);
    const stamps = await eventually(
      60,
      () => docker(["exec", `${prefix}-postgres-backup`, "ls", "/var/lib/postgresql/backups"]),
      (v) => /^\d{8}T\d{6}Z$/m.test(v),
    );
    const stamp = stamps
      .split("\n")
      .filter((l) => /^\d{8}T\d{6}Z$/.test(l))
      .sort()
      .pop();
    assert.ok(stamp, `a base backup exists (${stamps})`);
    sql("create table restore_probe(v text); insert into restore_probe values ('before')");
    await new Promise((r) => setTimeout(r, 1500));
    const target = sql("select now()::text");
    await new Promise((r) => setTimeout(r, 1500));
    sql("insert into restore_probe values ('after')");
    const last = sql("select pg_walfile_name(pg_switch_wal())");
    const archived = await eventually(
      30,
      () => sql("select coalesce(last_archived_wal, '') from pg_stat_archiver"),
      (v) => v >= last,
    );
    assert.ok(archived >= last, `the WAL up to ${last} is archived (${archived})`);

    // Stop the primary and move its data aside (never deleted before the restore is checked).
    const aside = restoreAside;
    docker(["stop", `${prefix}-postgres`]);
    docker(["volume", "create", aside]);
    const image = "golive.local/postgres:15";
    docker([
      "run",
      "--rm",
      "-v",
      `${prefix}-postgres-data:/from`,
      "-v",
      `${aside}:/to`,
      image,
      "bash",
      "-c",
      "shopt -s dotglob && mv /from/* /to/",
    ]);
    // golive-restore ships in the backup workload; run it with the primary's volumes mounted.
    const script = docker([
      "exec",
      `${prefix}-postgres-backup`,
      "cat",
      "/usr/local/bin/golive-restore",
    ]);
    const restore = spawnSync(
      "docker",
      [
        "run",
        "--rm",
        "-i",
        "-v",
        `${prefix}-postgres-data:/var/lib/postgresql/data`,
        "-v",
        `${prefix}-postgres-wal-archive:/var/lib/postgresql/wal-archive`,
        "-v",
        `${prefix}-postgres-backup-backups:/var/lib/postgresql/backups`,
        // The primary's PGDATA (a folder inside its data volume).
        "-e",
        `PGDATA=${env.PGDATA}`,
        image,
        "bash",
        "-s",
        "--",
        stamp,
        target,
      ],
      { input: script, encoding: "utf8" },
    );
    assert.equal(restore.status, 0, `golive-restore: ${restore.stdout}${restore.stderr}`);
    docker(["start", `${prefix}-postgres`]);
    const rows = await eventually(
      90,
      () => {
        const r = spawnSync(
          "psql",
          [
            "-h",
            "127.0.0.1",
            "-p",
            String(ports.postgres),
            "-U",
            env.POSTGRES_USER,
            "-d",
            "app",
            "-XAtq",
            "-c",
            "select string_agg(v, ',' order by v) from restore_probe where not pg_is_in_recovery()",
          ],
          {
            encoding: "utf8",
            env: { ...process.env, PGPASSWORD: env.POSTGRES_PASSWORD, PGCONNECT_TIMEOUT: "3" },
          },
        );
        return r.status === 0 ? r.stdout.trim() : `(${r.stderr.trim()})`;
      },
      (v) => v === "before" || v === "after,before",
    );
    figure("e2e-restore-rows", rows);
    assert.equal(rows, "before", "recovered to the target: the row committed after it is gone");
    docker(["volume", "rm", aside]);
  });

  it("a second up reports no changes", () => {
    const up = p.pulumi([...upArgs, "--expect-no-changes"]);
    figure("up-seconds-e2e-warm", up.seconds.toFixed(1));
    assert.equal(up.code, 0, up.output);
    assert.doesNotMatch(up.output, /(created|updated|replaced|deleted) \(/);
  });

  it("destroy removes every container and network, keeping only the retained data volumes", () => {
    const exported = JSON.parse(p.pulumi(["stack", "export"]).output) as {
      deployment: {
        resources: { type: string; retainOnDelete?: boolean; outputs?: { name?: string } }[];
      };
    };
    const volumes = exported.deployment.resources.filter(
      (r) => r.type === "docker:index/volume:Volume",
    );
    const retained = volumes
      .filter((r) => r.retainOnDelete)
      .map((r) => String(r.outputs?.name))
      .sort();
    const scratch = volumes.filter((r) => !r.retainOnDelete).map((r) => String(r.outputs?.name));
    assert.ok(retained.includes(`${prefix}-postgres-data`), "PostgreSQL's data is retained");
    assert.ok(scratch.length > 0, "the stack has volumes that are not retained");
    const d = p.pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
    figure("destroy-seconds-e2e", d.seconds.toFixed(1));
    assert.equal(d.code, 0, d.output);
    destroyed = true;
    const left = engineObjects();
    assert.deepEqual(left.containers, [], "no container is left");
    assert.deepEqual(left.networks, [], "no network is left");
    assert.deepEqual(left.volumes, retained, "exactly the retained data volumes are left");
    figure("e2e-retained-volumes", retained.length);
  });

  it("an up killed midway converges when run again, with no orphaned container", async () => {
    // A throw-away copy of the stack: data volumes go with it (spec dataRetention: delete).
    removeRetainedVolumes(prefix);
    fs.writeFileSync(
      p.stackFile,
      p.stackText().replace("dataRetention: retain", "dataRetention: delete"),
    );
    const child = spawn("pulumi", upArgs, {
      cwd: p.dir,
      env: p.env,
      detached: true,
      stdio: "ignore",
    });
    destroyed = false;
    // Kill the whole process group (engine, language host, providers) once a few containers run.
    const start = Date.now();
    let seen = 0;
    while (Date.now() - start < 180_000) {
      seen = engineObjects().containers.length;
      if (seen >= 4) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    process.kill(-child.pid!, "SIGKILL");
    await new Promise((r) => child.on("close", r));
    figure("e2e-killed-after-containers", seen);
    assert.ok(seen >= 4, "the killed up had started containers");

    // What an operator does after a killed run: scripts/recover.sh releases the lock (file
    // backend), imports each pending create whose object exists and clears the others; then up.
    const recover = spawnSync(path.join(repo, "scripts", "recover.sh"), ["e2e", p.dir], {
      env: p.env,
      encoding: "utf8",
    });
    const recovered = `${recover.stdout}${recover.stderr}`;
    process.stdout.write(recovered);
    assert.equal(recover.status, 0, recovered);
    assert.match(recovered, /the update's lock is released/);
    const imported = Number(/(\d+) imported, (\d+) cleared/.exec(recovered)?.[1] ?? -1);
    const cleared = Number(/(\d+) imported, (\d+) cleared/.exec(recovered)?.[2] ?? -1);
    figure("e2e-recover-imported", imported);
    figure("e2e-recover-cleared", cleared);
    assert.ok(imported + cleared > 0, "the killed up left pending creates");
    const afterRecover = JSON.parse(p.pulumi(["stack", "export"]).output) as {
      deployment: { pending_operations?: unknown[] };
    };
    assert.deepEqual(afterRecover.deployment.pending_operations ?? [], [], "no pending operation");
    const again = p.pulumi(upArgs);
    figure("up-seconds-e2e-after-kill", again.seconds.toFixed(1));
    assert.equal(again.code, 0, again.output);
    assert.deepEqual(
      engineObjects().containers,
      stateContainers(p),
      "every container is in the state",
    );
    const noop = p.pulumi([...upArgs, "--expect-no-changes"]);
    assert.equal(noop.code, 0, noop.output);

    const d = p.pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
    assert.equal(d.code, 0, d.output);
    destroyed = true;
    assert.deepEqual(
      engineObjects(),
      { containers: [], networks: [], volumes: [] },
      "nothing is left",
    );
  });
});
