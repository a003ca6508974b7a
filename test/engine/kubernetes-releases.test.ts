/**
 * Releases on a real Kubernetes cluster (scripts/kube-cluster.sh), behind golive's HAProxy
 * gateway, each `pulumi up` under a bounded loopback load (4 HTTPS clients to the gateway's
 * NodePort on 127.0.0.1, Host and SNI `localhost`): an image update of the idle colour, the seed
 * 003 step "50/50 split, watch, then full" (`blueGreen.weights`, which really splits), the full
 * switch to green, the rollback to blue, a rolling image update of the Deployment that takes the
 * traffic, and a green failing its health check refused; every step with zero failed requests.
 * Then, on the same stack (a migration added, like e2e-release.yaml's, and rows written), `golive
 * release` as a user runs it (cli/golive.cjs) under the release test's load (4 clients, 100 ms
 * apart): a good release (zero failed, the switch running the migration job), one whose smoke test
 * fails (rolled back, no answer from the idle colour) and one whose new version answers 500 in a
 * 50/50 split's watch window (rolled back, its pre-release dump restored); the rows written before
 * survive them all. Then `destroy`, and the namespace (dataRetention delete) is gone.
 *
 * Needs the cluster's environment (GOLIVE_KUBECONFIG, GOLIVE_KUBECTL: scripts/test.sh exports it)
 * and the cluster to itself while the stack exists: another stack's requests do not fit a
 * 2-core node beside this one's.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { ReleaseLog } from "../../release/log";
import { SpecDocument } from "../../release/spec-doc";
import { figure, Project, repo } from "./harness";
import { count, newLoad, report, request, sample, type Load, type Target } from "./load";

const namespace = "golive-bluegreen";
const httpsPort = 30543;
const kubeconfig = process.env.GOLIVE_KUBECONFIG ?? "";
const kubectlBin = process.env.GOLIVE_KUBECTL ?? "kubectl";

/** Bounds of one step's load: wall time and requests (whichever comes first). */
const loadSeconds = 480;
const loadRequests = 100_000;
/** Each client's pause between its requests. */
const pauseMs = 10;
/** After an `up`, the load goes on until no pod of the namespace is terminating (bounded). */
const settleSeconds = 60;

const template = fs.readFileSync(
  path.join(repo, "test", "scenarios", "k8s-bluegreen-offline.yaml"),
  "utf8",
);
const blueGreenLine = /^( +)blueGreen: \{[^\n]*\}$/m;
assert.match(template, blueGreenLine, "the scenario declares api's blueGreen on one line");

/**
 * api's migration for the releases, as e2e-release.yaml's: each run adds a row to `migrations`,
 * so a restored dump shows as the count of before the release. Only the release steps have it: a
 * migration follows the active colour's image, and the `up` steps before would each run it.
 */
const migration = (indent: string) =>
  [
    "migration:",
    "  command:",
    "    - python3",
    "    - -c",
    "    - >-",
    "      import os, psycopg2;",
    "      c = psycopg2.connect(host=os.environ['DATABASE_HOST'], port=os.environ['DATABASE_PORT'],",
    "      dbname=os.environ['DATABASE_NAME'], user=os.environ['DATABASE_USER'],",
    "      password=os.environ['DATABASE_PASSWORD']);",
    "      c.autocommit = True;",
    "      c.cursor().execute('CREATE TABLE IF NOT EXISTS migrations (id serial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())');",
    "      c.cursor().execute('INSERT INTO migrations DEFAULT VALUES')",
  ]
    .map((l) => `${indent}${l}`)
    .join("\n");

/** The scenario with api's blueGreen as given (and its migration, when asked). */
function config(bg: {
  active: "blue" | "green";
  blue: string;
  green: string;
  weights?: { blue: number; green: number };
  migration?: boolean;
}): string {
  const weights = bg.weights
    ? `, weights: { blue: ${bg.weights.blue}, green: ${bg.weights.green} }`
    : "";
  return template.replace(
    blueGreenLine,
    (_, indent: string) =>
      `${indent}blueGreen: { active: ${bg.active}, blue: "${bg.blue}", green: "${bg.green}"${weights} }` +
      (bg.migration ? `\n${migration(indent)}` : ""),
  );
}

function kubectl(args: readonly string[]): { code: number; out: string } {
  const r = spawnSync(kubectlBin, ["--kubeconfig", kubeconfig, ...args], {
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status ?? -1, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

const agent = new https.Agent({ rejectUnauthorized: false, keepAlive: false });
/**
 * One more client keeps its connection (as browsers do), counted apart: at a gateway pod's soft
 * stop HAProxy would close an idle keep-alive connection at once, racing the client's next
 * request on it (a reset: Node's agent does not retry); the gateway's `idle-close-on-response`
 * answers that request and closes after it. Zero failed too.
 */
const keepAliveAgent = new https.Agent({
  rejectUnauthorized: false,
  keepAlive: true,
  maxSockets: 1,
});

/** The gateway's NodePort on 127.0.0.1, as the clients reach it. */
const target: Target = { host: "127.0.0.1", port: httpsPort, hostname: "localhost" };

/** Pods of the namespace being deleted (a rollout's old ones, draining). */
function terminating(): number {
  const r = kubectl([
    "get",
    "pods",
    "-n",
    namespace,
    "-o",
    "jsonpath={range .items[*]}{.metadata.deletionTimestamp}{'\\n'}{end}",
  ]);
  return r.out.split("\n").filter((l) => l.trim() !== "").length;
}

interface UpResult extends Load {
  keepAlive: Load;
  code: number;
  output: string;
  seconds: number;
  upSeconds: number;
  rollouts: RolloutWatch;
  warnings: Map<string, number>;
  /** Seconds from the up's end until no pod drained and every rollout had finished. */
  settleSeconds: number;
}

/**
 * `pulumi up` while 4 loopback clients send requests, then until no pod is terminating: every
 * request counted, by outcome, colour and version. Bounded: {@link loadSeconds} and
 * {@link loadRequests}; the up itself is killed at the time bound.
 */
async function upUnderLoad(p: Project, stuck: readonly string[] = []): Promise<UpResult> {
  const start = Date.now();
  const l = newLoad();
  let done = false;
  const rollouts = new RolloutWatch().start();
  const child = spawn("pulumi", ["up", "--yes", "--non-interactive", "--skip-preview"], {
    cwd: p.dir,
    env: p.env,
  });
  const kill = setTimeout(() => child.kill("SIGINT"), loadSeconds * 1000);
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? -1)));
  const keepAlive = newLoad();
  const within = () =>
    !done &&
    Date.now() - start < loadSeconds * 1000 &&
    l.ok + l.failed + keepAlive.ok + keepAlive.failed < loadRequests;
  const client = async () => {
    while (within()) {
      count(l, await request(target, "/", agent));
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  };
  const keepAliveClient = async () => {
    while (within()) {
      count(keepAlive, await request(target, "/", keepAliveAgent));
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  };
  const clients = [client(), client(), client(), client(), keepAliveClient()];
  const code = await exited;
  clearTimeout(kill);
  const upSeconds = (Date.now() - start) / 1000;
  const settle = Date.now();
  // The load goes on until no pod drains and every rollout the watch saw has finished. The
  // provider returns once a rollout is complete; seen once under load (2 cores, a CI run beside
  // other work): the up returned while the gateway's rollout still ran, so this waits rather than
  // reads old pods' answers as the release's. How long after the up is a figure. A rollout the
  // step expects never to finish (`stuck`: a colour that fails its health check) is not waited for.
  rollouts.poll();
  while (
    (terminating() > 0 || rollouts.pending().some((d) => !stuck.includes(d))) &&
    Date.now() - settle < settleSeconds * 1000
  ) {
    await new Promise((r) => setTimeout(r, 1000));
    rollouts.poll();
  }
  const pendingAfterUp = (Date.now() - settle) / 1000;
  done = true;
  rollouts.stop();
  await Promise.all(clients);
  report(l);
  for (const [k, n] of keepAlive.failures)
    process.stdout.write(`keep-alive failure: ${n} x ${k}\n`);
  const events = warnings(start);
  for (const [k, n] of events) process.stdout.write(`warning event: ${n} x ${k}\n`);
  for (const line of output.split("\n")) {
    if (/ (updated|replaced|created|deleted) |error:/.test(line))
      process.stdout.write(`engine: ${line.trim()}\n`);
  }
  return {
    ...l,
    code,
    output,
    seconds: (Date.now() - start) / 1000,
    upSeconds,
    rollouts,
    warnings: events,
    keepAlive,
    settleSeconds: pendingAfterUp,
  };
}

function figures(step: string, r: UpResult): void {
  figure(`k8s-${step}-requests-ok`, r.ok);
  figure(`k8s-${step}-requests-failed`, r.failed);
  figure(`k8s-${step}-seconds`, r.seconds.toFixed(1));
  figure(`k8s-${step}-up-seconds`, r.upSeconds.toFixed(1));
  figure(`k8s-${step}-settle-after-up-seconds`, r.settleSeconds.toFixed(1));
  figure(`k8s-${step}-keepalive-requests-ok`, r.keepAlive.ok);
  figure(`k8s-${step}-keepalive-requests-failed`, r.keepAlive.failed);
  for (const c of ["blue", "green"]) figure(`k8s-${step}-answers-${c}`, r.colours.get(c) ?? 0);
  for (const d of ["gateway", "api-blue", "api-green"]) {
    if (r.rollouts.rolled(d)) figure(`k8s-${step}-${d}-rollout-seconds`, r.rollouts.seconds(d));
  }
  // A drain that failed (the gateway's soft stop, the pause before it) is a warning event.
  assert.equal(r.keepAlive.failed, 0, "the keep-alive client failed no request");
  const failedHooks = [...r.warnings.keys()].filter((k) => k.startsWith("FailedPreStopHook"));
  assert.deepEqual(failedHooks, [], "every preStop hook ran");
}

interface DeploymentState {
  generation: number;
  observedGeneration: number;
  replicas: number;
  updated: number;
  ready: number;
  current: number;
}

/** The namespace's Deployments, by name: generations and replica counts. */
function deployments(): Map<string, DeploymentState> {
  const r = kubectl(["get", "deployments", "-n", namespace, "-o", "json"]);
  const out = new Map<string, DeploymentState>();
  if (r.code !== 0) return out;
  const list = JSON.parse(r.out) as {
    items: {
      metadata: { name: string; generation: number };
      spec: { replicas: number };
      status: {
        observedGeneration?: number;
        replicas?: number;
        updatedReplicas?: number;
        readyReplicas?: number;
      };
    }[];
  };
  for (const d of list.items) {
    out.set(d.metadata.name, {
      generation: d.metadata.generation,
      observedGeneration: d.status.observedGeneration ?? 0,
      replicas: d.spec.replicas,
      updated: d.status.updatedReplicas ?? 0,
      ready: d.status.readyReplicas ?? 0,
      current: d.status.replicas ?? 0,
    });
  }
  return out;
}

/**
 * Watches the namespace's Deployments once a second while an `up` runs: a Deployment rolled when
 * its generation grew, and its rollout took from the first poll that saw the new generation to the
 * first that saw every replica updated and ready and no old one left (their drain after that is
 * the step's settling). Seconds, to the poll's one-second grain.
 */
class RolloutWatch {
  private readonly initial = deployments();
  private readonly started = new Map<string, number>();
  private readonly finished = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  public start(): this {
    this.timer = setInterval(() => this.poll(), 1000);
    return this;
  }

  public stop(): void {
    clearInterval(this.timer);
    this.poll();
  }

  public poll(): void {
    const now = Date.now();
    for (const [name, d] of deployments()) {
      if (d.generation <= (this.initial.get(name)?.generation ?? 0)) continue;
      if (!this.started.has(name)) this.started.set(name, now);
      const complete =
        d.observedGeneration >= d.generation &&
        d.updated === d.replicas &&
        d.ready === d.replicas &&
        d.current === d.replicas;
      if (complete && !this.finished.has(name)) this.finished.set(name, now);
      if (!complete) this.finished.delete(name);
    }
  }

  /** Deployments that rolled and have not finished. */
  public pending(): string[] {
    return [...this.started.keys()].filter((n) => !this.finished.has(n));
  }

  /** Whether the Deployment rolled. */
  public rolled(name: string): boolean {
    return this.started.has(name);
  }

  /** Its rollout's seconds; NaN when it rolled and did not finish, 0 when it did not roll. */
  public seconds(name: string): number {
    const s = this.started.get(name);
    if (s === undefined) return 0;
    const f = this.finished.get(name);
    return f === undefined ? NaN : (f - s) / 1000;
  }
}

/** The namespace's warning events since `since` (ms), counted by reason and object. */
function warnings(since: number): Map<string, number> {
  const r = kubectl([
    "get",
    "events",
    "-n",
    namespace,
    "--field-selector",
    "type=Warning",
    "-o",
    "json",
  ]);
  const out = new Map<string, number>();
  if (r.code !== 0) return out;
  const list = JSON.parse(r.out) as {
    items: {
      reason: string;
      count?: number;
      lastTimestamp?: string;
      eventTime?: string;
      involvedObject: { name: string };
      message: string;
    }[];
  };
  for (const e of list.items) {
    const at = Date.parse(e.lastTimestamp ?? e.eventTime ?? "");
    if (!(at >= since - 1000)) continue;
    const key = `${e.reason} ${e.involvedObject.name.replace(/-[a-z0-9]+-[a-z0-9]{5}$/, "")}: ${e.message.slice(0, 100)}`;
    out.set(key, (out.get(key) ?? 0) + (e.count ?? 1));
  }
  return out;
}

/** A SQL count in the application database, by psql in the primary's pod as its superuser. */
function sqlCount(table: string): number {
  const r = kubectl([
    "exec",
    "-n",
    namespace,
    "postgres-0",
    "--",
    "sh",
    "-c",
    'PGPASSWORD="$POSTGRES_PASSWORD" PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -U "$POSTGRES_USER" -d app -XAtqc "$1"',
    "psql",
    `select count(*) from ${table}`,
  ]);
  assert.equal(r.code, 0, `psql in postgres-0: ${r.out}`);
  // kubectl's own notices share the output: the count is the line that is a number.
  const n = r.out.split("\n").find((l) => /^\d+$/.test(l.trim()));
  assert.ok(n !== undefined, `psql in postgres-0 printed no count: ${r.out}`);
  return Number(n);
}

interface Released extends Load {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** Bounds of one release's load and run: wall time (the release is killed at it) and requests. */
const releaseSeconds = 480;
const releaseRequests = 20_000;

describe("releases on Kubernetes under load", { skip: !kubeconfig && "no cluster" }, () => {
  let p: Project;
  const started = Date.now();
  const stack = "releases";
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
   * `golive release` while 4 loopback clients send requests to the gateway's NodePort (a new
   * connection each, 100 ms apart), every answer counted; bounded by {@link releaseSeconds} and
   * {@link releaseRequests}.
   */
  async function releaseUnderLoad(args: string[]): Promise<Released> {
    const t = Date.now();
    const l = newLoad();
    const child = spawn(process.execPath, cliArgs(args), {
      cwd: repo,
      env: { ...p.env, GOLIVE_PROGRESS: "1" },
    });
    const kill = setTimeout(() => child.kill("SIGKILL"), releaseSeconds * 1000);
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
      while (!done && Date.now() - t < releaseSeconds * 1000 && l.ok + l.failed < releaseRequests) {
        count(l, await request(target, "/", agent));
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const clients = Array.from({ length: 4 }, client);
    const code = await exited;
    clearTimeout(kill);
    done = true;
    await Promise.all(clients);
    report(l);
    return { ...l, code, stdout, stderr, seconds: (Date.now() - t) / 1000 };
  }

  const releaseFigures = (name: string, r: Released, log: ReleaseLog) => {
    figure(`k8s-release-${name}-steps-run`, log.steps.filter((s) => s.status !== "pending").length);
    figure(`k8s-release-${name}-seconds`, r.seconds.toFixed(1));
    figure(`k8s-release-${name}-requests-ok`, r.ok);
    figure(`k8s-release-${name}-requests-failed`, r.failed);
    for (const c of ["blue", "green"])
      figure(`k8s-release-${name}-answers-${c}`, r.colours.get(c) ?? 0);
    for (const s of log.steps)
      if (s.seconds !== undefined)
        figure(`k8s-release-${name}-${s.name}-seconds`, s.seconds.toFixed(1));
    figure(
      `k8s-release-${name}-rollback`,
      log.rollback.length > 0
        ? JSON.stringify(log.rollback.map((a) => `${a.action}: ${a.status}`).join("; "))
        : "none",
    );
  };

  before(() => {
    assert.equal(kubectl(["get", "nodes"]).code, 0, "the cluster answers");
    // Two releases of the app and one whose health check fails, as test/engine/bluegreen.test.ts
    // makes them, in the cluster's containerd (its `load` skips images already there).
    assert.equal(
      spawnSync("docker", ["tag", "golive.local/app:1.0.0", "golive.local/app:1.1.0"]).status,
      0,
    );
    assert.equal(
      spawnSync("docker", ["tag", "golive.local/app:1.0.0", "golive.local/app:1.2.0"]).status,
      0,
    );
    // For the releases: 1.2.0 a good one, and versions failing a path on purpose (the test app's
    // FAIL_PATHS): /rows fails the smoke test, / the watch window's error rate.
    const variants = {
      broken: "HEALTH_FAIL=1",
      "bad-smoke": "FAIL_PATHS=/rows",
      "bad-errors": "FAIL_PATHS=/",
    };
    for (const [tag, env] of Object.entries(variants)) {
      const built = spawnSync("docker", ["build", "-q", "-t", `golive.local/app:${tag}`, "-"], {
        input: `FROM golive.local/app:1.0.0\nENV ${env}\n`,
        env: { ...process.env, DOCKER_BUILDKIT: "0" },
      });
      assert.equal(built.status, 0, String(built.stderr));
    }
    // The state folder of the checkout that started the cluster (its env file names the folder).
    const state = process.env.GOLIVE_CLUSTER_DIR
      ? { GOLIVE_STATE_DIR: path.dirname(process.env.GOLIVE_CLUSTER_DIR) }
      : {};
    const load = spawnSync(
      path.join(repo, "scripts", "kube-cluster.sh"),
      ["load", ...["1.1.0", "1.2.0", ...Object.keys(variants)].map((t) => `golive.local/app:${t}`)],
      { stdio: "inherit", env: { ...process.env, ...state } },
    );
    assert.equal(load.status, 0);
    // What an earlier run of this test left (a killed run does not destroy).
    kubectl([
      "delete",
      "namespace",
      namespace,
      "--ignore-not-found",
      "--wait=true",
      "--timeout=120s",
    ]);
    p = new Project(
      "k8s-releases",
      "releases",
      config({ active: "blue", blue: "1.0.0", green: "1.0.0" }),
    );
    p.env.KUBECONFIG = kubeconfig;
  });

  after(() => {
    keepAliveAgent.destroy();
    const d = p.pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
    figure("k8s-releases-destroy-seconds", d.seconds.toFixed(1));
    assert.equal(d.code, 0, d.output);
    const ns = kubectl(["get", "namespace", namespace]);
    assert.notEqual(ns.code, 0, `the namespace is gone (dataRetention delete): ${ns.out}`);
    assert.match(ns.out, /NotFound/);
    const left = kubectl([
      "get",
      "all,configmaps,secrets,persistentvolumeclaims,networkpolicies,poddisruptionbudgets",
      "-n",
      namespace,
      "-o",
      "name",
    ]);
    assert.equal(left.out.trim(), "", "nothing of the namespace is left");
    const pvs = kubectl([
      "get",
      "persistentvolumes",
      "-o",
      "jsonpath={range .items[*]}{.spec.claimRef.namespace}{'\\n'}{end}",
    ]);
    assert.ok(!pvs.out.split("\n").includes(namespace), "no volume of the namespace is left");
    figure("k8s-releases-test-seconds", ((Date.now() - started) / 1000).toFixed(0));
  });

  it("deploys with blue active: all traffic blue", async () => {
    const up = p.pulumi(["up", "--yes", "--non-interactive", "--skip-preview"], 900);
    figure("k8s-up-seconds-bluegreen-cold", up.seconds.toFixed(1));
    assert.equal(up.code, 0, up.output);
    const s = await sample(target, 200);
    report(s);
    figure("k8s-deploy-blue-requests-ok", s.ok);
    figure("k8s-deploy-blue-requests-failed", s.failed);
    assert.equal(s.failed, 0);
    assert.deepEqual([...s.colours.keys()], ["blue"]);
  });

  it("updates the idle colour's image under load: zero failed, no traffic to it", async () => {
    fs.writeFileSync(p.stackFile, config({ active: "blue", blue: "1.0.0", green: "1.1.0" }));
    const r = await upUnderLoad(p);
    figures("idle-update", r);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /api-green\S* updated/);
    assert.equal(r.rollouts.rolled("gateway"), false, "the gateway does not roll");
    assert.equal(r.failed, 0);
    assert.ok(r.ok > 0);
    assert.deepEqual([...r.colours.keys()], ["blue"], "the idle colour gets no traffic");
  });

  it("splits 50/50 (blueGreen.weights): the gateway rolls with zero failed, then both get a share", async () => {
    fs.writeFileSync(
      p.stackFile,
      config({ active: "blue", blue: "1.0.0", green: "1.1.0", weights: { blue: 50, green: 50 } }),
    );
    const r = await upUnderLoad(p);
    figures("split", r);
    assert.equal(r.code, 0, r.output);
    assert.equal(r.rollouts.rolled("gateway"), true, "the weights roll the gateway");
    assert.equal(r.failed, 0);
    // 400 requests: were each a fair coin, a colour's count is 200 ± 10 (one standard
    // deviation); 160..240 is four of them (a false alarm about once in 16 000 runs). HAProxy's
    // roundrobin alternates, so a real split lands far closer.
    const n = 400;
    const s = await sample(target, n);
    report(s);
    const blue = s.colours.get("blue") ?? 0;
    const green = s.colours.get("green") ?? 0;
    figure("k8s-split-sample-blue", blue);
    figure("k8s-split-sample-green", green);
    figure("k8s-split-sample-failed", s.failed);
    assert.equal(s.failed, 0);
    assert.equal(blue + green, n);
    for (const c of [blue, green])
      assert.ok(c >= 0.4 * n && c <= 0.6 * n, `split ${blue}/${green}`);
  });

  it("switches fully to green with zero failed: then all green", async () => {
    fs.writeFileSync(p.stackFile, config({ active: "green", blue: "1.0.0", green: "1.1.0" }));
    const r = await upUnderLoad(p);
    figures("switch", r);
    assert.equal(r.code, 0, r.output);
    assert.equal(r.rollouts.rolled("gateway"), true);
    assert.equal(r.failed, 0);
    const s = await sample(target, 200);
    assert.equal(s.failed, 0);
    assert.deepEqual([...s.colours.keys()], ["green"]);
  });

  it("rolls back to blue with zero failed: then all blue", async () => {
    fs.writeFileSync(p.stackFile, config({ active: "blue", blue: "1.0.0", green: "1.1.0" }));
    const r = await upUnderLoad(p);
    figures("rollback", r);
    assert.equal(r.code, 0, r.output);
    assert.equal(r.rollouts.rolled("gateway"), true);
    assert.equal(r.failed, 0);
    const s = await sample(target, 200);
    assert.equal(s.failed, 0);
    assert.deepEqual([...s.colours.keys()], ["blue"]);
  });

  it("rolls an image update of the Deployment taking the traffic with zero failed", async () => {
    // Blue, active, from 1.0.0 to 1.1.0: its Deployment (2 replicas, maxSurge 1,
    // maxUnavailable 0) replaces its pods one at a time while every request goes to it, through
    // its Service, as a plain service's would; each answer names the version that served it.
    fs.writeFileSync(p.stackFile, config({ active: "blue", blue: "1.1.0", green: "1.1.0" }));
    const r = await upUnderLoad(p);
    figures("rolling-update", r);
    assert.equal(r.code, 0, r.output);
    assert.ok(r.rollouts.rolled("api-blue"), "api-blue rolled");
    assert.equal(r.rollouts.rolled("gateway"), false, "the gateway does not roll");
    assert.equal(r.failed, 0);
    assert.deepEqual([...r.colours.keys()], ["blue"]);
    figure("k8s-rolling-update-answers-1.0.0", r.versions.get("blue 1.0.0") ?? 0);
    figure("k8s-rolling-update-answers-1.1.0", r.versions.get("blue 1.1.0") ?? 0);
    const s = await sample(target, 100);
    assert.deepEqual([...s.versions.keys()], ["blue 1.1.0"]);
  });

  it("refuses a green failing its health check: the up fails, traffic stays on blue", async () => {
    fs.writeFileSync(p.stackFile, config({ active: "green", blue: "1.1.0", green: "broken" }));
    const r = await upUnderLoad(p, ["api-green"]);
    figures("broken-green", r);
    assert.notEqual(r.code, 0, "the switch must be refused");
    assert.match(r.output, /api-green/);
    assert.equal(r.rollouts.rolled("gateway"), false, "the gateway keeps its config");
    assert.equal(r.failed, 0);
    assert.deepEqual([...r.colours.keys()], ["blue"]);
    const s = await sample(target, 100);
    assert.deepEqual([...s.colours.keys()], ["blue"]);
  });

  it("prepares the releases: blue 1.1.0 live, green 1.1.0 idle, a migration, rows written", async () => {
    fs.writeFileSync(
      p.stackFile,
      config({ active: "blue", blue: "1.1.0", green: "1.1.0", migration: true }),
    );
    const up = p.pulumi(["up", "--yes", "--non-interactive", "--skip-preview"]);
    figure("k8s-release-prepare-up-seconds", up.seconds.toFixed(1));
    assert.equal(up.code, 0, up.output);
    for (let i = 0; i < 5; i++) {
      const post = kubectl([
        "exec",
        "-n",
        namespace,
        "deploy/api-blue",
        "--",
        "curl",
        "-fsS",
        "-X",
        "POST",
        "--data",
        `before-release-${i}`,
        "http://127.0.0.1:8080/rows",
      ]);
      assert.equal(post.code, 0, post.out);
    }
    assert.equal(sqlCount("rows"), 5);
    assert.equal(sqlCount("migrations"), 1, "the up ran blue's migration");
    const s = await sample(target, 40);
    assert.equal(s.failed, 0);
    assert.deepEqual([...s.versions.keys()], ["blue 1.1.0"]);
  });

  it("golive release: a good release goes through under load with zero failed, the switch running the migration", async () => {
    const r = await releaseUnderLoad(["--version", "1.2.0"]);
    const log = lastLog();
    releaseFigures("good", r, log);
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
    assert.match(log.steps.find((s) => s.name === "smoke")!.message!, /smoke passed on api-green/);
    assert.equal(r.failed, 0);
    assert.ok(r.ok > 50, `only ${r.ok} requests served`);
    assert.ok((r.versions.get("green 1.2.0") ?? 0) > 0, "green 1.2.0 served after the switch");
    assert.match(log.steps.find((s) => s.name === "switch")!.message!, /migration job ran/);
    assert.equal(sqlCount("migrations"), 2, "the switch ran green's migration");
    assert.ok(fs.statSync(path.join(folder(), log.files.dump)).size > 0);
    const after = await sample(target, 100);
    assert.equal(after.failed, 0);
    assert.deepEqual([...after.versions.keys()], ["green 1.2.0"]);
    assert.ok(!fs.existsSync(path.join(folder(), "lock")), "the lock is released");
    assert.equal(sqlCount("rows"), 5);
  });

  it("golive release: a release whose smoke test fails is rolled back, traffic never leaving green", async () => {
    const r = await releaseUnderLoad(["--version", "bad-smoke"]);
    const log = lastLog();
    releaseFigures("bad-smoke", r, log);
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
    assert.ok(r.ok > 0);
    assert.deepEqual([...r.colours.keys()], ["green"], "no request reached blue");
    assert.equal(sqlCount("migrations"), 2, "no migration ran");
    assert.equal(sqlCount("rows"), 5);
  });

  it("golive release: a release whose error rate rises in the watch window is rolled back, its dump restored", async () => {
    new SpecDocument(p.dir, stack).set([[["release", "plan", "split"], 50]]);
    const r = await releaseUnderLoad(["--version", "bad-errors"]);
    const log = lastLog();
    releaseFigures("bad-errors", r, log);
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
    const after = await sample(target, 100);
    assert.equal(after.failed, 0);
    assert.deepEqual([...after.versions.keys()], ["green 1.2.0"]);
    assert.equal(
      sqlCount("migrations"),
      2,
      "the restored dump has the migrations of before the release",
    );
    assert.equal(sqlCount("rows"), 5);
    new SpecDocument(p.dir, stack).set([[["release", "plan", "split"], undefined]]);
  });
});
