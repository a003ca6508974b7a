/**
 * `golive release` for real on the local Docker engine (test/scenarios/e2e-release.yaml: a
 * blue/green app with a migration behind HAProxy, PostgreSQL, Prometheus; stack `release`, prefix
 * golive-release, host ports 22xxx so it shares the engine with the other end-to-end tests), every
 * release run as a user runs it (cli/golive.cjs) under a bounded loopback load through the gateway:
 *   1. a good release goes through with zero failed requests, the migration job run by the switch;
 *   2. a release whose smoke test fails is rolled back, traffic never leaving the live colour;
 *   3. a release whose error rate rises in the watch window (the new version answers 500, its
 *      health check passing) is rolled back to the live colour and its pre-release dump restored;
 *   4. a release killed in its watch window holds a lock a second release is refused by, and
 *      converges with --resume; one interrupted there (SIGTERM) rolls back by itself;
 *   5. a tenant canary climbs its ladder by its tenants' metrics (the test app counts a
 *      conversation per request for each tenant its manifests enable), and a rung that enabled a
 *      tenant handing every conversation off is disabled again;
 * and the rows written before the releases survive them all.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { enabledAccounts } from "../../components/release/canary";
import type { CanaryLog, ReleaseLog } from "../../release/log";
import { SpecDocument } from "../../release/spec-doc";
import { figure, Project, removeRetainedVolumes, repo } from "./harness";
import { count, newLoad, report, request, sample, type Load, type Target } from "./load";

const stack = "release";
const prefix = `golive-${stack}`;
const target: Target = { host: "127.0.0.1", port: 22444, hostname: "localhost" };
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

function docker(args: string[], input?: string): string {
  const r = spawnSync("docker", args, {
    encoding: "utf8",
    input,
    env: { ...process.env, DOCKER_BUILDKIT: "0" },
  });
  assert.equal(r.status, 0, `docker ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A SQL count on the primary, inside its container. */
const sqlCount = (table: string) =>
  Number(
    docker([
      "exec",
      `${prefix}-postgres`,
      "psql",
      "-U",
      "app",
      "-d",
      "app",
      "-XAtqc",
      `select count(*) from ${table}`,
    ]),
  );

interface Released extends Load {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

describe("golive release on the end-to-end Docker stack", () => {
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
  /** The newest release log. */
  const lastLog = (): ReleaseLog => {
    const files = fs
      .readdirSync(folder())
      .filter((f) => /^\d{8}T\d{6}Z-.*\.json$/.test(f) && !f.includes(".verify."))
      .sort();
    return JSON.parse(fs.readFileSync(path.join(folder(), files.at(-1)!), "utf8")) as ReleaseLog;
  };

  /**
   * `golive release` while 4 loopback clients send requests through the gateway (a new
   * connection each, 100 ms apart), every answer counted; bounded to 300 s and 20000 requests.
   * `during` runs once the child has started (e.g. to kill it).
   */
  async function releaseUnderLoad(
    args: string[],
    during?: (child: ReturnType<typeof spawn>) => Promise<void>,
  ): Promise<Released> {
    const t = Date.now();
    const l = newLoad();
    const child = spawn(process.execPath, cliArgs(args), {
      cwd: repo,
      env: { ...p.env, GOLIVE_PROGRESS: "1" },
    });
    const kill = setTimeout(() => child.kill("SIGKILL"), 300_000);
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
      while (!done && Date.now() - t < 300_000 && l.ok + l.failed < 20_000) {
        count(l, await request(target));
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const clients = Array.from({ length: 4 }, client);
    if (during) await during(child);
    const code = await exited;
    clearTimeout(kill);
    done = true;
    await Promise.all(clients);
    report(l);
    return { ...l, code, stdout, stderr, seconds: (Date.now() - t) / 1000 };
  }

  const scenarioFigures = (name: string, r: Released, log: ReleaseLog) => {
    figure(`release-${name}-steps-run`, log.steps.filter((s) => s.status !== "pending").length);
    figure(`release-${name}-seconds`, r.seconds.toFixed(1));
    figure(`release-${name}-requests-served`, r.ok);
    figure(`release-${name}-requests-failed`, r.failed);
    figure(
      `release-${name}-rollback`,
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
    // Good releases are the same image under new tags; the bad ones fail a path on purpose.
    for (const tag of ["1.1.0", "1.2.0", "1.3.0"])
      docker(["tag", "golive.local/app:1.0.0", `golive.local/app:${tag}`]);
    docker(
      ["build", "-q", "-t", "golive.local/app:bad-smoke", "-"],
      "FROM golive.local/app:1.0.0\nENV FAIL_PATHS=/rows\n",
    );
    docker(
      ["build", "-q", "-t", "golive.local/app:bad-errors", "-"],
      "FROM golive.local/app:1.0.0\nENV FAIL_PATHS=/\n",
    );
    removeRetainedVolumes(prefix);
    p = new Project(
      "release",
      stack,
      fs.readFileSync(path.join(repo, "test", "scenarios", "e2e-release.yaml"), "utf8"),
    );
  });

  after(() => {
    const d = p.pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
    removeRetainedVolumes(prefix);
    figure("release-test-seconds", ((Date.now() - started) / 1000).toFixed(0));
    assert.equal(d.code, 0, d.output);
  });

  it("deploys blue 1.0.0 and writes rows", async () => {
    const up = p.pulumi(["up", "--yes", "--non-interactive", "--skip-preview"]);
    figure("up-seconds-release-cold", up.seconds.toFixed(1));
    assert.equal(up.code, 0, up.output);
    const l = await sample(target, 8);
    assert.deepEqual([...l.versions.keys()], ["blue 1.0.0"]);
    for (let i = 0; i < 5; i++)
      docker([
        "exec",
        `${prefix}-api-blue`,
        "curl",
        "-fsS",
        "-X",
        "POST",
        "--data",
        `before-release-${i}`,
        "http://127.0.0.1:8080/rows",
      ]);
    assert.equal(sqlCount("rows"), 5);
    assert.equal(sqlCount("migrations"), 1, "the first up ran blue's migration");
  });

  it("--plan prints the resolved plan and runs nothing", () => {
    const r = spawnSync(process.execPath, cliArgs(["--version", "1.1.0", "--plan"]), {
      cwd: repo,
      env: p.env,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^release api 1\.1\.0 on release: blue 1\.0\.0 serves, green 1\.0\.0 idle$/m,
    );
    assert.match(r.stdout, /smoke +smoke: sh -c/);
    assert.match(r.stdout, /3 measurements every 5 s, failure limit 0/);
    assert.ok(!fs.existsSync(folder()), "--plan leaves no log and no lock");
    const usage = spawnSync(
      process.execPath,
      [path.join(repo, "cli", "golive.cjs"), "release", stack],
      {
        encoding: "utf8",
      },
    );
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /--version <tag> is required/);
  });

  it("a good release goes through under load with zero failed requests", async () => {
    const r = await releaseUnderLoad(["--version", "1.1.0"]);
    const log = lastLog();
    scenarioFigures("good", r, log);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(log.state, "succeeded");
    assert.deepEqual(
      log.steps.map((s) => `${s.name} ${s.status}`),
      [
        "preflight passed",
        "backup passed",
        "deploy-idle passed",
        "health passed",
        "smoke passed",
        "switch passed",
        "watch passed",
        "verify passed",
      ],
    );
    assert.equal(r.failed, 0);
    assert.ok(r.ok > 50, `only ${r.ok} requests served`);
    assert.ok((r.versions.get("green 1.1.0") ?? 0) > 0, "green 1.1.0 served after the switch");
    assert.match(log.steps.find((s) => s.name === "switch")!.message!, /migration job ran/);
    assert.equal(sqlCount("migrations"), 2, "the switch ran green's migration");
    assert.match(
      fs.readFileSync(path.join(folder(), `${log.id}.md`), "utf8"),
      /\| 6 \| switch \| ✔ passed \|/,
    );
    assert.ok(fs.statSync(path.join(folder(), log.files.dump)).size > 0);
    const after = await sample(target, 12);
    assert.deepEqual([...after.versions.keys()], ["green 1.1.0"]);
    assert.ok(!fs.existsSync(path.join(folder(), "lock")), "the lock is released");
    assert.equal(sqlCount("rows"), 5);
  });

  it("a release whose smoke test fails is rolled back, traffic never leaving green", async () => {
    const r = await releaseUnderLoad(["--version", "bad-smoke"]);
    const log = lastLog();
    scenarioFigures("bad-smoke", r, log);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.equal(log.state, "rolled-back");
    const smoke = log.steps.find((s) => s.name === "smoke")!;
    assert.equal(smoke.status, "failed");
    assert.match(smoke.message!, /smoke failed on api-blue/);
    assert.ok(log.steps.filter((s) => s.status === "pending").some((s) => s.name === "switch"));
    assert.deepEqual(
      log.rollback.map((a) => [a.action, a.status]),
      [["traffic to green", "passed"]],
    );
    assert.match(log.rollback[0].message, /traffic never left green/);
    assert.equal(r.failed, 0);
    assert.deepEqual([...r.colours.keys()], ["green"], "no request reached blue");
    assert.equal(sqlCount("migrations"), 2, "no migration ran");
    assert.equal(sqlCount("rows"), 5);
  });

  it("a release whose error rate rises in the watch window is rolled back, its dump restored", async () => {
    new SpecDocument(p.dir, stack).set([[["release", "plan", "split"], 50]]);
    const r = await releaseUnderLoad(["--version", "bad-errors"]);
    const log = lastLog();
    scenarioFigures("bad-errors", r, log);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.equal(log.state, "rolled-back");
    const watch = log.steps.find((s) => s.name === "watch-split")!;
    assert.equal(watch.status, "failed");
    assert.match(watch.message!, /api-blue: .*more than 0 failed .*error rate above 1 %/);
    assert.match(log.steps.find((s) => s.name === "split")!.message!, /migration job ran/);
    assert.deepEqual(
      log.rollback.map((a) => [a.action, a.status]),
      [
        ["traffic to green", "passed"],
        ["restore the pre-release dump", "passed"],
      ],
    );
    // Every failure was the bad version's own 500 during the split, none a dropped connection.
    const other = [...r.failures].filter(
      ([k]) => !k.startsWith("500 ") || !k.includes("FAIL_PATHS"),
    );
    assert.deepEqual(other, [], "only the bad version's 500s failed");
    assert.ok(r.failed > 0, "the split sent requests to the bad version");
    const after = await sample(target, 12);
    assert.deepEqual([...after.versions.keys()], ["green 1.1.0"]);
    assert.equal(
      sqlCount("migrations"),
      2,
      "the restored dump has the migrations of before the release",
    );
    assert.equal(sqlCount("rows"), 5);
    new SpecDocument(p.dir, stack).set([[["release", "plan", "split"], undefined]]);
  });

  it("a killed release holds the lock, and converges with --resume", async () => {
    let refused: { status: number | null; stderr: string } | undefined;
    const killed = await releaseUnderLoad(["--version", "1.2.0"], async (child) => {
      // Kill it in its watch window.
      const end = Date.now() + 240_000;
      while (Date.now() < end) {
        await new Promise((r) => setTimeout(r, 1000));
        if (!fs.existsSync(folder())) continue;
        const log = lastLog();
        if (
          log.version === "1.2.0" &&
          log.steps.find((s) => s.name === "watch")?.status === "running"
        )
          break;
      }
      const second = spawnSync(process.execPath, cliArgs(["--version", "9.9.9"]), {
        cwd: repo,
        env: p.env,
        encoding: "utf8",
      });
      refused = { status: second.status, stderr: second.stderr };
      child.kill("SIGKILL");
    });
    assert.equal(killed.code, -9, "the release was killed");
    assert.equal(refused?.status, 1);
    assert.match(refused.stderr, /1\.2\.0 holds the stack's release lock \(pid \d+ on /);
    const atKill = lastLog();
    assert.equal(atKill.state, "running");
    const resumed = await releaseUnderLoad(["--resume"]);
    const log = lastLog();
    scenarioFigures("killed-resumed", resumed, log);
    assert.equal(resumed.code, 0, `${resumed.stdout}\n${resumed.stderr}`);
    assert.match(resumed.stderr, /lock: broke the lock of 1\.2\.0 \(pid \d+/);
    assert.match(resumed.stderr, /resume: .* from watch/);
    assert.equal(log.id, atKill.id);
    assert.equal(log.resumed, 1);
    assert.equal(log.state, "succeeded");
    assert.equal(killed.failed + resumed.failed, 0);
    const after = await sample(target, 12);
    assert.deepEqual([...after.versions.keys()], ["blue 1.2.0"]);
    assert.equal(sqlCount("rows"), 5);
  });
  it("a release interrupted (SIGTERM) in its watch window rolls back by itself, zero failed", async () => {
    const r = await releaseUnderLoad(["--version", "1.3.0"], async (child) => {
      const end = Date.now() + 240_000;
      while (Date.now() < end) {
        await new Promise((res) => setTimeout(res, 1000));
        const log = fs.existsSync(folder()) ? lastLog() : undefined;
        if (
          log?.version === "1.3.0" &&
          log.steps.find((s) => s.name === "watch")?.status === "running"
        )
          break;
      }
      child.kill("SIGTERM");
    });
    const log = lastLog();
    scenarioFigures("interrupted", r, log);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /SIGTERM: the running step ends, then the release rolls back/);
    assert.equal(log.version, "1.3.0");
    assert.equal(log.state, "rolled-back");
    assert.match(log.reason!, /^watch failed: interrupted \(SIGTERM\) after \d of 3 measurements/);
    assert.deepEqual(
      log.rollback.map((a) => [a.action, a.status]),
      [
        ["traffic to blue", "passed"],
        ["restore the pre-release dump", "passed"],
      ],
    );
    assert.equal(r.failed, 0);
    const after = await sample(target, 12);
    assert.deepEqual([...after.versions.keys()], ["blue 1.2.0"]);
    assert.equal(sqlCount("rows"), 5);
  });

  it("a tenant canary climbs by its tenants' metrics; the rung enabling a tenant that hands off is disabled", async () => {
    const accounts = Array.from({ length: 20 }, (_, i) => `acct-${String(i + 1).padStart(2, "0")}`);
    const canary = {
      package: "gastronomy",
      service: "api",
      agents: ["gastronomy_supervisor_agent"],
      accounts,
      pilotAccounts: ["acct-01"],
      step: "pilot" as const,
      previousStep: "none" as const,
    };
    const at10 = enabledAccounts({ ...canary, step: "10%" });
    const at25 = enabledAccounts({ ...canary, step: "25%" });
    const bad = at25.find((a) => !at10.includes(a))!;
    const doc = new SpecDocument(p.dir, stack);
    doc.set([
      [["canaries"], [canary]],
      [["services", "api", "env"], { AGENT_HANDOFF_TENANTS: bad }],
      [
        ["release", "canary"],
        {
          watch: {
            initialDelaySeconds: 15,
            intervalSeconds: 8,
            count: 4,
            consecutiveErrorLimit: 3,
          },
        },
      ],
    ]);
    const up = p.pulumi(["up", "--yes", "--non-interactive", "--skip-preview"]);
    assert.equal(up.code, 0, up.output);
    const r = await releaseUnderLoad(["--canary", "gastronomy", "--to", "25%"]);
    const log = lastLog() as unknown as CanaryLog;
    scenarioFigures("canary", r, log as unknown as ReleaseLog);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.equal(log.kind, "canary");
    assert.deepEqual(
      log.steps.map((s) => `${s.name} ${s.status}`),
      ["enable-10% passed", "watch-10% passed", "enable-25% passed", "watch-25% failed"],
    );
    assert.match(log.steps[1].message!, /gastronomy: \d successful/);
    assert.match(log.steps[3].message!, new RegExp(`${bad} handoff rate 100\\.00 % > 5 %`));
    assert.deepEqual(
      log.rollback.map((a) => [a.action, a.status]),
      [["disable 25%: back to 10%", "passed"]],
    );
    assert.equal(doc.get(["canaries", 0, "step"]), "10%");
    const manifest = (account: string) =>
      JSON.parse(
        docker([
          "exec",
          `${prefix}-api-blue`,
          "cat",
          `/etc/golive/packages/gastronomy/${account}.json`,
        ]),
      ) as { enabled_agents: string[]; canary_step: string };
    assert.deepEqual(manifest(bad), { ...manifest(bad), enabled_agents: [], canary_step: "10%" });
    for (const a of at10) assert.deepEqual(manifest(a).enabled_agents, canary.agents);
    assert.equal(sqlCount("rows"), 5);
  });
});
