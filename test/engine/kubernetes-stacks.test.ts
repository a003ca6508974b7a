/**
 * The live stacks test: `pulumi up` through the policy pack, at the tier's enforcement, of the
 * staging stack and of VALERO's staging and production configs, in their offline form
 * (test/scenarios/k8s-*-offline.yaml: golive.local/ images, small requests, NodePorts; MongoDB and
 * Grafana are left out of them, having no offline image), on the real cluster of
 * scripts/kube-cluster.sh. For each, read back from the API: every Deployment and StatefulSet
 * rolled out and ready, the namespace enforcing PodSecurity `restricted`; then live checks, by
 * `kubectl exec` inside the namespace or from 127.0.0.1 to a NodePort: PostgreSQL answers, its
 * replica streams (and has a row written on the primary), pgBouncer proxies, Redis' persistence
 * (where a config has Redis), RabbitMQ's vhosts, users and queues, Prometheus' targets up and
 * rules loaded, Alertmanager ready, the gateway serving `/health` over TLS with the domain's SNI
 * (HTTP redirecting) and the app behind it.
 *
 * Lifecycle, on the staging stack: a second `up --expect-no-changes` passes; `destroy` leaves only
 * the claims the spec retains, and the namespace holding them (dataRetention "retain"); an `up`
 * killed with SIGKILL once objects exist converges with a plain `up` (the provider creates by
 * server-side apply: no import step), then changes nothing. PodSecurity: a stack with a privileged
 * service and no pack fails its `up` with the API's refusal, and no pod of it runs.
 *
 * The stacks run one after another, each destroyed before the next (their requests together do
 * not fit the 2-core cluster); every stack's namespace is deleted at the end, so the cluster is
 * left as found. Run under the cluster lock: flock /tmp/golive-cluster.lock node --import tsx --test …
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { stackOutputs, type LiveEnvironment, type LiveSecrets } from "../../policies/lib/contract";
import type { CheckId } from "../../report/checklist/checks";
import { liveChecks, runChecks, type CheckContext } from "../../report/checks";
import { parseResults } from "../../report/results";
import { figure, Project, repo } from "./harness";
import {
  cluster,
  controllers,
  deleteNamespace,
  eventually,
  execIn,
  execOk,
  getFromPod,
  getJson,
  items,
  kubectl,
  kubectlOk,
  nodePortGet,
  waitRollout,
} from "./kube";

interface Stack {
  /** The scenario file under test/scenarios (without .yaml), also the work folder's name. */
  readonly scenario: string;
  readonly tier: "staging" | "production";
  readonly namespace: string;
  readonly domain: string;
  readonly nodePorts: { http: number; https: number };
  /** The public service behind the gateway, and whether it reads PostgreSQL (GET /rows). */
  readonly app: string;
  readonly appReadsPostgres: boolean;
  /** RabbitMQ's topology from the spec, where it has RabbitMQ. */
  readonly rabbitmq?: { vhosts: string[]; users: string[]; queues: string[] };
}

const stacks: readonly Stack[] = [
  {
    scenario: "k8s-staging-offline",
    tier: "staging",
    namespace: "golive-staging",
    domain: "staging.example.com",
    nodePorts: { http: 30080, https: 30443 },
    app: "api",
    appReadsPostgres: true,
  },
  {
    scenario: "k8s-valero-staging-offline",
    tier: "staging",
    namespace: "valero-staging",
    domain: "staging.valero.example",
    nodePorts: { http: 31080, https: 31443 },
    app: "api-gateway",
    appReadsPostgres: false,
    rabbitmq: {
      vhosts: ["valero"],
      users: ["valero-app"],
      queues: ["erp-commands", "erp-events"],
    },
  },
  {
    scenario: "k8s-valero-production-offline",
    tier: "production",
    namespace: "valero-production",
    domain: "erp.valero.example",
    nodePorts: { http: 32080, https: 32443 },
    app: "api-gateway",
    appReadsPostgres: false,
    rabbitmq: {
      vhosts: ["valero"],
      users: ["valero-app"],
      queues: ["erp-commands", "erp-events"],
    },
  },
];

/** The PodSecurity stack: one privileged service, no pack, in a namespace of its own. */
const psaNamespace = "golive-psa-refused";
const psaConfig = `config:
  golive:environment:
    runtime: kubernetes
    tier: dev
    imageRegistry: golive.local/
    kubernetes:
      namespace: ${psaNamespace}
    gateway:
      domain: psa.example.com
      proxy: haproxy
      image: haproxy:2.6
      tls: { source: internal }
    services:
      privileged:
        image: app:1.0.0
        ports: [{ name: http, port: 8080, public: true }]
        resources: { limits: { cpu: "100m", memory: 64Mi } }
        securityContext: { privileged: true }
`;

const upSeconds = 600;
const upArgs = (tier: string) => [
  "up",
  "--yes",
  "--non-interactive",
  "--skip-preview",
  "--policy-pack",
  "policies",
  "--policy-pack-config",
  `policies/config/${tier}.json`,
];
const destroyArgs = ["destroy", "--yes", "--non-interactive", "--skip-preview"];

function project(name: string, stack: string, config: string): Project {
  const p = new Project(name, stack, config);
  p.env.KUBECONFIG = cluster().kubeconfig;
  return p;
}

function scenarioText(s: Stack): string {
  return fs.readFileSync(path.join(repo, "test", "scenarios", `${s.scenario}.yaml`), "utf8");
}

/** The value of an environment variable in a running pod. */
function podEnv(ns: string, target: string, name: string): string {
  return execOk(ns, target, ["printenv", name]);
}

/** psql inside a PostgreSQL pod over TCP to itself (or `host`), as the stack's superuser. */
function psql(ns: string, pod: string, sql: string, db = "postgres"): string {
  return execOk(ns, pod, [
    "sh",
    "-c",
    'PGPASSWORD="$POSTGRES_PASSWORD" PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -U "$POSTGRES_USER" -d "$1" -XAtq -c "$2"',
    "psql",
    db,
    sql,
  ]);
}

/** The Diagnostics section of a pulumi run's output (else its tail). */
function diagnostics(output: string): string {
  const at = output.indexOf("Diagnostics:");
  return (at >= 0 ? output.slice(at) : output).slice(0, 20000);
}

/** Ends the processes whose working folder is `dir` (a killed up's plugins); returns how many. */
function killOrphans(dir: string): number {
  let n = 0;
  for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/cwd`) === dir) {
        process.kill(Number(pid), "SIGKILL");
        n++;
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return n;
}

/** Leftovers of a previous run in the namespaces this test makes. */
async function clean(): Promise<void> {
  for (const ns of [...stacks.map((s) => s.namespace), psaNamespace]) {
    await deleteNamespace(ns);
  }
}

/** Every object golive made in the namespace, by kind/name (what destroy must remove). */
function namespacedObjects(ns: string): string[] {
  const kinds =
    "deployments,statefulsets,replicasets,pods,services,secrets,configmaps,networkpolicies,poddisruptionbudgets,jobs,persistentvolumeclaims";
  const r = kubectl(["get", kinds, "-n", ns, "-o", "name"]);
  assert.equal(r.code, 0, r.stderr);
  return (
    r.stdout
      .split("\n")
      .filter((l) => l !== "")
      // The API server's own objects in every namespace, not golive's.
      .filter((l) => l !== "configmap/kube-root-ca.crt")
      .sort()
  );
}

/** Up, ready, PodSecurity and the live checks of one stack; returns its Project. */
function liveStack(s: Stack, state: { p?: Project }): void {
  it(`${s.scenario}: a cold up through the ${s.tier} pack deploys it`, async () => {
    // One stack at a time on the 2-core cluster, even after an earlier test failed midway.
    for (const other of stacks.filter((o) => o !== s)) await deleteNamespace(other.namespace);
    const p = project(s.scenario, s.tier, scenarioText(s));
    state.p = p;
    const up = p.pulumi(upArgs(s.tier), upSeconds);
    figure(`up-seconds-${s.scenario}-cold`, up.seconds.toFixed(1));
    assert.equal(up.code, 0, up.output.slice(-20000));
    assert.match(up.output, /Policies:/);
    assert.doesNotMatch(up.output, /\[mandatory\]/, "no mandatory finding");
  });

  it(`${s.scenario}: every Deployment and StatefulSet is ready, read back from the API`, () => {
    const list = controllers(s.namespace);
    figure(`${s.scenario}-controllers`, list.length);
    assert.ok(
      list.length >= 8,
      `the stack's controllers exist (${list.map((c) => c.name).join(",")})`,
    );
    for (const c of ["StatefulSet/postgres", "StatefulSet/postgres-replica-1"]) {
      assert.ok(
        list.some((l) => l.name === c),
        `${c} exists`,
      );
    }
    assert.deepEqual(
      list.filter((c) => !c.ready).map((c) => `${c.name}: ${c.status}`),
      [],
      "not ready",
    );
  });

  it(`${s.scenario}: the namespace enforces PodSecurity restricted`, () => {
    const ns = getJson<{ metadata: { labels: Record<string, string> } }>([
      "namespace",
      s.namespace,
    ]);
    assert.equal(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
    // Admission enforces it: a privileged pod in this namespace is refused by a dry run.
    const probe = kubectl(["apply", "--dry-run=server", "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "psa-probe", namespace: s.namespace },
        spec: {
          containers: [
            { name: "c", image: "golive.local/app:1.0.0", securityContext: { privileged: true } },
          ],
        },
      }),
    });
    assert.notEqual(probe.code, 0, "a privileged pod is admitted");
    assert.match(probe.stderr, /violates PodSecurity "restricted:v1\.33"/);
  });

  it(`${s.scenario}: PostgreSQL answers, its replica streams and has what the primary wrote`, async () => {
    const ns = s.namespace;
    assert.equal(psql(ns, "postgres-0", "select 1"), "1");
    assert.equal(psql(ns, "postgres-0", "select pg_is_in_recovery()"), "f");
    const streaming = await eventually(
      60,
      () =>
        psql(ns, "postgres-0", "select application_name || ':' || state from pg_stat_replication"),
      (v) => /:streaming/.test(v),
    );
    figure(`${s.scenario}-pg-stat-replication`, streaming.replace(/\n/g, ","));
    assert.match(streaming, /:streaming/, "pg_stat_replication shows a streaming replica");
    const mark = `live-${Date.now()}`;
    psql(
      ns,
      "postgres-0",
      `create table if not exists live_check(v text); insert into live_check values ('${mark}')`,
    );
    const seen = await eventually(
      30,
      () => {
        const r = execIn(ns, "postgres-replica-1-0", [
          "sh",
          "-c",
          'PGPASSWORD="$POSTGRES_PASSWORD" psql -h 127.0.0.1 -U "$POSTGRES_USER" -d postgres -XAtq -c "$1"',
          "psql",
          `select count(*) from live_check where v = '${mark}'`,
        ]);
        return r.code === 0 ? r.stdout.trim() : r.stderr;
      },
      (v) => v === "1",
    );
    assert.equal(seen, "1", "the row written on the primary is read on the replica");
    assert.equal(psql(ns, "postgres-replica-1-0", "select pg_is_in_recovery()"), "t");
  });

  it(`${s.scenario}: pgBouncer proxies the app's connection to PostgreSQL`, () => {
    const ns = s.namespace;
    // The credentials of a service that depends on PostgreSQL, through the pgbouncer Service.
    const app = s.appReadsPostgres ? `deploy/${s.app}` : "deploy/fibu-service";
    const host = podEnv(ns, app, "DATABASE_HOST");
    assert.equal(host, "pgbouncer");
    const [port, user, db, password] = [
      "DATABASE_PORT",
      "DATABASE_USER",
      "DATABASE_NAME",
      "DATABASE_PASSWORD",
    ].map((n) => podEnv(ns, app, n));
    const r = execOk(ns, "postgres-0", [
      "sh",
      "-c",
      'PGPASSWORD="$1" PGCONNECT_TIMEOUT=5 psql -h pgbouncer -p "$2" -U "$3" -d "$4" -XAtq -c "select current_user || \'@\' || current_database()"',
      "psql",
      password,
      port,
      user,
      db,
    ]);
    assert.equal(r, `${user}@${db}`);
  });

  it(`${s.scenario}: Redis keeps its data (appendonly, save) where the config has Redis`, (t) => {
    const redis = controllers(s.namespace).find((c) => /\/redis$/.test(c.name));
    if (!redis) {
      t.diagnostic(`${s.scenario} has no Redis`);
      return;
    }
    const get = (key: string) =>
      execOk(
        s.namespace,
        redis.name.replace(/^StatefulSet/, "sts").replace(/^Deployment/, "deploy"),
        [
          "sh",
          "-c",
          'redis-cli --no-auth-warning -a "$(sed -n "s/^requirepass //p" /usr/local/etc/redis/golive-auth.conf)" CONFIG GET "$1"',
          "redis-cli",
          key,
        ],
      );
    assert.match(get("appendonly"), /appendonly\nyes/);
    assert.match(get("save"), /save\n\S+/);
  });

  if (s.rabbitmq) {
    const rabbit = s.rabbitmq;
    it(`${s.scenario}: RabbitMQ has the spec's vhosts, users and queues`, () => {
      const ns = s.namespace;
      const ctl = (...args: string[]) =>
        execOk(ns, "rabbitmq-0", ["rabbitmqctl", "-q", "--no-table-headers", ...args], {
          timeoutSeconds: 60,
        });
      const vhosts = ctl("list_vhosts", "name")
        .split("\n")
        .map((l) => l.trim());
      for (const v of rabbit.vhosts)
        assert.ok(vhosts.includes(v), `vhost ${v} (${vhosts.join(",")})`);
      const users = ctl("list_users")
        .split("\n")
        .map((l) => l.split(/\s+/)[0]);
      for (const u of rabbit.users) assert.ok(users.includes(u), `user ${u} (${users.join(",")})`);
      assert.ok(!users.includes("guest"), "no guest user");
      for (const v of rabbit.vhosts) {
        const queues = ctl("list_queues", "-p", v, "name", "type")
          .split("\n")
          .map((l) => l.trim().split(/\s+/));
        figure(`${s.scenario}-rabbitmq-queues-${v}`, queues.map((q) => q.join(":")).join(","));
        for (const q of rabbit.queues) {
          assert.ok(
            queues.some(([name]) => name === q),
            `queue ${q} in ${v} (${queues.join(",")})`,
          );
        }
      }
    });
  }

  it(`${s.scenario}: Prometheus has every target up and golive's rules loaded; Alertmanager is ready`, async () => {
    const ns = s.namespace;
    const from = `deploy/${s.app}`;
    type Target = { labels: { job: string }; health: string; lastError: string };
    const targets = await eventually(
      90,
      () => getFromPod(ns, from, "http://prometheus:9090/api/v1/targets?state=active"),
      (r) => {
        const active = (r.json?.data?.activeTargets ?? []) as Target[];
        return active.length > 0 && active.every((t) => t.health === "up");
      },
    );
    const active = (targets.json?.data?.activeTargets ?? []) as Target[];
    const summary = active.map(
      (t) => `${t.labels.job}=${t.health}${t.lastError ? ` (${t.lastError})` : ""}`,
    );
    figure(`${s.scenario}-prometheus-targets`, summary.join(","));
    assert.ok(active.length > 0, `Prometheus answers with targets (${targets.body.slice(0, 500)})`);
    for (const job of ["postgres-exporter", "postgres-replica-1-exporter", "node-exporter"]) {
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
    const rules = getFromPod(ns, from, "http://prometheus:9090/api/v1/rules");
    const groups = (rules.json?.data?.groups ?? []) as {
      name: string;
      rules: { name: string }[];
    }[];
    const golive = groups.find((g) => g.name === "golive");
    assert.ok(golive, `golive's rule group is loaded (${groups.map((g) => g.name).join(",")})`);
    const alerts = golive.rules.map((r) => r.name);
    figure(`${s.scenario}-prometheus-alert-rules`, alerts.length);
    for (const a of ["ServiceDown", "PostgresReplicaLag", "DiskSpaceLow"]) {
      assert.ok(alerts.includes(a), `alert rule ${a} loaded (${alerts.join(",")})`);
    }
    const am = getFromPod(ns, from, "http://alertmanager:9093/-/ready");
    assert.equal(am.status, 200, `Alertmanager is ready (${am.body})`);
  });

  it(`${s.scenario}: the gateway serves /health over TLS on its NodePort, HTTP redirects, the app answers behind it`, async () => {
    const tls = { port: s.nodePorts.https, domain: s.domain, tls: true };
    const health = await eventually(
      30,
      () => nodePortGet({ ...tls, path: "/health" }),
      (r) => r.status === 200,
    );
    assert.equal(health.status, 200, health.body);
    assert.equal(JSON.parse(health.body).status, "ok", "the app's own health answer");
    const plain = await nodePortGet({
      port: s.nodePorts.http,
      domain: s.domain,
      path: "/health",
      tls: false,
    });
    assert.ok([301, 302, 307, 308].includes(plain.status), `HTTP redirects (got ${plain.status})`);
    assert.equal(plain.headers.location, `https://${s.domain}/health`);
    if (s.appReadsPostgres) {
      const rows = await nodePortGet({ ...tls, path: "/rows" });
      assert.equal(rows.status, 200, `GET /rows through gateway, app, pgBouncer: ${rows.body}`);
      assert.equal(typeof JSON.parse(rows.body).rows, "number");
    }
  });
}

/**
 * `golive verify` on a deployed stack, as a user runs it (cli/golive.cjs, in the project's
 * environment: its backend, the cluster's kubeconfig, the cluster's kubectl), then one thing
 * broken: the replica scaled to 0 fails replication and workload health with what was seen.
 */
function verifyStack(s: Stack, state: { p?: Project }): void {
  /** The checks that apply to the staging stack, each reached on the cluster and passing. */
  const passing: readonly CheckId[] = [
    "engine-version",
    "service-healthy",
    "gateway-health",
    "tls-certificate",
    "cors",
    "postgres-ready",
    "postgres-replication",
    "postgres-wal-archive",
    "postgres-backup",
    "pgbouncer",
    "prometheus-targets",
    "host-resources",
  ];
  let ctx: CheckContext;
  const check = async (id: CheckId) => (await runChecks(ctx, () => {}, [id]))[0];

  it(`${s.scenario}: golive verify runs every check on the cluster; those that apply pass`, async () => {
    const p = state.p!;
    for (const d of ["report", "cli"]) {
      if (!fs.existsSync(path.join(p.dir, d)))
        fs.symlinkSync(path.join(repo, d), path.join(p.dir, d));
    }
    process.env.KUBECONFIG = cluster().kubeconfig;
    const o = p.pulumi(["stack", "output", "--json", "--show-secrets"]);
    assert.equal(o.code, 0, o.output);
    const outputs = JSON.parse(o.output) as Record<string, unknown>;
    const env = outputs[stackOutputs.environment] as LiveEnvironment;
    assert.deepEqual(env.kubernetes, { namespace: s.namespace });
    ctx = {
      env,
      secrets: outputs[stackOutputs.secrets] as LiveSecrets,
      minCertDays: 30,
      restoreDrillDays: 30,
      runRestoreDrill: false,
      now: new Date(),
    };
    // The stack settles: the first base backup and archived WAL there, every target scraped.
    for (const id of ["postgres-backup", "postgres-wal-archive", "prometheus-targets"] as const) {
      const r = await eventually(
        120,
        () => check(id),
        (v) => v.status === "pass",
      );
      figure(`${s.scenario}-settle-${id}`, `${r.status} ${r.seconds}`);
    }
    const file = path.join(p.dir, "results.json");
    const start = Date.now();
    const r = spawnSync(
      process.execPath,
      [
        path.join(repo, "cli", "golive.cjs"),
        "verify",
        s.tier,
        "--dir",
        p.dir,
        "--policy-config",
        path.join(repo, "policies", "config", `${s.tier}.json`),
        "--results",
        file,
      ],
      { cwd: repo, env: { ...p.env, GOLIVE_PROGRESS: "1" }, encoding: "utf8", timeout: 600_000 },
    );
    figure(`${s.scenario}-golive-verify-seconds`, ((Date.now() - start) / 1000).toFixed(1));
    process.stdout.write(r.stderr);
    assert.ok(fs.existsSync(file), `verify wrote its results: ${r.stderr}${r.stdout}`);
    const results = parseResults(fs.readFileSync(file, "utf8"), file);
    assert.equal(r.stderr.match(/^\[\s*\d+\/\d+\] /gm)?.length, liveChecks.length, r.stderr);
    assert.ok(results.gates.read, "the preview's policy events were read");
    const by = new Map(results.checks.map((c) => [c.checkId, c]));
    const counts = { pass: 0, fail: 0, unknown: 0, skipped: 0 };
    for (const c of results.checks) counts[c.status]++;
    figure(`${s.scenario}-verify-checks`, JSON.stringify(counts));
    for (const id of passing) {
      const c = by.get(id)!;
      assert.equal(c.status, "pass", `${id}: ${c.message}`);
    }
    assert.match(by.get("service-healthy")!.message, /^\d+ pods of \d+ workloads running/);
    assert.match(by.get("engine-version")!.message, /^Kubernetes API server v1\.\d+/);
    assert.match(
      by.get("postgres-replication")!.message,
      /^\S+ streaming lag \d+\.\d s \(threshold \d+ s\)$/,
    );
    assert.match(by.get("pgbouncer")!.message, /^pgBouncer answered as \S+@\S+$/);
    assert.match(
      by.get("tls-certificate")!.message,
      new RegExp(`certificate for ${s.domain}.*HTTP redirects to HTTPS`),
    );
    // What the staging spec does not have is skipped, not passed.
    for (const id of ["redis-config", "rabbitmq-config", "gpu-visible"] as const)
      assert.equal(by.get(id)!.status, "skipped", `${id}: ${by.get(id)!.message}`);
    // No drill was run on this stack: its absence is a failure, not a pass.
    assert.equal(by.get("restore-drill")!.status, "fail");
    assert.match(by.get("restore-drill")!.message, /^no restore drill recorded/);
    // Alertmanager is reached and judged (whether an alert fires on a fresh cluster is its own).
    assert.notEqual(
      by.get("alerts-none-firing")!.status,
      "unknown",
      by.get("alerts-none-firing")!.message,
    );
    assert.match(by.get("alerts-none-firing")!.message, /^receiver \S+ \(webhook_configs\)/);
  });

  it(`${s.scenario}: the replica scaled to 0 fails replication and workload health, saying so`, async () => {
    const ns = s.namespace;
    kubectlOk(["scale", "-n", ns, "sts/postgres-replica-1", "--replicas=0"]);
    try {
      const r = await eventually(
        60,
        () => check("postgres-replication"),
        (v) => v.status === "fail",
      );
      figure(`${s.scenario}-replica-down-replication`, JSON.stringify(r.message));
      assert.equal(r.status, "fail", r.message);
      assert.match(
        r.message,
        /^0 of 1 replicas streaming .*expected every replica streaming from its slot/,
      );
      const health = await eventually(
        60,
        () => check("service-healthy"),
        (v) => /postgres-replica-1: no pod/.test(v.message),
      );
      assert.equal(health.status, "fail");
      assert.match(health.message, new RegExp(`postgres-replica-1: no pod in namespace ${ns}`));
      const ready = await check("postgres-ready");
      assert.equal(ready.status, "fail");
      assert.match(ready.message, /postgres-replica-1: /);
    } finally {
      kubectlOk(["scale", "-n", ns, "sts/postgres-replica-1", "--replicas=1"]);
    }
    assert.equal(waitRollout(ns, "sts/postgres-replica-1", 180).code, 0);
    const back = await eventually(
      90,
      () => check("postgres-replication"),
      (v) => v.status === "pass",
    );
    assert.equal(back.status, "pass", back.message);
  });
}

describe("golive's stacks on a real cluster", { timeout: 40 * 60_000 }, () => {
  before(async () => {
    cluster();
    await clean();
  });

  after(async () => {
    await clean();
  });

  const staging = stacks[0];
  const state: { p?: Project } = {};
  describe(staging.scenario, () => {
    liveStack(staging, state);
    verifyStack(staging, state);

    it(`${staging.scenario}: a second up changes nothing`, () => {
      const up = state.p!.pulumi([...upArgs(staging.tier), "--expect-no-changes"], upSeconds);
      figure(`up-seconds-${staging.scenario}-noop`, up.seconds.toFixed(1));
      assert.equal(up.code, 0, up.output.slice(-20000));
    });

    it(`${staging.scenario}: destroy leaves only the retained claims and the namespace holding them`, () => {
      const p = state.p!;
      const ns = staging.namespace;
      const claims = items<{ metadata: { name: string } }>("persistentvolumeclaims", ns)
        .map((c) => c.metadata.name)
        .sort();
      // What the spec retains: the StatefulSets' data templates (PostgreSQL, the replica,
      // Prometheus) and the Deployments' retained claims (the WAL archive, the backups).
      const exported = JSON.parse(p.pulumi(["stack", "export"]).output) as {
        deployment: {
          resources: {
            type: string;
            retainOnDelete?: boolean;
            outputs?: {
              metadata?: { name?: string };
              spec?: {
                volumeClaimTemplates?: { metadata: { name: string } }[];
                persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string };
                replicas?: number;
              };
            };
          }[];
        };
      };
      const resources = exported.deployment.resources;
      const retained = [
        ...resources
          .filter((r) => r.type === "kubernetes:core/v1:PersistentVolumeClaim" && r.retainOnDelete)
          .map((r) => String(r.outputs?.metadata?.name)),
        ...resources
          .filter(
            (r) =>
              r.type === "kubernetes:apps/v1:StatefulSet" &&
              r.outputs?.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === "Retain",
          )
          .flatMap((r) =>
            (r.outputs?.spec?.volumeClaimTemplates ?? []).flatMap((t) =>
              Array.from(
                { length: r.outputs?.spec?.replicas ?? 1 },
                (_, i) => `${t.metadata.name}-${r.outputs?.metadata?.name}-${i}`,
              ),
            ),
          ),
      ].sort();
      figure(`${staging.scenario}-claims`, claims.length);
      figure(`${staging.scenario}-claims-retained`, retained.length);
      assert.ok(
        retained.includes("data-postgres-0"),
        `PostgreSQL's data is retained (${retained.join(",")})`,
      );
      assert.ok(
        claims.length > retained.length,
        `some claims are not retained (${claims.join(",")})`,
      );
      const d = p.pulumi(destroyArgs, upSeconds);
      figure(`destroy-seconds-${staging.scenario}`, d.seconds.toFixed(1));
      assert.equal(d.code, 0, d.output.slice(-20000));
      const ownerless = namespacedObjects(ns);
      assert.deepEqual(
        ownerless,
        retained.map((c) => `persistentvolumeclaim/${c}`),
        "exactly the retained claims are left",
      );
      const left = getJson<{ metadata: { labels: Record<string, string> } }>(["namespace", ns]);
      assert.equal(left.metadata.labels["app.kubernetes.io/managed-by"], "golive");
    });

    it(`${staging.scenario}: an up killed midway converges with a plain up, then changes nothing`, async () => {
      // A fresh start: the retained data would hold the destroyed stack's passwords.
      await deleteNamespace(staging.namespace);
      const p = project(`${staging.scenario}-killed`, staging.tier, scenarioText(staging));
      state.p = p;
      const child = spawn("pulumi", upArgs(staging.tier), {
        cwd: p.dir,
        env: p.env,
        detached: true,
        stdio: "ignore",
      });
      // Kill the whole process group (engine, language host, providers) once objects exist.
      const start = Date.now();
      let seen = 0;
      while (Date.now() - start < 180_000) {
        const r = kubectl([
          "get",
          "deployments,statefulsets",
          "-n",
          staging.namespace,
          "-o",
          "name",
        ]);
        seen = r.code === 0 ? r.stdout.split("\n").filter((l) => l !== "").length : 0;
        if (seen >= 3) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      process.kill(-child.pid!, "SIGKILL");
      await new Promise((r) => child.on("close", r));
      // The plugins run in process groups of their own and outlive the killed engine: end the
      // ones this up started (their working folder is the project's).
      figure(`${staging.scenario}-killed-orphan-plugins`, killOrphans(p.dir));
      figure(`${staging.scenario}-killed-after-controllers`, seen);
      assert.ok(seen >= 3, "the killed up had created controllers");
      // The file backend keeps the killed update's lock; an operator cancels it (what
      // scripts/recover.sh does first). No import: the provider applies what exists.
      const cancel = p.pulumi(["cancel", "--yes", "--non-interactive"]);
      process.stdout.write(cancel.output);
      const again = p.pulumi(upArgs(staging.tier), upSeconds);
      figure(`up-seconds-${staging.scenario}-after-kill`, again.seconds.toFixed(1));
      fs.writeFileSync(path.join(p.dir, "up-after-kill.log"), again.output);
      assert.equal(again.code, 0, diagnostics(again.output));
      assert.deepEqual(
        controllers(staging.namespace).filter((c) => !c.ready),
        [],
        "every controller is ready after the recovery",
      );
      const noop = p.pulumi([...upArgs(staging.tier), "--expect-no-changes"], upSeconds);
      assert.equal(noop.code, 0, noop.output.slice(-20000));
      const d = p.pulumi(destroyArgs, upSeconds);
      assert.equal(d.code, 0, d.output.slice(-20000));
    });
  });

  for (const s of stacks.slice(1)) {
    const st: { p?: Project } = {};
    describe(s.scenario, () => {
      liveStack(s, st);
      it(`${s.scenario}: destroy, then the retained leftovers removed`, async () => {
        const d = st.p!.pulumi(destroyArgs, upSeconds);
        figure(`destroy-seconds-${s.scenario}`, d.seconds.toFixed(1));
        assert.equal(d.code, 0, d.output.slice(-20000));
        assert.deepEqual(
          namespacedObjects(s.namespace).filter((o) => !o.startsWith("persistentvolumeclaim/")),
          [],
          "only claims are left",
        );
        await deleteNamespace(s.namespace);
      });
    });
  }

  describe("PodSecurity", () => {
    it("a privileged golive pod is refused by admission: its controller never gets a pod, the up does not succeed", async () => {
      const p = project("k8s-psa-refused", "dev", psaConfig);
      // No policy pack: workload-disallow-privileged would refuse it at preview; here admission
      // must. The provider waits for the Deployment's readiness and does not stop at a refused
      // pod (pulumi/pulumi-kubernetes#191, "Deployment awaiters do not use FailedCreate"), so the
      // refusal is read off the API, then the up is interrupted (bounded) and must have failed.
      const start = process.hrtime.bigint();
      const child = spawn("pulumi", ["up", "--yes", "--non-interactive", "--skip-preview"], {
        cwd: p.dir,
        env: p.env,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (c: Buffer) => (output += c.toString()));
      child.stderr.on("data", (c: Buffer) => (output += c.toString()));
      const exited = new Promise<number>((resolve) =>
        child.on("close", (code) => resolve(code ?? -1)),
      );
      type Condition = { type: string; status: string; message?: string };
      const refusal = await eventually(
        180,
        () => {
          const r = kubectl(["get", "deployment", "privileged", "-n", psaNamespace, "-o", "json"]);
          if (r.code !== 0) return "";
          const d = JSON.parse(r.stdout) as { status?: { conditions?: Condition[] } };
          return (
            (d.status?.conditions ?? []).find(
              (c) => c.type === "ReplicaFailure" && c.status === "True",
            )?.message ?? ""
          );
        },
        (m) => m !== "",
      );
      figure("psa-refused-seconds", (Number(process.hrtime.bigint() - start) / 1e9).toFixed(1));
      figure("psa-refusal", JSON.stringify(refusal));
      assert.match(refusal, /violates PodSecurity "restricted:v1\.33"/);
      assert.match(refusal, /privileged/);
      const pods = items<{ metadata: { name: string } }>("pods", psaNamespace).map(
        (x) => x.metadata.name,
      );
      assert.deepEqual(
        pods.filter((n) => n.startsWith("privileged")),
        [],
        "no pod of the privileged service exists",
      );
      // Interrupt the waiting up as an operator would (Ctrl-C: the engine cancels cleanly).
      process.kill(-child.pid!, "SIGINT");
      const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 60_000);
      const code = await exited;
      clearTimeout(timer);
      figure("psa-up-exit", code);
      assert.notEqual(
        code,
        0,
        `the up of a privileged service must not succeed:\n${output.slice(-5000)}`,
      );
      assert.doesNotMatch(output, /privileged-deployment created/);
      // Whether the engine's own output names the refusal (it waits instead, see above).
      figure("psa-refusal-in-up-output", /violates PodSecurity/.test(output) ? "yes" : "no");
      p.pulumi(["cancel", "--yes", "--non-interactive"]);
      const d = p.pulumi(destroyArgs, upSeconds);
      assert.equal(d.code, 0, d.output.slice(-20000));
    });
  });
});
