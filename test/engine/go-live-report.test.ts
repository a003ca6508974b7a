/**
 * The go-live report on a real stack: the end-to-end Docker scenario (test/scenarios/e2e-docker.yaml)
 * under its own project folder, stack name (prefix golive-golr) and host ports (21xxx), deployed by
 * a real `pulumi up`; `golive verify` reads its outputs and the preview's policy events through the
 * Automation API and runs every live check, with a restore drill into a scratch instance; then one
 * thing is broken at a time (the replica stopped, a scrape target stopped, the backups stale, a
 * certificate that expires in 5 days, a receiver that sends nowhere) and the matching check and item
 * fail with what was seen; `golive report` renders every format, JUnit and SARIF valid against
 * their schemas, the HTML page opened in headless Chromium.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import * as YAML from "yaml";
import { stackOutputs, type LiveEnvironment, type LiveSecrets } from "../../policies/lib/contract";
import { loadChecklist } from "../../report/checklist/registry";
import { liveChecks, runChecks, type CheckContext } from "../../report/checks";
import type { CheckId } from "../../report/checklist/checks";
import { parseResults, type Results } from "../../report/results";
import {
  browser,
  chromium,
  junitProblems,
  sarifValidator,
  xmllint,
} from "../report-formats/validate";
import { figure, Project, removeRetainedVolumes, repo } from "./harness";

const stack = "golr";
const prefix = `golive-${stack}`;
/**
 * e2e-docker's host ports, moved to 21xxx so both tests can share one engine: below Linux's
 * ephemeral range (32768-60999, where the engine's and plugins' own listeners land) and the
 * cluster's NodePort range (30000-32767).
 */
const portMap: Record<number, number> = {
  25432: 21432,
  25433: 21433,
  26432: 21532,
  26379: 21379,
  25672: 21672,
  29090: 21090,
  29093: 21093,
  28080: 21080,
  28443: 21443,
};
const systems = ["cgs-assist", "ablage", "psa-platform"];

function scenario(): string {
  let text = fs.readFileSync(path.join(repo, "test", "scenarios", "e2e-docker.yaml"), "utf8");
  for (const [from, to] of Object.entries(portMap)) text = text.replaceAll(from, String(to));
  // The checklist systems this stack answers for (docs/report.md: the stack → systems mapping).
  return text.replace("config:\n", `config:\n  golive:checklistSystems: [${systems.join(", ")}]\n`);
}

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

/** Polls until `ok` or `seconds` pass; returns the last value. */
async function eventually<T>(seconds: number, probe: () => Promise<T>, ok: (v: T) => boolean) {
  const end = Date.now() + seconds * 1000;
  let v = await probe();
  while (!ok(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 2000));
    v = await probe();
  }
  return v;
}

describe("the go-live report on the end-to-end Docker stack", () => {
  let p: Project;
  let ctx: CheckContext;
  const out = path.join(repo, "test", ".work", "go-live-report-out");
  const checklist = loadChecklist();
  const started = Date.now();

  /** golive's CLI, as a user runs it, in the test project's environment. */
  const golive = (args: string[]) => {
    const t = Date.now();
    const r = spawnSync(process.execPath, [path.join(repo, "cli", "golive.cjs"), ...args], {
      cwd: repo,
      env: { ...p.env, GOLIVE_PROGRESS: "1" },
      encoding: "utf8",
      timeout: 300_000,
    });
    return {
      code: r.status ?? -1,
      stdout: r.stdout,
      stderr: r.stderr,
      seconds: (Date.now() - t) / 1000,
    };
  };
  const common = [
    "--dir",
    "",
    "--policy-config",
    path.join(repo, "policies", "config", "dev.json"),
  ];
  const withDir = (args: string[]) => [...args, ...common.map((a) => (a === "" ? p.dir : a))];

  /** One check, in process, on the live stack. */
  const check = async (id: CheckId) => (await runChecks(ctx, () => {}, [id]))[0];

  before(() => {
    const built = spawnSync(path.join(repo, "test", "images", "build.sh"), images, {
      stdio: ["ignore", "inherit", "inherit"],
    });
    assert.equal(built.status, 0, "the offline test images must build");
    removeRetainedVolumes(prefix);
    fs.rmSync(out, { recursive: true, force: true });
    p = new Project("go-live-report", stack, scenario());
    for (const d of ["report", "cli"]) fs.symlinkSync(path.join(repo, d), path.join(p.dir, d));
  });

  after(() => {
    const d = p.pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
    removeRetainedVolumes(prefix);
    figure("golive-report-test-seconds", ((Date.now() - started) / 1000).toFixed(0));
    assert.equal(d.code, 0, d.output);
  });

  it("deploys the stack and exports what the checks need", async () => {
    const up = p.pulumi(upArgs);
    figure("up-seconds-golive-report", up.seconds.toFixed(1));
    assert.equal(up.code, 0, up.output);
    const o = p.pulumi(["stack", "output", "--json", "--show-secrets"]);
    assert.equal(o.code, 0, o.output);
    const outputs = JSON.parse(o.output) as Record<string, unknown>;
    const env = outputs[stackOutputs.environment] as LiveEnvironment;
    const secrets = outputs[stackOutputs.secrets] as LiveSecrets;
    assert.equal(env.prefix, prefix);
    assert.deepEqual(env.postgres?.replicas, ["postgres-replica-1"]);
    assert.equal(env.gateway?.httpsPort, 21443);
    assert.equal(secrets.postgresPassword?.length, 32);
    // Without --show-secrets the passwords stay hidden.
    assert.doesNotMatch(
      p.pulumi(["stack", "output", "--json"]).output,
      new RegExp(secrets.postgresPassword),
    );
    ctx = {
      env,
      secrets,
      minCertDays: 30,
      restoreDrillDays: 30,
      runRestoreDrill: false,
      now: new Date(),
    };
    // A table on the primary, then a fresh base backup (the loop backs up when it starts): the
    // restore drill must bring the table back.
    const psql = spawnSync(
      "psql",
      [
        "-h",
        "127.0.0.1",
        "-p",
        "21432",
        "-U",
        "app",
        "-d",
        "app",
        "-XAtqc",
        "create table drill_probe(v int); insert into drill_probe values (1)",
      ],
      {
        encoding: "utf8",
        env: { ...process.env, PGPASSWORD: secrets.postgresPassword, PGCONNECT_TIMEOUT: "5" },
      },
    );
    assert.equal(psql.status, 0, psql.stderr);
    const first = await eventually(
      120,
      () => check("postgres-backup"),
      (v) => v.status === "pass",
    );
    assert.equal(first.status, "pass", first.message);
    await new Promise((r) => setTimeout(r, 1000)); // the next stamp is a second later
    docker(["restart", `${prefix}-postgres-backup`]);
    const stampOf = (m: string) => /newest base backup (\S+),/.exec(m)?.[1];
    const fresh = await eventually(
      60,
      () => check("postgres-backup"),
      (v) => v.status === "pass" && stampOf(v.message) !== stampOf(first.message),
    );
    assert.equal(fresh.status, "pass", fresh.message);
    // The stack settles: every scrape target up, the first base backup and archived WAL there.
    for (const id of [
      "prometheus-targets",
      "postgres-backup",
      "postgres-wal-archive",
      "postgres-replication",
      "service-healthy",
    ] as const) {
      const r = await eventually(
        120,
        () => check(id),
        (v) => v.status === "pass",
      );
      assert.equal(r.status, "pass", `${id} settles: ${r.message}`);
    }
  });

  let results: Results;

  it("golive verify passes every check on the healthy stack, with a restore drill", () => {
    const file = path.join(out, "results.json");
    const r = golive(withDir(["verify", stack, "--restore-drill", "--results", file]));
    figure("golive-verify-seconds", r.seconds.toFixed(1));
    process.stdout.write(r.stderr);
    results = parseResults(fs.readFileSync(file, "utf8"), file);
    // A progress line per check.
    assert.equal(r.stderr.match(/^\[\s*\d+\/\d+\] /gm)?.length, liveChecks.length, r.stderr);
    assert.ok(results.gates.read, "the preview's policy events were read");
    // The scenario's only finding is its own waiver's report (RabbitMQ 3.10 from Debian).
    assert.deepEqual(
      [...new Set(results.gates.violations.map((v) => v.policyName))],
      ["waivers-report-active"],
    );
    assert.equal(results.deployment?.status, "succeeded");
    assert.deepEqual(results.systems, systems);
    for (const c of results.checks) figure(`check-seconds-${c.checkId}`, c.seconds.toFixed(2));
    const notPassing = results.checks.filter(
      (c) => c.status !== "pass" && c.checkId !== "gpu-visible",
    );
    assert.deepEqual(notPassing, [], "every check passes on the healthy stack");
    const gpu = results.checks.find((c) => c.checkId === "gpu-visible");
    assert.deepEqual(
      [gpu?.status, gpu?.message],
      ["skipped", "no service of the spec asks for a GPU"],
    );
    assert.match(
      results.checks.find((c) => c.checkId === "restore-drill")!.message,
      /restored into a scratch instance, 1 tables \(the primary has 1 now\)/,
    );
    assert.equal(r.code, 0, r.stdout);
  });

  it("golive report judges every item: the verified items its checks cover pass", () => {
    const r = golive(
      withDir(["report", stack, "--results", path.join(out, "results.json"), "--out", out]),
    );
    assert.equal(r.code, 1, "unknown items (checks not written yet) fail the report");
    const report = fs.readFileSync(path.join(out, "report.md"), "utf8");
    const implemented = new Set<string>(liveChecks.map((c) => c.id));
    const covered = checklist.items.filter(
      (i) =>
        i.class === "verified" &&
        Array.isArray(i.checks) &&
        i.checks.every((c) => implemented.has(c)) &&
        systems.includes(checklist.seeds.find((s) => s.file === i.seed)!.system),
    );
    assert.ok(covered.length >= 10, `${covered.length} covered items`);
    const counts = /items: (.*)/.exec(r.stdout)?.[1] ?? "";
    figure("golive-report-items", counts);
    figure("golive-report-covered-verified-items", covered.length);
    for (const item of covered) {
      const row =
        new RegExp(`\\b${item.id.replace(/\./g, "\\.")}\\b[^\\n]*`).exec(report)?.[0] ?? "";
      assert.doesNotMatch(
        r.stdout,
        new RegExp(`(fail|unknown)\\s+${item.id.replace(/\./g, "\\.")}:`),
        `${item.id} fails: ${row}`,
      );
    }
  });

  it(
    "writes JUnit and SARIF that validate, and an HTML page Chromium opens",
    { skip: !xmllint && "xmllint is not installed" },
    () => {
      assert.equal(junitProblems(path.join(out, "junit.xml")), undefined);
      const sarif = sarifValidator();
      const log = JSON.parse(fs.readFileSync(path.join(out, "report.sarif"), "utf8")) as unknown;
      assert.ok(sarif.validate(log), sarif.errors());
      if (chromium) {
        const dom = browser(["--dump-dom", `file://${path.join(out, "report.html")}`]);
        assert.equal([...dom.matchAll(/<tr class="[^"]*" data-item="/g)].length, 305);
      }
    },
  );

  it("a stopped replica fails replication, with what was seen", async () => {
    docker(["stop", `${prefix}-postgres-replica-1`]);
    try {
      const r = await eventually(
        30,
        () => check("postgres-replication"),
        (v) => v.status === "fail",
      );
      assert.equal(r.status, "fail", r.message);
      assert.match(
        r.message,
        /^0 of 1 replicas streaming .*expected every replica streaming from its slot/,
      );
      const health = await check("service-healthy");
      assert.equal(health.status, "fail");
      assert.match(health.message, /golive-golr-postgres-replica-1 is exited/);
    } finally {
      docker(["start", `${prefix}-postgres-replica-1`]);
    }
    const back = await eventually(
      60,
      () => check("postgres-replication"),
      (v) => v.status === "pass",
    );
    assert.equal(back.status, "pass", back.message);
  });

  it("a stopped scrape target fails the Prometheus check", async () => {
    docker(["stop", `${prefix}-redis-exporter`]);
    try {
      const r = await eventually(
        60,
        () => check("prometheus-targets"),
        (v) => v.status === "fail",
      );
      assert.equal(r.status, "fail", r.message);
      assert.match(r.message, /redis-exporter \([^)]+\) is down/);
    } finally {
      docker(["start", `${prefix}-redis-exporter`]);
    }
  });

  it("stale backups fail the backup check", async () => {
    const c = `${prefix}-postgres-backup`;
    const dir = "/var/lib/postgresql/backups";
    // Every finished backup renamed to a stamp of 2020: the newest is years old.
    docker([
      "exec",
      c,
      "sh",
      "-c",
      `cd ${dir} && i=0; for b in $(ls -1 | grep -E '^[0-9]{8}T[0-9]{6}Z$'); do i=$((i+1)); mv "$b" "2020010\${i}T000000Z"; done`,
    ]);
    const r = await check("postgres-backup");
    assert.equal(r.status, "fail", r.message);
    assert.match(
      r.message,
      /^newest base backup 2020010\dT000000Z, \d+\.\d h old: older than the backup interval of 24 h/,
    );
  });

  it("a certificate that expires in 5 days and a receiver that sends nowhere fail their checks and items", () => {
    const dir = fs.mkdtempSync(path.join(p.dir, "cert-"));
    const gen = spawnSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "5",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost",
        "-keyout",
        path.join(dir, "key.pem"),
        "-out",
        path.join(dir, "cert.pem"),
      ],
      { encoding: "utf8" },
    );
    assert.equal(gen.status, 0, gen.stderr);
    const cert = fs.readFileSync(path.join(dir, "cert.pem"), "utf8");
    // The key on standard input: never on a command line, never in an assertion's message.
    const set = spawnSync("pulumi", ["config", "set", "--secret", "golive:gatewayTlsKey"], {
      cwd: p.dir,
      env: p.env,
      input: fs.readFileSync(path.join(dir, "key.pem"), "utf8"),
      encoding: "utf8",
    });
    assert.equal(set.status, 0, "pulumi config set --secret golive:gatewayTlsKey failed");
    // pulumi config set rewrote the stack file: change the spec as data, not as text.
    const doc = YAML.parse(p.stackText()) as {
      config: {
        "golive:environment": { gateway: { tls: unknown }; monitoring: { receiver: unknown } };
      };
    };
    const spec = doc.config["golive:environment"];
    spec.gateway.tls = { source: "file", keyConfig: "gatewayTlsKey", certificate: cert };
    spec.monitoring.receiver = { kind: "null" };
    fs.writeFileSync(p.stackFile, YAML.stringify(doc));
    const up = p.pulumi(upArgs);
    figure("up-seconds-golive-report-broken", up.seconds.toFixed(1));
    assert.equal(up.code, 0, up.output);
    assert.match(
      up.output,
      /gateway[\s\S]*(updated|replaced)|(updated|replaced)[\s\S]*gateway/,
      up.output,
    );
    // The whole report in one run: preview (gates) and checks.
    const r = golive(withDir(["report", stack, "--out", path.join(out, "broken")]));
    figure("golive-report-seconds", r.seconds.toFixed(1));
    process.stdout.write(r.stderr);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /tls-certificate\s+fail .*it expires in [45] days \([^)]+\); at least 30 required/,
    );
    assert.match(r.stderr, /alerts-none-firing\s+fail .*the route's receiver \S+ sends nowhere/);
    assert.match(r.stdout, /fail\s+cgs-assist\.ssl-tls-verbindung-pruefen: .*tls-certificate fail/);
    assert.match(r.stdout, /fail\s+ablage\.keine-alerts: alerts-none-firing fail/);
    // And the gate saw the certificate at preview.
    assert.match(
      r.stdout,
      /fail\s+cgs-assist\.ssl-tls-zertifikate-installiert: tls-enforce-certificate-validity \(advisory\): .*The TLS certificate expires on \d{4}-\d\d-\d\d \([45] days\)/,
    );
  });
});
