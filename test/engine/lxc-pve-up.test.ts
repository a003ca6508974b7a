/**
 * `pulumi up` of a small PSA-Platform subset (PostgreSQL 15, an app, the HAProxy gateway) through
 * golive's LXC runtime against the faithful Proxmox node of test/lxc/pve: real, unprivileged
 * containers, their packages installed from Debian through the host, the app answering the host
 * over the bridge. Four containers (the stack's gateway, postgres, its exporter and the app); the
 * last test destroys the stack and asserts that the node leaves nothing behind.
 */
import assert from "node:assert/strict";
import * as http from "node:http";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { figure, Project, repo } from "./harness";
import { PveNode } from "./pve-node";

const node = new PveNode(path.join(repo, "test", ".work", "pve-up-node"), 22025);
const ids = { postgres: 210, api: 211 };

const stack = `config:
  golive:environment:
    runtime: lxc
    tier: staging
    lxc:
      node: { host: 127.0.0.1, port: ${node.port}, user: root, privateKeyConfig: proxmoxSshKey }
      bridge: ${node.bridge}
      ids: { postgres: ${ids.postgres}, api: ${ids.api} }
    gateway: { domain: erp.example.com, proxy: haproxy, tls: { source: internal } }
    postgres:
      version: "15"
      pgbouncer: { enabled: false }
      backups: { enabled: false }
      resources: { limits: { cpu: "1", memory: 1Gi } }
    services:
      api:
        image: psa/api:1.2.3
        packages: [python3-minimal]
        command: ["/usr/bin/python3", "-m", "http.server", "8080"]
        ports: [{ name: http, port: 8080, public: true }]
        resources: { limits: { cpu: "1", memory: 256Mi } }
        healthCheck: { path: /, port: 8080 }
        dependsOn: [postgres]
`;

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 5000 }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url} within 5 s`)));
    req.on("error", reject);
  });
}

const isRoot = process.getuid?.() === 0;

describe("pulumi up on the faithful Proxmox node", { skip: !isRoot && "needs root" }, () => {
  let p: Project;
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
    const up = p.pulumi(["up", "--yes", "--non-interactive", "--skip-preview"], 900);
    figure("up-seconds-lxc-pve", up.seconds.toFixed(1));
    assert.equal(up.code, 0, up.output);
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
      new RegExp(`^net0: name=eth0,bridge=${node.bridge},hwaddr=\\S+,ip=dhcp,type=veth$`, "m"),
    );
    assert.equal(
      node.inside(ids.postgres, "cat /sys/fs/cgroup/memory/memory.limit_in_bytes"),
      String(1024 << 20),
    );
  });

  it("the app's systemd unit runs as golive wrote it and answers the host over the bridge", async () => {
    assert.equal(node.inside(ids.api, "systemctl is-active golive-api.service"), "active");
    const address = node.address(ids.api);
    assert.match(address, new RegExp(`^${node.subnet.replace(/\./g, "\\.")}\\.1\\d\\d$`));
    let res = { status: 0, body: "" };
    for (let i = 0; i < 20 && res.status !== 200; i++) {
      res = await get(`http://${address}:8080/`).catch(() => ({ status: 0, body: "" }));
      if (res.status !== 200) await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(res.status, 200);
    assert.match(res.body, /Directory listing for \//);
  });

  it("PostgreSQL 15 from Debian's packages runs inside its unprivileged container", () => {
    assert.match(node.inside(ids.postgres, "dpkg-query -W -f='${Version}' postgresql-15"), /^15\./);
    assert.equal(node.inside(ids.postgres, "runuser -u postgres -- psql -tAc 'select 6*7'"), "42");
    // golive installed the package through the node's proxy, from the host's own mirror.
    assert.match(node.inside(ids.postgres, "cat /proc/self/uid_map"), /^0\s+100000\s+65536$/);
  });

  it("a second up changes nothing and restarts no container", () => {
    const before = node.initStart(ids.postgres);
    const up = p.pulumi(["up", "--yes", "--non-interactive", "--skip-preview"], 600);
    figure("up-noop-seconds-lxc-pve", up.seconds.toFixed(1));
    assert.equal(up.code, 0, up.output);
    assert.doesNotMatch(up.output, /\d+ (created|updated|deleted|replaced)/);
    assert.equal(node.initStart(ids.postgres), before, "postgres was not restarted");
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
