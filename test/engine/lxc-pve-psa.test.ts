/**
 * A PSA-Platform subset (seed 003) through the policy pack and `pulumi up` on the faithful Proxmox
 * node of test/lxc/pve, on real unprivileged containers, and its releases:
 *
 * - PostgreSQL with pgBouncer, Redis, RabbitMQ, Prometheus with Alertmanager and the exporters,
 *   each from Debian's packages as golive sets them up, and the live checks of the Docker
 *   end-to-end test against them;
 * - the app, blue/green, on Debian 13 for Node.js 20, its code a release artefact the containers
 *   fetch from a repository on the bridge and check against its SHA-256; its migration runs in
 *   the live colour's container before that colour starts;
 * - a boot of every container (`pvesh create /nodes/pve/startall`) starts them in golive's order:
 *   the databases before the apps before the gateway;
 * - a blue/green switch and its rollback under bounded load through the gateway, with zero
 *   failed requests;
 * - `golive release` (cli/golive.cjs, staging's pack config) under the same load: a good release
 *   (its pre-release dump, the new colour's smoke test and migration, the watch window on
 *   Prometheus, golive verify) with zero failed requests, and a release whose smoke test fails,
 *   rolled back with traffic never leaving the live colour; the rows of before them kept;
 * - an `up` killed midway converges; destroy leaves no container and the node nothing behind.
 *
 * Fifteen containers on a 2-core machine, everything sized small. The one waiver: a colour runs
 * one container (replicas per colour on LXC are not built).
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import YAML from "yaml";
import type { ReleaseLog } from "../../release/log";
import { parseResults } from "../../report/results";
import { figure, Project, repo } from "./harness";
import { count, newLoad, report, request, sample, upUnderLoad, type Target } from "./load";
import { PveNode } from "./pve-node";

const node = new PveNode(path.join(repo, "test", ".work", "pve-psa-node"), 22026);
const at = (id: number) => `${node.subnet}.${id}`;
const ids = {
  gateway: 200,
  postgres: 210,
  "postgres-exporter": 211,
  pgbouncer: 212,
  "postgres-replica-1": 213,
  "postgres-replica-1-exporter": 214,
  "postgres-backup": 215,
  redis: 220,
  "redis-exporter": 221,
  rabbitmq: 230,
  "node-exporter": 240,
  alertmanager: 241,
  prometheus: 242,
  "api-blue": 250,
  "api-green": 251,
} as const;
const domain = "psa.example.com";
const versions = ["1.0.0", "1.1.0"] as const;
/** What `golive release` releases: a good version, and one whose smoke test fails (FAIL_PATHS). */
const releases = { good: "1.2.0", bad: "1.3.0-bad" } as const;
const repoPort = 8081;
const receiverPort = 8082;
const trixie = "local:vztmpl/debian-13-standard_13.1-2_amd64.tar.zst";

/**
 * The app: its version from the release's VERSION file, its colour from golive's APP_COLOR; every
 * request counted by status and duration in the metrics golive's alert rules and release watch
 * read (http_requests_total, http_request_duration_seconds); the paths in the release's FAIL_PATHS
 * file, if it has one, answer 500 (a version that fails its smoke test, its health check passing).
 */
const serverJs = `const fs = require("fs");
const http = require("http");
const version = fs.readFileSync("VERSION", "utf8").trim();
const failPaths = fs.existsSync("FAIL_PATHS") ? fs.readFileSync("FAIL_PATHS", "utf8").split("\\n").filter(Boolean) : [];
const requests = {};
const les = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const buckets = les.map(() => 0);
const duration = { sum: 0, count: 0 };
function observe(status, seconds) {
  requests[status] = (requests[status] || 0) + 1;
  les.forEach((le, i) => { if (seconds <= le) buckets[i]++; });
  duration.sum += seconds;
  duration.count++;
}
function metrics() {
  return ["psa_api_up 1", "# TYPE http_requests_total counter"]
    .concat(Object.keys(requests).sort().map((s) => 'http_requests_total{status="' + s + '"} ' + requests[s]))
    .concat(["# TYPE http_request_duration_seconds histogram"])
    .concat(les.map((le, i) => 'http_request_duration_seconds_bucket{le="' + le + '"} ' + buckets[i]))
    .concat(['http_request_duration_seconds_bucket{le="+Inf"} ' + duration.count])
    .concat(["http_request_duration_seconds_sum " + duration.sum, "http_request_duration_seconds_count " + duration.count])
    .join("\\n") + "\\n";
}
http
  .createServer((req, res) => {
    const started = process.hrtime.bigint();
    res.on("finish", () => observe(res.statusCode, Number(process.hrtime.bigint() - started) / 1e9));
    if (req.url === "/metrics") {
      res.writeHead(200, { "Content-Type": "text/plain" });
      return res.end(metrics());
    }
    if (failPaths.includes(req.url)) {
      res.writeHead(500, { "Content-Type": "application/json" });
      return res.end(JSON.stringify({ error: "FAIL_PATHS", path: req.url, version }));
    }
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ color: process.env.APP_COLOR, version, node: process.version, cwd: process.cwd() }));
  })
  .listen(8080);
`;

/** The migration: records the release it migrated to, once, with the time it ran. */
const migrateSh = `set -eu
v=$(cat VERSION)
PGPASSWORD="$DATABASE_PASSWORD" psql -X -v ON_ERROR_STOP=1 -h "$DATABASE_HOST" -p "$DATABASE_PORT" -U "$DATABASE_USER" -d "$DATABASE_NAME" -c "create table if not exists golive_releases (version text primary key, migrated_at timestamptz not null default clock_timestamp(), run_by text not null default current_user)" -c "insert into golive_releases (version) values ('$v') on conflict do nothing"
echo "migrated to $v as $(id -un)"
`;

/** Each version's tarball in the repository folder; their SHA-256 by version. */
function buildArtifacts(dir: string): Record<string, string> {
  const digests: Record<string, string> = {};
  for (const v of [...versions, releases.good, releases.bad]) {
    const src = path.join(dir, `src-${v}`);
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(path.join(src, "server.js"), serverJs);
    fs.writeFileSync(path.join(src, "migrate.sh"), migrateSh);
    fs.writeFileSync(path.join(src, "VERSION"), `${v}\n`);
    if (v === releases.bad) fs.writeFileSync(path.join(src, "FAIL_PATHS"), "/tickets\n");
    const tarball = path.join(dir, `psa-api-${v}.tar.gz`);
    const r = spawnSync("tar", ["-czf", tarball, "-C", src, "."], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    digests[v] = crypto.createHash("sha256").update(fs.readFileSync(tarball)).digest("hex");
  }
  return digests;
}

/**
 * The release's smoke test, run on the test's side: the new colour's container at its static
 * address (the network's plus its CT-ID) answers /tickets with the version released. It keeps
 * the GOLIVE_RELEASE_* variables it was given in smoke-<version>.env of the project folder.
 */
const smokeScript = [
  'env | grep "^GOLIVE_RELEASE_" | sort > "smoke-$GOLIVE_RELEASE_VERSION.env"',
  `body=$(curl -fsS --max-time 5 "http://${node.subnet}.$GOLIVE_RELEASE_CTID:8080/tickets")`,
  'echo "$body" | grep -q "\\"version\\":\\"$GOLIVE_RELEASE_VERSION\\""',
].join(" && ");

function stack(digests: Record<string, string>, active: "blue" | "green"): string {
  const environment = {
    runtime: "lxc",
    tier: "staging",
    lxc: {
      node: { host: "127.0.0.1", port: node.port, user: "root", privateKeyConfig: "proxmoxSshKey" },
      bridge: node.bridge,
      network: { cidr: `${node.subnet}.0/24`, gateway: `${node.subnet}.1` },
      ids,
    },
    gateway: {
      domain,
      proxy: "haproxy",
      tls: { source: "internal" },
      cors: { origins: [`https://${domain}`] },
    },
    postgres: {
      version: "15",
      replicas: 1,
      pgbouncer: { enabled: true },
      backups: { enabled: true },
      resources: { limits: { cpu: "1", memory: "512Mi" } },
    },
    redis: { resources: { limits: { cpu: "1", memory: "256Mi" } } },
    rabbitmq: {
      vhosts: ["psa"],
      users: { psa: { permissions: { psa: { configure: ".*", write: ".*", read: ".*" } } } },
      queues: [{ name: "tickets", vhost: "psa" }],
      resources: { limits: { cpu: "1", memory: "512Mi" } },
    },
    monitoring: {
      receiver: { kind: "webhook", url: `http://${node.subnet}.1:${receiverPort}/alerts` },
      grafana: { enabled: false },
      storageGb: 1,
    },
    // The LXC runtime runs one container per workload; a colour of two would be two containers
    // behind the gateway, which golive does not build yet.
    waivers: Object.fromEntries(
      ["api-blue", "api-green"].map((w) => [
        w,
        {
          "workload-enforce-replicas-pdb": {
            reason: "one container per colour on LXC: replicas per colour are not built yet",
            until: "2027-06-30",
          },
        },
      ]),
    ),
    services: {
      api: {
        image: "psa/api",
        template: trixie,
        packages: ["nodejs", "postgresql-client"],
        command: ["/usr/bin/node", "server.js"],
        ports: [{ name: "http", port: 8080, public: true }],
        resources: { limits: { cpu: "1", memory: "256Mi" } },
        healthCheck: { path: "/health", port: 8080, intervalSeconds: 2, startPeriodSeconds: 2 },
        dependsOn: ["postgres", "redis", "rabbitmq"],
        migration: { command: ["/bin/sh", "migrate.sh"] },
        blueGreen: { active, blue: versions[0], green: versions[1] },
        artifact: {
          url: `http://${node.subnet}.1:${repoPort}/psa-api-{version}.tar.gz`,
          sha256: digests,
        },
      },
    },
    // `golive release`'s plan: a short watch window, the live checks that judge a release.
    release: {
      plan: {
        smoke: { command: ["sh", "-c", smokeScript], timeoutSeconds: 60 },
        healthTimeoutSeconds: 120,
        watch: { initialDelaySeconds: 20, intervalSeconds: 5, count: 3, consecutiveErrorLimit: 2 },
        verify: { checks: ["service-healthy", "gateway-health", "prometheus-targets"] },
      },
    },
  };
  return YAML.stringify({ config: { "golive:environment": environment } });
}

const isRoot = process.getuid?.() === 0;

/**
 * The release repository the containers fetch from and the webhook receiver Alertmanager posts
 * to, on the bridge address: a process of their own (Python's standard library), since the test
 * waits for the engine synchronously and could serve nothing meanwhile. The receiver appends
 * each body it gets to `alertsFile`, a line each.
 */
function startServers(repoDir: string, alertsFile: string): ChildProcess {
  const script = [
    "import http.server, socketserver, sys, threading",
    "bind, repo, alerts = sys.argv[1], sys.argv[2], sys.argv[3]",
    "class Files(http.server.SimpleHTTPRequestHandler):",
    "    def __init__(self, *a, **k): super().__init__(*a, directory=repo, **k)",
    "    def log_message(self, *a): pass",
    "class Hook(http.server.BaseHTTPRequestHandler):",
    "    def do_POST(self):",
    '        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))',
    '        with open(alerts, "ab") as f: f.write(body.replace(b"\\n", b" ") + b"\\n")',
    '        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()',
    "    def log_message(self, *a): pass",
    "class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):",
    "    daemon_threads = True",
    "    allow_reuse_address = True",
    `servers = [Server((bind, ${repoPort}), Files), Server((bind, ${receiverPort}), Hook)]`,
    "threading.Thread(target=servers[1].serve_forever, daemon=True).start()",
    'print("ready", flush=True)',
    "servers[0].serve_forever()",
  ].join("\n");
  return spawn("/usr/bin/python3", ["-c", script, `${node.subnet}.1`, repoDir, alertsFile], {
    stdio: ["ignore", "pipe", "inherit"],
  });
}

function getJson<T>(url: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 5000 }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => {
        try {
          resolve(JSON.parse(body) as T);
        } catch (e) {
          reject(new Error(`${url}: ${String(e)}: ${body.slice(0, 200)}`));
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url} within 5 s`)));
    req.on("error", reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The stack config with the live colour set (the file also holds the encrypted SSH key). */
function setActive(p: Project, active: "blue" | "green"): void {
  const doc = YAML.parseDocument(fs.readFileSync(p.stackFile, "utf8"));
  doc.setIn(["config", "golive:environment", "services", "api", "blueGreen", "active"], active);
  fs.writeFileSync(p.stackFile, doc.toString());
}

const target: Target = { host: at(ids.gateway), port: 443, hostname: domain };
const loadBounds = { seconds: 420, requests: 40_000, pauseMs: 20 };
const policy = [
  "--policy-pack",
  "policies",
  "--policy-pack-config",
  "policies/config/staging.json",
];

describe(
  "a PSA-Platform subset on the faithful Proxmox node",
  { skip: !isRoot && "needs root" },
  () => {
    let p: Project;
    let digests: Record<string, string> = {};
    let servers: ChildProcess | undefined;
    const alertsFile = path.join(node.dir, "alerts.jsonl");
    const alerts = () => (fs.existsSync(alertsFile) ? fs.readFileSync(alertsFile, "utf8") : "");

    const sql = (q: string) =>
      node.inside(
        ids.postgres,
        `runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -X -h /var/run/postgresql -U app -d app -tAc "${q}"`,
      );

    /** golive's report and CLI in the project folder, beside its components and policies. */
    const linkTools = () => {
      for (const d of ["report", "cli"]) {
        if (!fs.existsSync(path.join(p.dir, d)))
          fs.symlinkSync(path.join(repo, d), path.join(p.dir, d));
      }
    };

    before(async () => {
      figure("pve-psa-node-start-seconds", node.start("bookworm trixie").toFixed(1));
      const repoDir = path.join(node.dir, "repository");
      fs.mkdirSync(repoDir, { recursive: true });
      digests = buildArtifacts(repoDir);
      servers = startServers(repoDir, alertsFile);
      await new Promise<void>((resolve, reject) => {
        servers!.stdout!.once("data", () => resolve());
        servers!.once("exit", (code) => reject(new Error(`the servers exited (${code})`)));
      });
      p = new Project("lxc-pve-psa", "staging", stack(digests, "blue"));
      const set = p.pulumi([
        "config",
        "set",
        "--secret",
        "golive:proxmoxSshKey",
        "--",
        node.privateKey(),
      ]);
      assert.equal(set.code, 0, set.output);
    });
    after(() => {
      servers?.kill();
      node.stop();
    });

    it("passes the policy pack at preview, staging's enforcement mandatory", () => {
      const preview = p.preview("staging");
      assert.equal(preview.code, 0, preview.output);
      assert.doesNotMatch(preview.output, /mandatory/);
    });

    it("up through the pack creates every container and waits for each service's health", () => {
      const up = p.pulumi(["up", "--yes", "--non-interactive", "--skip-preview", ...policy], 1800);
      figure("up-seconds-lxc-pve-psa", up.seconds.toFixed(1));
      assert.equal(up.code, 0, `${up.output}\n${node.whyStopped(Object.values(ids))}`);
      const list = node.ok("pct list").stdout;
      for (const [name, id] of Object.entries(ids)) {
        assert.match(list, new RegExp(`^${id}\\s+running\\s+${name}\\s*$`, "m"), list);
      }
      const exported = p.pulumi(["stack", "export", "--show-secrets"]);
      for (const name of [
        "postgres",
        "pgbouncer",
        "redis",
        "rabbitmq",
        "prometheus",
        "alertmanager",
        "api-blue",
        "api-green",
        "gateway",
      ]) {
        assert.match(
          exported.output,
          new RegExp(`golive: ${name} is healthy`),
          `${name} was awaited`,
        );
      }
    });

    it("the app runs on Node.js 20 from Debian 13, its code the checked artefact of its colour's version", async () => {
      for (const [colour, version] of [
        ["blue", versions[0]],
        ["green", versions[1]],
      ] as const) {
        const id = ids[`api-${colour}`];
        assert.match(node.inside(id, "cat /etc/debian_version"), /^13\./);
        assert.match(node.inside(id, "node --version"), /^v20\./);
        assert.equal(
          node.inside(id, `readlink /opt/golive/api-${colour}/current`),
          `releases/${version}`,
        );
        assert.equal(
          node.inside(id, `cat /opt/golive/api-${colour}/releases/${version}/.golive-sha256`),
          digests[version],
        );
        assert.equal(
          node.inside(id, `stat -c %U /opt/golive/api-${colour}/releases/${version}/server.js`),
          "root",
          "the code is root's: the service reads it, never writes it",
        );
        const body = spawnSync("curl", ["-sf", "--max-time", "5", `http://${at(id)}:8080/`], {
          encoding: "utf8",
        }).stdout;
        const j = JSON.parse(body) as { color: string; version: string; node: string; cwd: string };
        assert.equal(j.color, colour);
        assert.equal(j.version, version);
        assert.match(j.node, /^v20\./);
        assert.equal(j.cwd, `/opt/golive/api-${colour}/releases/${version}`);
      }
      // Through the gateway: the live colour (blue) answers.
      const s = await sample(target, 40);
      report(s);
      assert.equal(s.failed, 0);
      assert.deepEqual([...s.colours.keys()], ["blue"]);
    });

    it("the migration ran in the live colour's container, as an unprivileged user, before that colour started", () => {
      const row = sql(
        "select version || ' ' || run_by || ' ' || extract(epoch from migrated_at) from golive_releases",
      );
      const [version, runBy, migratedAt] = row.split(" ");
      assert.equal(version, versions[0], "the live (blue) release was migrated, once");
      assert.equal(runBy, "app", "with the app's database user");
      const started = Number(
        node.inside(
          ids["api-blue"],
          'date -d "$(systemctl show --timestamp=us -p ActiveEnterTimestamp --value golive-api-blue.service)" +%s.%N',
        ),
      );
      assert.ok(
        Number(migratedAt) <= started,
        `migrated at ${migratedAt}, blue started at ${started}`,
      );
      // The job's output (kept secret in state) names the user it ran as: a DynamicUser's.
      const exported = p.pulumi(["stack", "export", "--show-secrets"]).output;
      assert.match(
        exported,
        /migrated to 1\.0\.0 as (?!root\b)[\w-]+/,
        "the migration did not run as root",
      );
    });

    it("the replica streams through its slot, the primary archives WAL, the backup loop has a backup", async () => {
      const replica = (q: string) =>
        node.inside(
          ids["postgres-replica-1"],
          `runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -X -h /var/run/postgresql -U app -d app -tAc "${q}"`,
        );
      assert.equal(replica("select pg_is_in_recovery()"), "t");
      assert.equal(sql("select state from pg_stat_replication"), "streaming");
      assert.equal(
        sql("select active from pg_replication_slots where slot_name = 'replica_1'"),
        "t",
      );
      sql("select pg_switch_wal()");
      let archived = 0;
      for (let i = 0; i < 40 && archived === 0; i++) {
        archived = Number(sql("select archived_count from pg_stat_archiver"));
        if (archived === 0) await sleep(500);
      }
      assert.ok(archived > 0, "a WAL segment was archived within 20 s");
      assert.equal(sql("select failed_count from pg_stat_archiver"), "0");
      // The backup loop took its first base backup at start (its health check waited for it).
      assert.match(
        node.inside(ids["postgres-backup"], "ls /var/lib/postgresql/backups"),
        /^\d{8}T\d{6}Z$/m,
      );
      assert.equal(
        node.inside(ids["postgres-backup"], "stat -c %U /var/lib/postgresql/backups/.last-success"),
        "postgres",
      );
    });

    it("pgBouncer pools the app's connections to PostgreSQL", () => {
      const out = node.inside(
        ids["api-blue"],
        'set -a; . /etc/golive/api-blue.env; set +a; PGPASSWORD="$DATABASE_PASSWORD" psql -X -h "$DATABASE_HOST" -p "$DATABASE_PORT" -U "$DATABASE_USER" -d "$DATABASE_NAME" -tAc "select inet_server_addr()::text || \' \' || 6*7"; echo "$DATABASE_HOST:$DATABASE_PORT"',
      );
      assert.equal(out, `${at(ids.postgres)}/32 42\npgbouncer:6432`);
      assert.equal(node.inside(ids.pgbouncer, "ps -o user= -C pgbouncer | sort -u"), "postgres");
    });

    it("Redis: persistence and eviction as the spec says, a password required, run as redis", () => {
      const cli = (args: string) =>
        node.inside(
          ids.redis,
          `redis-cli -a "$(sed -n "s/^requirepass //p" /usr/local/etc/redis/golive-auth.conf)" --no-auth-warning ${args}`,
        );
      assert.equal(cli("config get appendonly"), "appendonly\nyes");
      assert.match(cli("config get maxmemory-policy"), /^maxmemory-policy\n\S+$/);
      assert.equal(cli("config get dir"), "dir\n/data");
      assert.match(node.inside(ids.redis, "redis-cli ping 2>&1 || true"), /NOAUTH/);
      assert.equal(node.inside(ids.redis, "ps -o user= -C redis-server"), "redis");
    });

    it("RabbitMQ: golive's vhosts, users and quorum queues, and no guest", () => {
      assert.match(node.inside(ids.rabbitmq, "rabbitmqctl -q list_vhosts name"), /^psa$/m);
      const users = node.inside(ids.rabbitmq, "rabbitmqctl -q list_users");
      assert.match(users, /^admin\s/m);
      assert.match(users, /^psa\s/m);
      assert.doesNotMatch(users, /^guest\s/m);
      assert.match(
        node.inside(ids.rabbitmq, "rabbitmqctl -q list_queues -p psa name type"),
        /^tickets\s+quorum$/m,
      );
    });

    it("Prometheus: every target up and golive's rules loaded; Alertmanager sends to the receiver", async () => {
      const promUrl = `http://${at(ids.prometheus)}:9090`;
      type Targets = {
        data: { activeTargets: { labels: { job: string }; health: string; lastError: string }[] };
      };
      let down: string[] = ["(not asked yet)"];
      let jobs: string[] = [];
      for (let i = 0; i < 60 && down.length > 0; i++) {
        const t = await getJson<Targets>(`${promUrl}/api/v1/targets`).catch(() => undefined);
        if (t) {
          jobs = t.data.activeTargets.map((a) => a.labels.job).sort();
          down = t.data.activeTargets
            .filter((a) => a.health !== "up")
            .map((a) => `${a.labels.job}: ${a.lastError}`);
        }
        if (down.length > 0) await sleep(2000);
      }
      assert.deepEqual(down, [], `every target up (jobs: ${jobs.join(", ")})`);
      for (const job of [
        "api-blue",
        "api-green",
        "postgres-exporter",
        "redis-exporter",
        "rabbitmq",
        "node-exporter",
      ]) {
        assert.ok(jobs.includes(job), `Prometheus scrapes ${job} (jobs: ${jobs.join(", ")})`);
      }
      const rules = await getJson<{ data: { groups: { rules: { name: string }[] }[] } }>(
        `${promUrl}/api/v1/rules`,
      );
      const names = rules.data.groups.flatMap((g) => g.rules.map((r) => r.name));
      assert.ok(names.includes("ServiceDown"), names.join(", "));
      // Alertmanager routes to the webhook on the bridge: an alert posted to it arrives there.
      const am = `http://${at(ids.alertmanager)}:9093`;
      const post = spawnSync(
        "curl",
        [
          "-sf",
          "-XPOST",
          "-H",
          "Content-Type: application/json",
          `${am}/api/v2/alerts`,
          "-d",
          JSON.stringify([{ labels: { alertname: "GoliveProbe", severity: "critical" } }]),
        ],
        { encoding: "utf8" },
      );
      assert.equal(post.status, 0, post.stderr);
      for (let i = 0; i < 60 && !alerts().includes("GoliveProbe"); i++) await sleep(1000);
      assert.ok(alerts().includes("GoliveProbe"), "the receiver got the probe alert");
    });

    it("golive verify reaches every container over SSH to the node; the checks that apply pass", async () => {
      linkTools();
      // The node is new at every run: its host key is recorded in a file of its own.
      const env = { ...p.env, GOLIVE_SSH_KNOWN_HOSTS: path.join(node.dir, "verify-known-hosts") };
      const verify = () => {
        const file = path.join(p.dir, "results.json");
        fs.rmSync(file, { force: true });
        const start = Date.now();
        const r = spawnSync(
          process.execPath,
          [
            path.join(repo, "cli", "golive.cjs"),
            ...["verify", "staging", "--dir", p.dir, "--results", file],
            ...["--policy-config", path.join(repo, "policies", "config", "staging.json")],
          ],
          { cwd: repo, env: { ...env, GOLIVE_PROGRESS: "1" }, encoding: "utf8", timeout: 600_000 },
        );
        figure("lxc-pve-psa-golive-verify-seconds", ((Date.now() - start) / 1000).toFixed(1));
        process.stdout.write(r.stderr);
        assert.ok(fs.existsSync(file), `verify wrote its results: ${r.stderr}${r.stdout}`);
        const results = parseResults(fs.readFileSync(file, "utf8"), file);
        return new Map(results.checks.map((c) => [c.checkId, c]));
      };
      const passing = [
        "service-healthy",
        "gateway-health",
        "tls-certificate",
        "cors",
        "postgres-ready",
        "postgres-replication",
        "pgbouncer",
        "redis-config",
        "rabbitmq-config",
        "prometheus-targets",
      ] as const;
      // Right after the up, Prometheus may not have scraped every target yet: a few rounds.
      let by = verify();
      for (let i = 0; i < 6 && passing.some((id) => by.get(id)?.status !== "pass"); i++) {
        await new Promise((r) => setTimeout(r, 15_000));
        by = verify();
      }
      const counts: Record<string, number> = {};
      for (const c of by.values()) counts[c.status] = (counts[c.status] ?? 0) + 1;
      figure("lxc-pve-psa-verify-checks", JSON.stringify(counts));
      for (const id of passing) {
        const c = by.get(id)!;
        assert.equal(c.status, "pass", `${id}: ${c.message}`);
      }
      assert.match(by.get("service-healthy")!.message, /^15 containers of 15 workloads running/);
      assert.match(by.get("postgres-replication")!.message, /streaming lag/);
      assert.equal(by.get("gpu-visible")!.status, "skipped");

      // The replica's container stopped: replication and health fail, saying what was seen.
      node.ok(`pct stop ${ids["postgres-replica-1"]}`);
      try {
        const broken = verify();
        const replication = broken.get("postgres-replication")!;
        figure("lxc-pve-psa-replica-down", JSON.stringify(replication.message));
        assert.equal(replication.status, "fail");
        assert.match(
          replication.message,
          /^0 of 1 replicas streaming .*expected every replica streaming from its slot/,
        );
        const health = broken.get("service-healthy")!;
        assert.equal(health.status, "fail");
        assert.match(
          health.message,
          new RegExp(`postgres-replica-1: CT ${ids["postgres-replica-1"]} is stopped`),
        );
      } finally {
        node.ok(`pct start ${ids["postgres-replica-1"]}`);
      }
    });

    it("a boot of every container (startall) starts them in golive's order: databases, apps, gateway", async () => {
      node.ok("pvesh create /nodes/pve/stopall", { timeout: 600 });
      assert.equal(node.ok("pct list").stdout.match(/\brunning\b/g)?.length ?? 0, 0, "all stopped");
      const boot = node.ok("pvesh create /nodes/pve/startall", { timeout: 600 });
      const started = boot.stderr
        .split("\n")
        .flatMap((l) => /^Starting CT (\d+)$/.exec(l)?.[1] ?? []);
      const order = (id: string) =>
        Number(/^startup: order=(\d+)/m.exec(node.ok(`pct config ${id}`).stdout)?.[1]);
      const orders = started.map(order);
      assert.deepEqual(
        orders,
        [...orders].sort((a, b) => a - b),
        `started by order: ${started.join(", ")}`,
      );
      const pos = (id: number) => started.indexOf(String(id));
      assert.ok(
        pos(ids.postgres) < pos(ids.pgbouncer) && pos(ids.pgbouncer) < pos(ids["api-blue"]),
      );
      assert.ok(pos(ids.redis) < pos(ids["api-blue"]) && pos(ids.rabbitmq) < pos(ids["api-blue"]));
      assert.ok(pos(ids["api-blue"]) < pos(ids.gateway));
      figure("pve-psa-startall-seconds", boot.seconds.toFixed(1));
      // Every service came back by itself; the gateway serves the live colour again.
      let s = await sample(target, 4);
      for (let i = 0; i < 90 && s.ok < 4; i++) {
        await sleep(1000);
        s = await sample(target, 4);
      }
      assert.equal(s.ok, 4, "the gateway serves after the boot");
    });

    it("switches blue to green under load with zero failed requests, green's migration first", async () => {
      setActive(p, "green");
      const r = await upUnderLoad(p, target, loadBounds);
      report(r);
      figure("pve-psa-switch-requests-ok", r.ok);
      figure("pve-psa-switch-requests-failed", r.failed);
      figure("pve-psa-switch-seconds", r.upSeconds.toFixed(1));
      assert.equal(r.code, 0, r.output);
      assert.equal(r.failed, 0);
      assert.ok(r.ok > 100, `the load ran (${r.ok} answers)`);
      const after = await sample(target, 40);
      assert.deepEqual([...after.colours.keys()], ["green"], "green takes all traffic");
      assert.equal(
        sql("select string_agg(version, ',' order by version) from golive_releases"),
        "1.0.0,1.1.0",
      );
    });

    it("rolls back to blue under load with zero failed requests", async () => {
      setActive(p, "blue");
      const r = await upUnderLoad(p, target, loadBounds);
      report(r);
      figure("pve-psa-rollback-requests-ok", r.ok);
      figure("pve-psa-rollback-requests-failed", r.failed);
      figure("pve-psa-rollback-seconds", r.upSeconds.toFixed(1));
      assert.equal(r.code, 0, r.output);
      assert.equal(r.failed, 0);
      const after = await sample(target, 40);
      assert.deepEqual([...after.colours.keys()], ["blue"], "blue takes all traffic again");
    });

    /** The newest release log of the stack. */
    const releaseFolder = () => path.join(p.dir, ".golive", "releases", "staging");
    const lastLog = (): ReleaseLog => {
      const files = fs
        .readdirSync(releaseFolder())
        .filter((f) => /^\d{8}T\d{6}Z-.*\.json$/.test(f) && !f.includes(".verify."))
        .sort();
      return JSON.parse(
        fs.readFileSync(path.join(releaseFolder(), files.at(-1)!), "utf8"),
      ) as ReleaseLog;
    };

    /**
     * `golive release staging …` as a user runs it (cli/golive.cjs, staging's pack config), while
     * 4 clients send requests through the gateway (a new connection each, 50 ms apart), every
     * answer counted; bounded to 600 s and 60000 requests.
     */
    async function releaseUnderLoad(args: string[]) {
      const t = Date.now();
      const l = newLoad();
      const child = spawn(
        process.execPath,
        [
          ...[path.join(repo, "cli", "golive.cjs"), "release", "staging", ...args],
          ...[
            "--dir",
            p.dir,
            "--policy-config",
            path.join(repo, "policies", "config", "staging.json"),
          ],
        ],
        {
          cwd: repo,
          env: {
            ...p.env,
            GOLIVE_PROGRESS: "1",
            GOLIVE_SSH_KNOWN_HOSTS: path.join(node.dir, "verify-known-hosts"),
          },
        },
      );
      const kill = setTimeout(() => child.kill("SIGKILL"), 600_000);
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
        while (!done && Date.now() - t < 600_000 && l.ok + l.failed < 60_000) {
          count(l, await request(target));
          await sleep(50);
        }
      };
      const clients = Array.from({ length: 4 }, client);
      const code = await exited;
      clearTimeout(kill);
      done = true;
      await Promise.all(clients);
      report(l);
      const log = lastLog();
      const seconds = (Date.now() - t) / 1000;
      return { ...l, code, stdout, stderr, seconds, log };
    }

    const releaseFigures = (name: string, r: Awaited<ReturnType<typeof releaseUnderLoad>>) => {
      const ran = r.log.steps.filter((s) => s.status !== "pending");
      figure(`pve-psa-release-${name}-steps-run`, `${ran.length} of ${r.log.steps.length}`);
      figure(
        `pve-psa-release-${name}-step-seconds`,
        JSON.stringify(ran.map((s) => `${s.name} ${s.seconds ?? "?"}`).join(", ")),
      );
      figure(`pve-psa-release-${name}-seconds`, r.seconds.toFixed(1));
      figure(`pve-psa-release-${name}-requests-ok`, r.ok);
      figure(`pve-psa-release-${name}-requests-failed`, r.failed);
      figure(
        `pve-psa-release-${name}-rollback`,
        r.log.rollback.length > 0
          ? JSON.stringify(r.log.rollback.map((a) => `${a.action}: ${a.status}`).join("; "))
          : "none",
      );
    };
    /** The GOLIVE_RELEASE_* variables the smoke test of `version` was given. */
    const smokeEnv = (version: string) =>
      Object.fromEntries(
        fs
          .readFileSync(path.join(p.dir, `smoke-${version}.env`), "utf8")
          .trim()
          .split("\n")
          .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
      );

    it("golive release: a good release goes through under load with zero failed requests, its migration run by the switch", async () => {
      linkTools();
      // Rows written before the releases, which every release must leave in place.
      sql("create table notes (id serial primary key, note text not null)");
      sql("insert into notes (note) select 'before-release-' || i from generate_series(1, 5) i");
      const r = await releaseUnderLoad(["--version", releases.good]);
      releaseFigures("good", r);
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      assert.equal(r.log.state, "succeeded");
      assert.deepEqual(
        r.log.steps.map((s) => `${s.name} ${s.status}`),
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
      assert.ok(r.ok > 100, `the load ran (${r.ok} answers)`);
      assert.ok(
        (r.versions.get(`green ${releases.good}`) ?? 0) > 0,
        `green ${releases.good} served after the switch`,
      );
      assert.match(r.log.steps.find((s) => s.name === "switch")!.message!, /migration job ran/);
      assert.match(
        r.log.steps.find((s) => s.name === "watch")!.message!,
        /^api-green: 3 successful/,
      );
      assert.ok(fs.statSync(path.join(releaseFolder(), r.log.files.dump)).size > 0, "the dump");
      const env = smokeEnv(releases.good);
      assert.equal(env.GOLIVE_RELEASE_RUNTIME, "lxc");
      assert.equal(env.GOLIVE_RELEASE_CTID, String(ids["api-green"]));
      assert.equal(env.GOLIVE_RELEASE_WORKLOAD, "api-green");
      assert.equal(
        node.inside(ids["api-green"], "readlink /opt/golive/api-green/current"),
        `releases/${releases.good}`,
      );
      const after = await sample(target, 40);
      assert.deepEqual([...after.versions.keys()], [`green ${releases.good}`]);
      assert.equal(
        sql("select string_agg(version, ',' order by version) from golive_releases"),
        `1.0.0,1.1.0,${releases.good}`,
        "the switch ran the new version's migration",
      );
      assert.ok(!fs.existsSync(path.join(releaseFolder(), "lock")), "the lock is released");
      assert.equal(sql("select count(*) from notes"), "5");
    });

    it("golive release: a release whose smoke test fails is rolled back, traffic never leaving green", async () => {
      const r = await releaseUnderLoad(["--version", releases.bad]);
      releaseFigures("bad-smoke", r);
      assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
      assert.equal(r.log.state, "rolled-back");
      const smoke = r.log.steps.find((s) => s.name === "smoke")!;
      assert.equal(smoke.status, "failed");
      assert.match(smoke.message!, /smoke failed on api-blue \(exit \d+\).*500/);
      assert.ok(
        r.log.steps.filter((s) => s.status === "pending").some((s) => s.name === "switch"),
        "the switch never ran",
      );
      assert.deepEqual(
        r.log.rollback.map((a) => [a.action, a.status]),
        [["traffic to green", "passed"]],
      );
      assert.match(r.log.rollback[0].message, /traffic never left green/);
      assert.equal(smokeEnv(releases.bad).GOLIVE_RELEASE_CTID, String(ids["api-blue"]));
      assert.equal(r.failed, 0);
      assert.ok(r.ok > 100, `the load ran (${r.ok} answers)`);
      assert.deepEqual(
        [...r.versions.keys()],
        [`green ${releases.good}`],
        "no request reached blue",
      );
      const after = await sample(target, 40);
      assert.deepEqual([...after.versions.keys()], [`green ${releases.good}`]);
      assert.equal(
        sql("select string_agg(version, ',' order by version) from golive_releases"),
        `1.0.0,1.1.0,${releases.good}`,
        "no migration ran",
      );
      assert.equal(sql("select count(*) from notes"), "5", "the rows of before the releases");
    });

    it("an up killed midway converges: the next up finishes it, the one after changes nothing", async () => {
      const doc = YAML.parseDocument(fs.readFileSync(p.stackFile, "utf8"));
      doc.setIn(
        ["config", "golive:environment", "services", "api", "env", "RELEASE_NOTE"],
        "killed-up",
      );
      fs.writeFileSync(p.stackFile, doc.toString());
      // Its own process group: the engine, the program and the providers are killed together.
      const child = spawn("pulumi", ["up", "--yes", "--non-interactive", "--skip-preview"], {
        cwd: p.dir,
        env: p.env,
        stdio: "ignore",
        detached: true,
      });
      const closed = new Promise((r) => child.on("close", r));
      // Killed once provisioning runs in an app container (its env file is being rewritten).
      let caught = false;
      for (let i = 0; i < 1200 && !caught; i++) {
        caught =
          spawnSync("pgrep", ["-f", `pct push (${ids["api-blue"]}|${ids["api-green"]}) `])
            .status === 0;
        if (!caught) await sleep(100);
      }
      assert.ok(caught, "the up reached the app's provisioning");
      process.kill(-child.pid!, "SIGKILL");
      await closed;
      // What an operator does after a killed run (docs/runbooks): scripts/recover.sh releases the
      // lock of the file backend and settles the pending operations; then up.
      const recover = spawnSync(path.join(repo, "scripts", "recover.sh"), ["staging", p.dir], {
        env: p.env,
        encoding: "utf8",
      });
      const recovered = `${recover.stdout}${recover.stderr}`;
      assert.equal(recover.status, 0, recovered);
      assert.match(recovered, /the update's lock is released/);
      const again = p.pulumi(["up", "--yes", "--non-interactive", "--skip-preview"], 900);
      figure("up-seconds-lxc-pve-psa-after-kill", again.seconds.toFixed(1));
      assert.equal(again.code, 0, again.output);
      const quiet = p.pulumi(
        ["up", "--yes", "--non-interactive", "--skip-preview", "--expect-no-changes"],
        600,
      );
      assert.equal(quiet.code, 0, quiet.output);
      assert.equal(
        node.inside(ids["api-blue"], "sed -n s/^RELEASE_NOTE=//p /etc/golive/api-blue.env"),
        "killed-up",
      );
    });

    it("destroy removes every container; the node then leaves nothing behind", async () => {
      const d = p.pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"], 900);
      figure("destroy-seconds-lxc-pve-psa", d.seconds.toFixed(1));
      assert.equal(d.code, 0, d.output);
      assert.equal(node.ok("pct list").stdout, "", "no container is left");
      // The test's own repository and receiver go first: the node's check sees every listener.
      if (servers && servers.exitCode === null) {
        const exited = new Promise((r) => servers!.once("exit", r));
        servers.kill();
        await exited;
      }
      const stop = node.stop();
      assert.equal(stop.code, 0, stop.output);
      assert.equal(node.leftovers(), "");
    });
  },
);
