/**
 * `pulumi up` of a small PSA-Platform subset (PostgreSQL 15, an app, the HAProxy gateway) through
 * golive's LXC runtime against the faithful Proxmox node of test/lxc/pve: real, unprivileged
 * containers on static addresses, their packages installed from Debian through the host. Proven
 * live: `up` returns only once every service passed its health check inside its container (and
 * fails naming the service and its journal otherwise); PostgreSQL runs as golive's unit on
 * Debian's binaries, initialised by golive, and answers the app's container by name; a replica
 * cloned by pg_basebackup streams through its slot and the primary archives WAL; the exporters
 * read them (`pg_up 1`); the gateway answers TLS from the host and routes to the app; no process
 * on the host showed a secret on its command line during `up`. Six containers (the gateway, the
 * primary, the replica, their exporters and the app); the last test destroys the stack and
 * asserts that the node leaves nothing behind.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import YAML from "yaml";
import { figure, Project, repo } from "./harness";
import { PveNode } from "./pve-node";

const node = new PveNode(path.join(repo, "test", ".work", "pve-up-node"), 22025);
const ids = { postgres: 210, api: 211 };
/** The rest take the next free IDs from firstId 200, in name order; addresses are .<CT-ID>. */
const gatewayId = 200;
const exporterId = 201;
const replicaId = 202;
const replicaExporterId = 203;
const at = (id: number) => `${node.subnet}.${id}`;

/** The app: answers every GET with 200 and its path (the gateway's checks ask for /health). */
const app =
  'import http.server as h; h.HTTPServer(("", 8080), type("H", (h.BaseHTTPRequestHandler,), {"do_GET": lambda s: (s.send_response(200), s.end_headers(), s.wfile.write(b"psa-api " + s.path.encode()))})).serve_forever()';

const stack = `config:
  golive:environment:
    runtime: lxc
    tier: staging
    lxc:
      node: { host: 127.0.0.1, port: ${node.port}, user: root, privateKeyConfig: proxmoxSshKey }
      bridge: ${node.bridge}
      network: { cidr: ${node.subnet}.0/24, gateway: ${node.subnet}.1 }
      ids: { postgres: ${ids.postgres}, api: ${ids.api} }
    gateway: { domain: erp.example.com, proxy: haproxy, tls: { source: internal } }
    postgres:
      version: "15"
      replicas: 1
      pgbouncer: { enabled: false }
      backups: { enabled: false }
      resources: { limits: { cpu: "1", memory: 1Gi } }
    services:
      api:
        image: psa/api:1.2.3
        packages: [python3, postgresql-client-15]
        command: ["/usr/bin/python3", "-c", ${JSON.stringify(app)}]
        ports: [{ name: http, port: 8080, public: true }]
        resources: { limits: { cpu: "1", memory: 256Mi } }
        healthCheck: { path: /health, port: 8080 }
        dependsOn: [postgres]
`;

function get(
  url: string,
  opts: https.RequestOptions = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith("https:") ? https : http;
    const req = client.get(url, { timeout: 5000, ...opts }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url} within 5 s`)));
    req.on("error", reject);
  });
}

const isRoot = process.getuid?.() === 0;

/**
 * Samples every process's command line on the host (`ps -eo args`, which shows the containers'
 * processes too) every 0.2 s into a file, while a command runs.
 */
class PsSampler {
  private readonly child: ChildProcess;
  constructor(public readonly file: string) {
    fs.rmSync(file, { force: true });
    this.child = spawn(
      "sh",
      ["-c", `while :; do ps -eo args >> '${file}'; echo --- >> '${file}'; sleep 0.2; done`],
      { stdio: "ignore" },
    );
  }
  public stop(): string {
    this.child.kill("SIGKILL");
    return fs.existsSync(this.file) ? fs.readFileSync(this.file, "utf8") : "";
  }
}

/** One variable's value from a golive env file inside a container. */
function envValue(id: number, service: string, name: string): string {
  const v = node.inside(id, `sed -n "s/^${name}=//p" /etc/golive/${service}.env`);
  assert.ok(v.length >= 16, `${name} of ${service} is set`);
  return v;
}

describe("pulumi up on the faithful Proxmox node", { skip: !isRoot && "needs root" }, () => {
  let p: Project;
  let samples = "";
  before(() => {
    figure("pve-up-node-start-seconds", node.start().toFixed(1));
    p = new Project("lxc-pve-up", "lxc", stack);
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
    node.stop();
  });

  it("up creates golive's containers with its facts, and they run", () => {
    const sampler = new PsSampler(path.join(node.dir, "ps-during-up.txt"));
    const up = p.pulumi(["up", "--yes", "--non-interactive", "--skip-preview"], 900);
    samples = sampler.stop();
    figure("up-seconds-lxc-pve", up.seconds.toFixed(1));
    assert.equal(up.code, 0, up.output);
    // up waited for each service's health check inside its container: each provisioning's
    // output (secret in state) ends with the check passed.
    const exported = p.pulumi(["stack", "export", "--show-secrets"]);
    assert.equal(exported.code, 0, exported.output);
    for (const name of [
      "postgres",
      "postgres-exporter",
      "postgres-replica-1",
      "postgres-replica-1-exporter",
      "api",
      "gateway",
    ]) {
      assert.match(
        exported.output,
        new RegExp(`golive: ${name} is healthy`),
        `${name} was awaited`,
      );
    }
    const list = node.ok("pct list").stdout;
    for (const [id, name] of [
      [ids.postgres, "postgres"],
      [ids.api, "api"],
    ] as const) {
      assert.match(list, new RegExp(`^${id}\\s+running\\s+${name}\\s*$`, "m"));
    }
    assert.match(list, /^\d+\s+running\s+gateway\s*$/m);
    assert.match(list, /^\d+\s+running\s+postgres-exporter\s*$/m);
    const conf = node.ok(`pct config ${ids.postgres}`).stdout;
    for (const line of [
      "cores: 1",
      "memory: 1024",
      "swap: 0",
      "onboot: 1",
      "startup: order=10",
      "unprivileged: 1",
      "features: nesting=1",
      "tags: golive;staging;database",
    ]) {
      assert.ok(conf.split("\n").includes(line), `postgres's config has "${line}":\n${conf}`);
    }
    assert.match(
      conf,
      new RegExp(
        `^net0: name=eth0,bridge=${node.bridge},gw=${node.subnet}\\.1,hwaddr=\\S+,ip=${node.subnet}\\.${ids.postgres}/24,type=veth$`,
        "m",
      ),
    );
    assert.equal(
      node.inside(ids.postgres, "cat /sys/fs/cgroup/memory/memory.limit_in_bytes"),
      String(1024 << 20),
    );
  });

  it("the app's systemd unit runs as golive wrote it and answers the host at its static address", async () => {
    assert.equal(node.inside(ids.api, "systemctl is-active golive-api.service"), "active");
    assert.equal(node.address(ids.api), at(ids.api));
    const res = await get(`http://${at(ids.api)}:8080/`);
    assert.equal(res.status, 200);
    assert.equal(res.body, "psa-api /");
  });

  it("every container resolves every workload by name from golive's /etc/hosts block", () => {
    for (const id of [ids.api, ids.postgres, gatewayId, exporterId, replicaId]) {
      const hosts = node.inside(id, "cat /etc/hosts");
      assert.match(hosts, /^# --- BEGIN golive ---$/m, `CT ${id}`);
      assert.match(hosts, /^127\.0\.0\.1\s+localhost/m, `CT ${id} keeps the template's lines`);
      assert.match(hosts, /^# --- BEGIN PVE ---$/m, `CT ${id} keeps Proxmox's section`);
      for (const [name, want] of [
        ["postgres", ids.postgres],
        ["api", ids.api],
        ["gateway", gatewayId],
        ["postgres-exporter", exporterId],
        ["postgres-replica-1", replicaId],
        ["postgres-replica-1-exporter", replicaExporterId],
      ] as const) {
        assert.equal(
          node.inside(id, `getent hosts ${name} | cut -d" " -f1 | sort -u`),
          at(want),
          `CT ${id} resolves ${name}`,
        );
      }
    }
  });

  it("PostgreSQL runs as golive's unit on Debian's binaries, initialised by golive", () => {
    assert.match(node.inside(ids.postgres, "dpkg-query -W -f='${Version}' postgresql-15"), /^15\./);
    assert.equal(
      node.inside(ids.postgres, "systemctl is-active golive-postgres.service"),
      "active",
    );
    // Debian's own cluster (15/main, on 127.0.0.1:5432) is gone: golive's server is the one.
    assert.equal(node.inside(ids.postgres, "pg_lsclusters -h"), "");
    assert.match(
      node.inside(ids.postgres, "ps -o user=,args= -C postgres | head -1"),
      /^postgres\s+\/usr\/lib\/postgresql\/15\/bin\/postgres .*-c wal_level=replica/,
    );
    assert.equal(
      node.inside(
        ids.postgres,
        "runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -X -h /var/run/postgresql -U app -d app -tAc 'show data_directory'",
      ),
      "/var/lib/postgresql/data/pgdata",
    );
    // Listening on the container's address, not only on loopback.
    assert.match(node.inside(ids.postgres, "ss -Hltn sport = :5432"), /(0\.0\.0\.0|\*):5432/);
    assert.match(node.inside(ids.postgres, "cat /proc/self/uid_map"), /^0\s+100000\s+65536$/);
  });

  it("the app's container reaches PostgreSQL by name with its own credentials (psql -h postgres)", () => {
    const out = node.inside(
      ids.api,
      'set -a; . /etc/golive/api.env; set +a; PGPASSWORD="$DATABASE_PASSWORD" psql -X -h "$DATABASE_HOST" -U "$DATABASE_USER" -d "$DATABASE_NAME" -tAc "select inet_server_addr()::text || \' \' || current_user || \' \' || 6*7"',
    );
    assert.equal(out, `${at(ids.postgres)}/32 app 42`);
    // A wrong password is refused over the network (scram-sha-256 in golive's pg_hba.conf).
    const bad = node.run(
      `pct exec ${ids.api} -- env PGPASSWORD=wrong-password-for-test psql -X -h postgres -U app -d app -tAc "select 1"`,
    );
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /password authentication failed for user "app"/);
  });

  it("the replica streams from the primary through its slot, and the primary archives WAL", async () => {
    const sql = (id: number, q: string) =>
      node.inside(
        id,
        `runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -X -h /var/run/postgresql -U app -d app -tAc "${q}"`,
      );
    assert.equal(sql(replicaId, "select pg_is_in_recovery()"), "t");
    assert.equal(
      sql(ids.postgres, "select state from pg_stat_replication"),
      "streaming",
      "one standby streams",
    );
    assert.equal(
      sql(ids.postgres, "select active from pg_replication_slots where slot_name = 'replica_1'"),
      "t",
    );
    sql(ids.postgres, "create table golive_probe (v int); insert into golive_probe values (42)");
    let seen = "";
    for (let i = 0; i < 40 && seen !== "42"; i++) {
      seen = node
        .run(
          `pct exec ${replicaId} -- runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -X -h /var/run/postgresql -U app -d app -tAc "select v from golive_probe"`,
        )
        .stdout.trim();
      if (seen !== "42") await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(seen, "42", "a row written on the primary reaches the replica within 20 s");
    // The WAL archive: a switched segment is copied by archive_command.
    sql(ids.postgres, "select pg_switch_wal()");
    let archived = 0;
    for (let i = 0; i < 40 && archived === 0; i++) {
      archived = Number(sql(ids.postgres, "select archived_count from pg_stat_archiver"));
      if (archived === 0) await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(archived > 0, "a WAL segment was archived within 20 s");
    assert.equal(sql(ids.postgres, "select failed_count from pg_stat_archiver"), "0");
    assert.match(
      node.inside(ids.postgres, "ls /var/lib/postgresql/wal-archive"),
      /^[0-9A-F]{24}$/m,
    );
    const res = await get(`http://${at(replicaExporterId)}:9187/metrics`);
    assert.match(res.body, /^pg_up 1$/m, "the replica's exporter reads it");
  });

  it("the exporter reads PostgreSQL through its DSN: pg_up 1", async () => {
    const res = await get(`http://${at(exporterId)}:9187/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.body, /^pg_up 1$/m);
    assert.equal(
      node.inside(exporterId, "stat -c %a /etc/golive/postgres-exporter.env"),
      "600",
      "the DSN's env file is root's alone",
    );
  });

  it("the gateway answers TLS from the host through the bridge and routes to the app", async () => {
    assert.equal(node.inside(gatewayId, "systemctl is-active haproxy.service"), "active");
    assert.match(
      node.inside(gatewayId, "head -1 /etc/haproxy/haproxy.cfg"),
      /^# Generated by golive/,
    );
    const res = await get(`https://${at(gatewayId)}/anything`, {
      rejectUnauthorized: false,
      headers: { host: "erp.example.com" },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body, "psa-api /anything");
    const redirect = await get(`http://${at(gatewayId)}/`);
    assert.equal(redirect.status, 301);
  });

  it("no process on the host showed a secret on its command line during up", () => {
    const rounds = samples.split("\n---\n").length;
    assert.ok(rounds > 50, `the sampler ran through up (${rounds} samples)`);
    assert.match(samples, /pct exec \d+ --/, "the samples caught golive's pct commands");
    const secrets = {
      POSTGRES_PASSWORD: envValue(ids.postgres, "postgres", "POSTGRES_PASSWORD"),
      REPLICATION_PASSWORD: envValue(ids.postgres, "postgres", "REPLICATION_PASSWORD"),
      DATABASE_PASSWORD: envValue(ids.api, "api", "DATABASE_PASSWORD"),
    };
    figure("ps-samples-during-up-lxc-pve", String(rounds));
    for (const [name, value] of Object.entries(secrets)) {
      assert.ok(!samples.includes(value), `${name} appeared in a command line on the host`);
    }
  });

  it("a restarted container keeps golive's names (Proxmox rewrites only its own lines of /etc/hosts) and its service", async () => {
    node.ok(`pct stop ${ids.api} && pct start ${ids.api}`);
    node.waitBooted(ids.api);
    assert.equal(
      node.inside(ids.api, 'getent hosts postgres | cut -d" " -f1 | sort -u'),
      at(ids.postgres),
    );
    assert.match(node.inside(ids.api, "cat /etc/hosts"), /^# --- BEGIN PVE ---$/m);
    let res = { status: 0, body: "" };
    for (let i = 0; i < 20 && res.status !== 200; i++) {
      res = await get(`http://${at(ids.api)}:8080/`).catch(() => ({ status: 0, body: "" }));
      if (res.status !== 200) await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(res.status, 200, "the app's unit started at boot");
  });

  it("a second up changes nothing and restarts no container", () => {
    const before = node.initStart(ids.postgres);
    const up = p.pulumi(["up", "--yes", "--non-interactive", "--skip-preview"], 600);
    figure("up-noop-seconds-lxc-pve", up.seconds.toFixed(1));
    assert.equal(up.code, 0, up.output);
    assert.doesNotMatch(up.output, /\d+ (created|updated|deleted|replaced)/);
    assert.equal(node.initStart(ids.postgres), before, "postgres was not restarted");
  });

  it("a service that fails its health check fails the up, naming it and its journal", () => {
    // The stack file also holds the encrypted SSH key, and pulumi rewrote it: edit it as YAML.
    const file = path.join(p.dir, "Pulumi.lxc.yaml");
    const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
    const check = ["config", "golive:environment", "services", "api", "healthCheck"];
    doc.setIn([...check, "port"], 8099);
    for (const [k, v] of Object.entries({
      intervalSeconds: 1,
      timeoutSeconds: 1,
      retries: 2,
      startPeriodSeconds: 0,
    })) {
      doc.setIn([...check, k], v);
    }
    fs.writeFileSync(file, doc.toString());
    const up = p.pulumi(["up", "--yes", "--non-interactive", "--skip-preview"], 600);
    assert.notEqual(up.code, 0, up.output);
    assert.match(
      up.output,
      /golive: api did not become healthy within 4 s \(GET \/health on port 8099 failed\)/,
    );
    assert.match(up.output, /golive-api\.service/, "the end of its journal is shown");
  });

  it("destroy removes every container; the node then leaves nothing behind", () => {
    const d = p.pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"], 600);
    figure("destroy-seconds-lxc-pve", d.seconds.toFixed(1));
    assert.equal(d.code, 0, d.output);
    assert.equal(node.ok("pct list").stdout, "", "no container is left");
    const stop = node.stop();
    assert.equal(stop.code, 0, stop.output);
    assert.equal(node.leftovers(), "");
  });
});
