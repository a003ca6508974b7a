/**
 * The LXC runtime for real over SSH: `pulumi up` runs golive's pct scripts through the command
 * provider against an SSH server on 127.0.0.1 whose `pct` and `ha-manager` are stand-ins that
 * keep state and log every call (test/lxc). No Proxmox node is reachable here, so the stand-ins
 * prove what the scripts run, not what Proxmox does with it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { figure, Project, repo } from "./harness";

const dir = path.join(repo, "test", ".work", "fake-proxmox");
const port = 22022;
const script = path.join(repo, "test", "lxc", "fake-proxmox.sh");
const calls = () => fs.readFileSync(path.join(dir, "state", "calls.log"), "utf8");
const containers = () => fs.readdirSync(path.join(dir, "state", "ct")).sort();

const execScripts = () => fs.readFileSync(path.join(dir, "state", "exec-scripts.log"), "utf8");
/** The CT-ID the log shows the gateway was created with. */
const gatewayId = () => /pct create (\d+) \S+ --hostname gateway /.exec(calls())?.[1];

const stack = (cores: string) => `config:
  golive:environment:
    runtime: lxc
    tier: production
    lxc:
      node: { host: 127.0.0.1, port: ${port}, user: root, privateKeyConfig: proxmoxSshKey }
      ids: { postgres: 200, api: 100 }
    gateway: { domain: erp.example.com, proxy: haproxy, tls: { source: internal } }
    postgres:
      version: "15"
      pgbouncer: { enabled: false }
      backups: { enabled: false }
      resources: { limits: { cpu: "2", memory: 2Gi } }
    services:
      api:
        image: psa/api:1.2.3
        command: ["node", "/opt/psa/api/dist/main.js"]
        ports: [{ name: http, port: 3000 }]
        resources: { limits: { cpu: "${cores}", memory: 1Gi } }
        secretEnv: { JWT_SECRET: { generate: { length: 48 } } }
        healthCheck: { path: /health, port: 3000 }
        dependsOn: [postgres]
      web:
        image: psa/web
        command: ["node", "/opt/psa/web/main.js"]
        ports: [{ name: http, port: 8080, public: true }]
        resources: { limits: { cpu: 500m, memory: 512Mi } }
        healthCheck: { path: /health, port: 8080 }
        blueGreen: { active: blue, blue: "1.0.0", green: "1.1.0" }
`;

describe("the LXC runtime over SSH", () => {
  let p: Project;
  before(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    const start = spawnSync(script, ["start", dir, String(port)], { encoding: "utf8" });
    assert.equal(start.status, 0, start.stderr);
    p = new Project("lxc-fake-proxmox", "lxc", stack("1"));
    const key = fs.readFileSync(path.join(dir, "id_ed25519"), "utf8");
    const set = spawnSync("pulumi", ["config", "set", "--secret", "golive:proxmoxSshKey"], {
      cwd: p.dir,
      input: key,
      encoding: "utf8",
      env: {
        ...process.env,
        PULUMI_BACKEND_URL: `file://${path.join(p.dir, "backend")}`,
        PULUMI_CONFIG_PASSPHRASE: process.env.GOLIVE_DEV_PASSPHRASE,
      },
    });
    assert.equal(set.status, 0, set.stderr);
  });
  after(() => {
    spawnSync(script, ["stop", dir]);
  });

  it("up creates each container with its CT-ID, facts, start order and HA", () => {
    const up = p.pulumi(["up", "--yes", "--non-interactive", "--skip-preview"]);
    figure("up-seconds-lxc-fake-proxmox", up.seconds.toFixed(1));
    assert.equal(up.code, 0, up.output);
    const log = calls();
    assert.match(
      log,
      /pct create 200 \S+ --hostname postgres --cores 2 --memory 2048 .*--onboot 1 --startup order=10 --unprivileged 1/,
    );
    assert.match(
      log,
      /pct create 100 \S+ --hostname api --cores 1 --memory 1024 .*--startup order=50/,
    );
    assert.match(log, /ha-manager add ct:200 --state started/);
    assert.ok(
      log.indexOf("pct create 200") < log.indexOf("pct create 100"),
      "the database container is created first",
    );
    assert.ok(containers().includes("100") && containers().includes("200"));
    assert.match(log, /pct exec 100 -- systemctl restart golive-api\.service/);
    // The blue/green switch: HAProxy's runtime API, run inside the gateway's container.
    const gw = gatewayId();
    assert.ok(gw, "the gateway has a container");
    assert.match(log, new RegExp(`pct exec ${gw} -- sh -s`));
    assert.ok(log.lastIndexOf(`pct exec ${gw} -- sh -s`) > log.indexOf("--hostname web-green"));
    assert.match(execScripts(), /set server be_default\/web_blue_8080 weight 100"/);
    assert.match(execScripts(), /set server be_default\/web_green_8080 weight 0"/);
  });

  it("a second up changes nothing", () => {
    const before = calls().length;
    const up = p.pulumi(["up", "--yes", "--non-interactive", "--skip-preview"]);
    assert.equal(up.code, 0, up.output);
    assert.match(up.output, /(\d+ unchanged|Resources:\s+\d+ unchanged)/);
    assert.equal(calls().length, before, "no pct call on a no-op up");
  });

  it("a changed size is applied in place with pct set, not by destroying the container", () => {
    // Edit the stack file in place: it also holds the encrypted SSH key set before.
    fs.writeFileSync(
      path.join(p.dir, "Pulumi.lxc.yaml"),
      fs.readFileSync(path.join(p.dir, "Pulumi.lxc.yaml"), "utf8").replace('cpu: "1"', 'cpu: "2"'),
    );
    const before = calls().length;
    const up = p.pulumi(["up", "--yes", "--non-interactive", "--skip-preview"]);
    assert.equal(up.code, 0, up.output);
    const changes = calls().slice(before);
    assert.match(changes, /pct set 100 --hostname api --cores 2/);
    assert.doesNotMatch(changes, /pct destroy 100/);
    assert.match(
      fs.readFileSync(path.join(dir, "state", "ct", "100", "config"), "utf8"),
      /cores: 2/,
    );
  });

  it("a switch runs only the switch in the gateway: no container is created, changed or destroyed", () => {
    fs.writeFileSync(
      path.join(p.dir, "Pulumi.lxc.yaml"),
      fs
        .readFileSync(path.join(p.dir, "Pulumi.lxc.yaml"), "utf8")
        .replace("active: blue", "active: green"),
    );
    const before = calls().length;
    const scriptsBefore = execScripts().length;
    const up = p.pulumi(["up", "--yes", "--non-interactive", "--skip-preview"]);
    assert.equal(up.code, 0, up.output);
    const changes = calls().slice(before);
    assert.equal(changes.trim(), `pct exec ${gatewayId()} -- sh -s`);
    const script = execScripts().slice(scriptsBefore);
    assert.match(script, /set server be_default\/web_blue_8080 weight 0"/);
    assert.match(script, /set server be_default\/web_green_8080 weight 100"/);
  });

  it("destroy removes every container and its HA registration", () => {
    const d = p.pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
    assert.equal(d.code, 0, d.output);
    assert.match(calls(), /pct destroy 100 --purge 1/);
    assert.match(calls(), /pct destroy 200 --purge 1/);
    assert.deepEqual(containers(), []);
    assert.equal(fs.readFileSync(path.join(dir, "state", "ha"), "utf8").trim(), "");
  });
});
