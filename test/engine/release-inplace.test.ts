/**
 * `golive release` in place, for real on the local Docker engine (test/scenarios/e2e-inplace.yaml:
 * an app without blue/green, with a migration, and a worker beside it, behind HAProxy, with
 * PostgreSQL and Prometheus; stack `inplace`, prefix golive-inplace, host ports 23xxx so that it
 * shares the engine with the other end-to-end tests), every release run as a user runs it
 * (cli/golive.cjs) while two loopback clients send requests through the gateway:
 *   1. a good release goes through: maintenance mode on, the dump, the worker stopped (its SIGTERM
 *      handler writes a last beat) before the migration and running again after it, the new
 *      version serving, maintenance off;
 *   2. a release whose smoke test fails (after maintenance off) is rolled back: the dump restored,
 *      the previous version serving again, the worker running, maintenance off.
 * An in-place release has downtime: requests during its maintenance window get 503 from the
 * gateway, and are counted, not refused; what is asserted is that the service answers outside that
 * window and that the version and the data come back on a failure. The rows written before the
 * releases survive both.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { ReleaseLog } from "../../release/log";
import { SpecDocument } from "../../release/spec-doc";
import { figure, Project, removeRetainedVolumes, repo } from "./harness";
import { count, newLoad, report, request, sample, type Load, type Target } from "./load";

const stack = "inplace";
const prefix = `golive-${stack}`;
const target: Target = { host: "127.0.0.1", port: 23444, hostname: "localhost" };
const images = [
  "postgres",
  "pgbouncer",
  "postgres-exporter",
  "app",
  "haproxy",
  "prom/prometheus",
  "prom/alertmanager",
  "node-exporter",
];
/** The versions released: the test app reports APP_VERSION, which these images set. */
const good = "ip-1.1.0";
const badSmoke = "ip-bad-smoke";

function docker(args: string[], input?: string): string {
  const r = spawnSync("docker", args, {
    encoding: "utf8",
    input,
    env: { ...process.env, DOCKER_BUILDKIT: "0" },
  });
  assert.equal(r.status, 0, `docker ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

/** One SQL value from the primary, inside its container. */
const sql = (query: string) =>
  docker(["exec", `${prefix}-postgres`, "psql", "-U", "app", "-d", "app", "-XAtqc", query]);
const sqlCount = (table: string, where = "true") =>
  Number(sql(`select count(*) from ${table} where ${where}`));

interface Released extends Load {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
  /** Answers that were maintenance mode's 503. */
  readonly maintenance503: number;
}

describe("golive release in place on the end-to-end Docker stack", () => {
  let p: Project;
  const started = Date.now();
  const folder = () => path.join(p.dir, ".golive", "releases", stack);
  const cliArgs = (args: string[]) => [
    path.join(repo, "cli", "golive.cjs"),
    "release",
    stack,
    ...args,
    "--dir",
    p.dir,
    "--policy-config",
    path.join(repo, "policies", "config", "dev.json"),
  ];
  const lastLog = (): ReleaseLog => {
    const files = fs
      .readdirSync(folder())
      .filter((f) => /^\d{8}T\d{6}Z-.*\.json$/.test(f) && !f.includes(".verify."))
      .sort();
    return JSON.parse(fs.readFileSync(path.join(folder(), files.at(-1)!), "utf8")) as ReleaseLog;
  };
  /** When a step ended (its start plus its seconds), as an ISO time PostgreSQL compares. */
  const endOf = (log: ReleaseLog, name: string) => {
    const s = log.steps.find((x) => x.name === name)!;
    return new Date(Date.parse(s.startedAt!) + s.seconds! * 1000).toISOString();
  };
  const startOf = (log: ReleaseLog, name: string) =>
    log.steps.find((x) => x.name === name)!.startedAt!;

  /** `golive release` while 2 loopback clients send requests through the gateway, 200 ms apart. */
  async function releaseUnderLoad(args: string[]): Promise<Released> {
    const t = Date.now();
    const l = newLoad();
    const child = spawn(process.execPath, cliArgs(args), {
      cwd: repo,
      env: { ...p.env, GOLIVE_PROGRESS: "1" },
    });
    const kill = setTimeout(() => child.kill("SIGKILL"), 240_000);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
      process.stdout.write(`release: ${c.toString().trimEnd().replace(/\n/g, "\nrelease: ")}\n`);
    });
    const exited = new Promise<number>((resolve) =>
      child.on("close", (code, signal) => resolve(code ?? (signal ? -9 : -1))),
    );
    let done = false;
    const client = async () => {
      while (!done && Date.now() - t < 240_000 && l.ok + l.failed < 10_000) {
        count(l, await request(target));
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const clients = Array.from({ length: 2 }, client);
    const code = await exited;
    clearTimeout(kill);
    done = true;
    await Promise.all(clients);
    report(l);
    const maintenance503 = [...l.failures]
      .filter(([k]) => k.startsWith("503 "))
      .reduce((n, [, c]) => n + c, 0);
    return { ...l, code, stdout, stderr, seconds: (Date.now() - t) / 1000, maintenance503 };
  }

  const scenarioFigures = (name: string, r: Released, log: ReleaseLog) => {
    figure(`inplace-${name}-steps-run`, log.steps.filter((s) => s.status !== "pending").length);
    figure(`inplace-${name}-seconds`, r.seconds.toFixed(1));
    figure(`inplace-${name}-requests-served`, r.ok);
    figure(`inplace-${name}-requests-failed`, r.failed);
    figure(`inplace-${name}-requests-503-maintenance`, r.maintenance503);
    figure(
      `inplace-${name}-rollback`,
      log.rollback.length > 0
        ? JSON.stringify(log.rollback.map((a) => `${a.action}: ${a.status}`).join("; "))
        : "none",
    );
  };

  before(() => {
    const built = spawnSync(path.join(repo, "test", "images", "build.sh"), images, {
      stdio: ["ignore", "inherit", "inherit"],
    });
    assert.equal(built.status, 0, "the offline test images must build");
    // The app reports APP_VERSION: an in-place release sets no env, so each image says its own.
    docker(
      ["build", "-q", "-t", `golive.local/app:${good}`, "-"],
      `FROM golive.local/app:1.0.0\nENV APP_VERSION=${good}\n`,
    );
    docker(
      ["build", "-q", "-t", `golive.local/app:${badSmoke}`, "-"],
      `FROM golive.local/app:1.0.0\nENV APP_VERSION=${badSmoke} FAIL_PATHS=/rows\n`,
    );
    removeRetainedVolumes(prefix);
    p = new Project(
      "inplace",
      stack,
      fs.readFileSync(path.join(repo, "test", "scenarios", "e2e-inplace.yaml"), "utf8"),
    );
  });

  after(() => {
    const d = p.pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
    removeRetainedVolumes(prefix);
    figure("inplace-test-seconds", ((Date.now() - started) / 1000).toFixed(0));
    assert.equal(d.code, 0, d.output);
  });

  it("deploys api 1.0.0 and its worker, and writes rows", async () => {
    const up = p.pulumi(["up", "--yes", "--non-interactive", "--skip-preview"]);
    figure("up-seconds-inplace-cold", up.seconds.toFixed(1));
    assert.equal(up.code, 0, up.output);
    const l = await sample(target, 8);
    assert.deepEqual([...l.versions.keys()], ["none 1.0.0"]);
    for (let i = 0; i < 5; i++)
      docker([
        "exec",
        `${prefix}-api`,
        "curl",
        "-fsS",
        "-X",
        "POST",
        "--data",
        `before-release-${i}`,
        "http://127.0.0.1:8080/rows",
      ]);
    assert.equal(sqlCount("rows"), 5);
    assert.equal(sqlCount("migrations"), 1, "the first up ran the migration");
    assert.ok(sqlCount("beats", "kind = 'beat'") > 0, "the worker runs");
  });

  it("--plan prints the in-place plan and runs nothing", () => {
    const r = spawnSync(process.execPath, cliArgs(["--version", good, "--plan"]), {
      cwd: repo,
      env: p.env,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^release api ip-1\.1\.0 on inplace in place: 1\.0\.0 runs; workers worker; downtime behind maintenance mode$/m,
    );
    assert.match(r.stdout, /stop-workers +worker stopped \(SIGTERM, 10 s to finish\)/);
    assert.match(r.stdout, /the database first \(once the deploy ran\): restore; then api back/);
    assert.ok(!fs.existsSync(folder()), "--plan leaves no log and no lock");
  });

  it("a good release stops the worker around the migration and serves the new version", async () => {
    const r = await releaseUnderLoad(["--version", good]);
    const log = lastLog();
    scenarioFigures("good", r, log);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(log.state, "succeeded");
    assert.deepEqual(
      log.steps.map((s) => `${s.name} ${s.status}`),
      [
        "preflight passed",
        "maintenance-on passed",
        "backup passed",
        "stop-workers passed",
        "deploy passed",
        "start-workers passed",
        "health passed",
        "maintenance-off passed",
        "smoke passed",
        "watch passed",
        "verify passed",
      ],
    );
    assert.match(log.steps.find((s) => s.name === "deploy")!.message!, /migration job ran/);
    assert.equal(sqlCount("migrations"), 2, "the deploy ran the new version's migration");
    assert.equal(sqlCount("rows"), 5);
    // The worker: its SIGTERM handler's last beat, none from the stop to the start, the
    // migration in between, and beats again after the start.
    const stopping = startOf(log, "stop-workers");
    const stopped = endOf(log, "stop-workers");
    const restarted = startOf(log, "start-workers");
    // (Maintenance mode replaced it before too: every app service gets MAINTENANCE_MODE.)
    assert.equal(
      sqlCount("beats", `kind = 'stopped' and at >= '${stopping}' and at <= '${stopped}'`),
      1,
      "stop-workers stopped it gracefully: its SIGTERM handler ran",
    );
    assert.equal(
      sqlCount("beats", `at > '${stopped}' and at < '${restarted}'`),
      0,
      "no beat while the migration ran",
    );
    const migratedAt = sql("select max(at) from migrations");
    assert.ok(
      sqlCount("migrations", `at > '${stopped}' and at < '${restarted}'`) === 1,
      `the migration (${migratedAt}) ran while the worker was stopped (${stopped} – ${restarted})`,
    );
    await new Promise((res) => setTimeout(res, 2000));
    assert.ok(
      sqlCount("beats", `kind = 'beat' and at > '${restarted}'`) > 0,
      "the worker runs again",
    );
    // Outside the maintenance window the new version answers, maintenance is off again.
    assert.ok((r.versions.get(`none ${good}`) ?? 0) > 0, "the new version served under load");
    const after = await sample(target, 12);
    assert.deepEqual([...after.versions.keys()], [`none ${good}`]);
    assert.equal(after.failed, 0);
    const doc = new SpecDocument(p.dir, stack);
    assert.equal(doc.get(["maintenance", "enabled"]), false);
    assert.equal(doc.get(["services", "api", "image"]), `app:${good}`);
    assert.equal(doc.get(["services", "worker", "replicas"]), undefined, "no replicas key left");
    assert.ok(!fs.existsSync(path.join(folder(), "lock")), "the lock is released");
  });

  it("a release whose smoke test fails is rolled back: dump restored, previous version serving", async () => {
    const r = await releaseUnderLoad(["--version", badSmoke]);
    const log = lastLog();
    scenarioFigures("bad-smoke", r, log);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.equal(log.state, "rolled-back");
    const smoke = log.steps.find((s) => s.name === "smoke")!;
    assert.equal(smoke.status, "failed");
    assert.match(smoke.message!, /smoke failed on api/);
    assert.deepEqual(
      log.rollback.map((a) => [a.action, a.status]),
      [
        ["restore the pre-release dump", "passed"],
        [`api back to ${good}`, "passed"],
      ],
    );
    const after = await sample(target, 12);
    assert.deepEqual([...after.versions.keys()], [`none ${good}`], "the previous version serves");
    assert.equal(after.failed, 0, "maintenance is off again");
    assert.equal(new SpecDocument(p.dir, stack).get(["maintenance", "enabled"]), false);
    assert.equal(sqlCount("rows"), 5, "the rows of before the release");
    // The dump had 2; the rollback's up ran the previous version's migration job again on the
    // restored schema (a no-op for a real migration tool; this one counts its runs).
    assert.equal(sqlCount("migrations"), 3);
    await new Promise((res) => setTimeout(res, 2000));
    assert.ok(
      sqlCount("beats", `kind = 'beat' and at > '${log.endedAt!}'`) > 0,
      "the worker beats again after the rollback",
    );
    assert.match(
      docker(["ps", "--filter", `name=^/${prefix}-worker$`, "--format", "{{.Status}}"]),
      /^Up /,
      "the worker runs",
    );
  });
});
