/**
 * Conformance of the faithful Proxmox node (test/lxc/pve) with Proxmox VE's documented behaviour,
 * for each `pct` / `ha-manager` option golive uses: real containers are created, started and
 * inspected from inside and from the host, reached over SSH on 127.0.0.1 exactly as golive reaches
 * a node. At most three containers exist at a time; every call has a timeout; the last test stops
 * the node and asserts that no container, veth, bridge, mount, loop device, firewall chain or
 * process of it is left.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { figure, repo } from "./harness";
import { PveNode } from "./pve-node";

const dir = path.join(repo, "test", ".work", "pve-conformance");
const node = new PveNode(dir, 22024);
const template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";
const { bridge, subnet } = node;

/** Reads what a TCP listener at address:port answers, from the host. */
function readFrom(address: string, p: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: address, port: p, timeout: 5000 });
    let data = "";
    s.on("data", (d) => (data += d.toString()));
    s.on("end", () => resolve(data));
    s.on("timeout", () => {
      s.destroy();
      reject(new Error(`no answer from ${address}:${p} within 5 s`));
    });
    s.on("error", reject);
  });
}

const isRoot = process.getuid?.() === 0;

describe("the faithful Proxmox node on real LXC", { skip: !isRoot && "needs root" }, () => {
  before(() => {
    figure("pve-node-start-seconds", node.start().toFixed(1));
  });
  after(() => {
    // A safety net for a failed run; the last test asserts that stopping leaves nothing.
    node.stop();
  });

  it("pct create writes Proxmox's config: every option golive passes, normalised", () => {
    const r = node.ok(
      `pct create 201 ${template} --hostname web-a --cores 1 --memory 256 --swap 0 ` +
        `--rootfs local-lvm:2 --net0 name=eth0,bridge=${bridge},ip=${subnet}.21/24,gw=${subnet}.1 ` +
        `--onboot 1 --startup order=2,up=3 --unprivileged 1 --features nesting=1 ` +
        `--tags "golive;staging;web"`,
    );
    figure("pve-create-seconds", r.seconds.toFixed(1));
    assert.match(r.stdout, /extracting archive '.*debian-12-standard_12\.7-1_amd64\.tar\.zst'/);
    const conf = node.ok("pct config 201").stdout;
    for (const line of [
      "arch: amd64",
      "cores: 1",
      "features: nesting=1",
      "hostname: web-a",
      "memory: 256",
      "onboot: 1",
      "ostype: debian",
      "rootfs: local-lvm:vm-201-disk-0,size=2G",
      "startup: order=2,up=3",
      "swap: 0",
      "tags: golive;staging;web",
      "unprivileged: 1",
    ]) {
      assert.ok(conf.split("\n").includes(line), `config has "${line}":\n${conf}`);
    }
    // Proxmox adds a MAC from its own prefix (BC:24:11) and the default type.
    assert.match(
      conf,
      new RegExp(
        `^net0: name=eth0,bridge=${bridge},gw=${subnet}\\.1,hwaddr=BC:24:11(:[0-9A-F]{2}){3},ip=${subnet}\\.21/24,type=veth$`,
        "m",
      ),
    );
    const keys = conf
      .trim()
      .split("\n")
      .map((l) => l.split(":")[0]);
    assert.deepEqual(keys, [...keys].sort(), "keys in Proxmox's sorted order");
    assert.equal(node.ok("pct status 201").stdout, "status: stopped\n");
  });

  it("pct start: cores, memory, swap, hostname, address, id map, nesting and disk size are real", async () => {
    const s = node.ok("pct start 201");
    figure("pve-start-seconds", s.seconds.toFixed(2));
    figure("pve-boot-seconds", node.waitBooted(201).toFixed(1));
    assert.equal(node.ok("pct status 201").stdout, "status: running\n");
    assert.equal(node.inside(201, "nproc"), "1");
    assert.equal(
      node.inside(201, "cat /sys/fs/cgroup/memory/memory.limit_in_bytes"),
      String(256 << 20),
    );
    assert.equal(
      node.inside(201, "cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"),
      String(256 << 20),
      "swap 0: memory+swap equals memory",
    );
    assert.equal(node.inside(201, "hostname"), "web-a");
    assert.match(
      node.inside(201, "ip -4 -o addr show eth0"),
      new RegExp(`inet ${subnet}\\.21/24 `),
    );
    assert.match(
      node.inside(201, "ip route show default"),
      new RegExp(`default via ${subnet}\\.1 `),
    );
    assert.match(node.inside(201, "cat /proc/self/uid_map"), /^0\s+100000\s+65536$/);
    assert.equal(node.inside(201, "test -d /dev/.lxc/proc && echo nested"), "nested");
    const bytes = Number(node.inside(201, "df -B1 --output=size / | tail -1"));
    assert.ok(bytes > 1.7e9 && bytes <= 2 * 2 ** 30, `a 2 GiB root filesystem, got ${bytes}`);
    // The host reaches the container over the bridge: a socket-activated hostname service.
    node.ok(
      `pct exec 201 -- systemd-run --unit=answer systemd-socket-activate -l ${subnet}.21:7 --inetd -a hostname`,
    );
    let answer = "";
    for (let i = 0; i < 20 && answer === ""; i++) {
      answer = await readFrom(`${subnet}.21`, 7).catch(() => "");
      if (answer === "") await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(answer, "web-a\n");
    // Proxmox's columns, padded: %-10s %-10s %-12s %-20s.
    const list = node.ok("pct list").stdout.split("\n");
    assert.equal(list[0], "VMID       Status     Lock         Name                ");
    assert.equal(list[1], "201        running                 web-a               ");
  });

  it("pct set changes cores, memory and swap of a running container at once", () => {
    node.ok("pct set 201 --cores 2 --memory 512 --swap 128");
    assert.equal(node.inside(201, "nproc"), "2");
    assert.equal(
      node.inside(201, "cat /sys/fs/cgroup/memory/memory.limit_in_bytes"),
      String(512 << 20),
    );
    assert.equal(
      node.inside(201, "cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"),
      String(640 << 20),
    );
    node.ok("pct set 201 --memory 256 --swap 0 --cores 1");
    assert.equal(node.inside(201, "nproc"), "1");
    assert.equal(
      node.inside(201, "cat /sys/fs/cgroup/memory/memory.limit_in_bytes"),
      String(256 << 20),
    );
    assert.match(node.ok("pct config 201").stdout, /^cores: 1$/m);
  });

  it("pct push writes a file with its mode and owner; pct exec passes stdin and the exit code", () => {
    const src = path.join(dir, "pushed.txt");
    fs.writeFileSync(src, "golive was here\n");
    node.ok(`pct push 201 ${src} /etc/golive-pushed --perms 0600 --user 0 --group 0`);
    assert.equal(node.inside(201, "stat -c '%a %u %g' /etc/golive-pushed"), "600 0 0");
    assert.equal(node.inside(201, "cat /etc/golive-pushed"), "golive was here");
    // Octal without the leading 0; names are the container's; a new file is 0666 less the umask.
    node.ok(`pct push 201 ${src} /tmp/pushed --perms 640 --user nobody --group nogroup`);
    assert.equal(node.inside(201, "stat -c '%a %U %G' /tmp/pushed"), "640 nobody nogroup");
    node.ok(`pct push 201 ${src} /tmp/pushed-plain`);
    assert.equal(node.inside(201, "stat -c '%a %u %g' /tmp/pushed-plain"), "644 0 0");
    // An existing file keeps its mode and owner.
    node.ok(`pct push 201 ${src} /tmp/pushed`);
    assert.equal(node.inside(201, "stat -c '%a %U %G' /tmp/pushed"), "640 nobody nogroup");
    assert.equal(
      node.run(`pct push 201 ${src} /tmp/x --user no-such-user`).stderr.trim(),
      "failed to get uid for: no-such-user",
    );
    const script = node.ok("pct exec 201 -- sh -s", { input: "echo from-stdin; hostname\n" });
    assert.equal(script.stdout, "from-stdin\nweb-a\n");
    assert.equal(node.run("pct exec 201 -- sh -c 'exit 7'").code, 7);
    const missing = node.run(`pct push 201 ${dir}/no-such-file /tmp/x`);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /failed to open .*no-such-file for reading/);
  });

  it("pct resize grows the root filesystem (at once, or at the next start) and refuses to shrink it", () => {
    node.ok("pct resize 201 rootfs 3G");
    assert.match(node.ok("pct config 201").stdout, /^rootfs: local-lvm:vm-201-disk-0,size=3G$/m);
    const shrink = node.run("pct resize 201 rootfs 2G");
    assert.notEqual(shrink.code, 0);
    assert.equal(shrink.stderr.trim(), "unable to shrink disk size");
    node.ok("pct resize 201 rootfs +1G");
    assert.match(node.ok("pct config 201").stdout, /^rootfs: local-lvm:vm-201-disk-0,size=4G$/m);
    // Where the node cannot grow a mounted filesystem (see README), a restart applies it.
    node.ok("pct stop 201");
    node.ok("pct start 201");
    node.waitBooted(201);
    const bytes = Number(node.inside(201, "df -B1 --output=size / | tail -1"));
    assert.ok(bytes > 3.7e9 && bytes <= 4 * 2 ** 30, `a 4 GiB root filesystem, got ${bytes}`);
  });

  it("errors read as Proxmox's: unknown VMID, duplicate, bad options, running destroy", () => {
    const unknown = node.run("pct status 299");
    assert.equal(unknown.code, 2);
    assert.equal(
      unknown.stderr.trim(),
      "Configuration file 'nodes/pve/lxc/299.conf' does not exist",
    );
    const dup = node.run(`pct create 201 ${template}`);
    assert.notEqual(dup.code, 0);
    assert.equal(dup.stderr.trim(), "CT 201 already exists on node 'pve'");
    const bad = node.run(
      `pct create 202 ${template} --cores abc --memory 8 --startup first --features nesting=1,bogus=1`,
    );
    assert.notEqual(bad.code, 0);
    assert.deepEqual(bad.stderr.trim().split("\n"), [
      "400 Parameter verification failed.",
      "cores: type check ('integer') failed - got 'abc'",
      "memory: value must have a minimum value of 16",
      "startup: invalid format - unable to parse startup options",
      "features: invalid format - format error",
      "features.bogus: property is not defined in schema and the schema does not allow additional properties",
      "pct create <vmid> <ostemplate> [OPTIONS]",
    ]);
    const badNet = node.run(`pct create 202 ${template} --net0 bridge=${bridge},ip=300.1.1.1/24`);
    assert.match(
      badNet.stderr,
      /^net0\.ip: invalid format - value does not look like a valid ipv4 network configuration$/m,
    );
    assert.match(badNet.stderr, /^net0\.name: property is missing and it is not optional$/m);
    const unknownOption = node.run(`pct create 202 ${template} --frobnicate 1`);
    assert.match(unknownOption.stderr, /^Unknown option: frobnicate\n400 unable to parse option/);
    const vmid = node.run(`pct create 99 ${template}`);
    assert.match(vmid.stderr, /^vmid: invalid format - value does not look like a valid VM ID$/m);
    const readOnly = node.run("pct set 201 --unprivileged 0");
    assert.match(readOnly.stderr, /^unprivileged: unable to modify read-only option$/m);
    const template404 = node.run("pct create 202 local:vztmpl/debian-99-none.tar.zst");
    assert.equal(
      template404.stderr.trim(),
      "unable to create CT 202 - can't find file 'local:vztmpl/debian-99-none.tar.zst'",
    );
    const running = node.run("pct destroy 201");
    assert.notEqual(running.code, 0);
    assert.equal(running.stderr.trim(), "unable to destroy CT 201 - container is running");
    assert.equal(node.run("pct start 201").stderr.trim(), "CT 201 already running");
    assert.match(node.ok("pct list").stdout, /^201\s+running/m, "nothing was created or destroyed");
    assert.doesNotMatch(node.ok("pct list").stdout, /^202/m);
  });

  it("a privileged container with ip=dhcp gets no id map and an address from the bridge's DHCP", () => {
    node.ok(
      `pct create 202 ${template} --hostname db-a --cores 2 --memory 512 --swap 0 ` +
        `--rootfs local-lvm:3 --net0 name=eth0,bridge=${bridge},ip=dhcp ` +
        `--onboot 1 --startup order=1,up=2 --unprivileged 0`,
    );
    assert.doesNotMatch(node.ok("pct config 202").stdout, /^unprivileged: 1$/m);
    node.ok("pct start 202");
    node.waitBooted(202);
    assert.match(node.inside(202, "cat /proc/self/uid_map"), /^0\s+0\s+4294967295$/);
    assert.equal(node.inside(202, "nproc"), "2");
    assert.equal(node.inside(202, "test -d /dev/.lxc && echo nested || echo flat"), "flat");
    let addr = "";
    for (let i = 0; i < 30 && !addr.includes(`inet ${subnet}.1`); i++) {
      addr = node.inside(202, "ip -4 -o addr show eth0; sleep 1");
    }
    assert.match(addr, new RegExp(`inet ${subnet}\\.1\\d\\d/24 `), "a lease from .100-.199");
  });

  it("pvesh startall starts onboot containers by order, waiting each one's up delay", () => {
    node.ok(
      `pct create 203 ${template} --hostname off-a --memory 128 --swap 0 --rootfs local-lvm:1 ` +
        `--net0 name=eth0,bridge=${bridge},ip=${subnet}.23/24 --onboot 0 --startup order=0`,
    );
    // Without --unprivileged, Proxmox VE 9 creates an unprivileged container.
    assert.match(node.ok("pct config 203").stdout, /^unprivileged: 1$/m);
    node.ok("pct stop 201");
    node.ok("pct stop 202");
    const boot = node.ok("pvesh create /nodes/pve/startall", { timeout: 60 });
    assert.deepEqual(boot.stderr.trim().split("\n"), [
      "Starting CT 202",
      "Waiting for 2 seconds (startup delay)",
      "Starting CT 201",
      "Waiting for 3 seconds (startup delay)",
    ]);
    const gap = node.initStart(201) - node.initStart(202);
    figure("pve-startall-gap-seconds", gap.toFixed(2));
    assert.ok(gap >= 2 && gap < 5, `CT 201 started 2 s after CT 202 (up=2), got ${gap}`);
    assert.equal(node.ok("pct status 203").stdout, "status: stopped\n", "onboot 0 stays stopped");
    assert.equal(node.run("pct exec 203 -- true").stderr.trim(), "container '203' not running!");
    assert.equal(
      node.run(`pct push 203 ${path.join(dir, "pushed.txt")} /tmp/x`).stderr.trim(),
      "can only push files to a running CT",
    );
    node.waitBooted(201);
    assert.equal(
      node.inside(201, "hostname"),
      "web-a",
      "the container restarted with its settings",
    );
  });

  it("ha-manager add/set/remove keep HA state, start and stop the resource as its LRM would", () => {
    node.ok("ha-manager add ct:203 --state started");
    assert.equal(node.ok("pct status 203").stdout, "status: running\n", "HA started CT 203");
    assert.match(node.ok("ha-manager status").stdout, /^quorum OK$/m);
    assert.match(node.ok("ha-manager status").stdout, /^service ct:203 \(pve, started\)$/m);
    assert.match(node.ok("ha-manager config").stdout, /^ct:203\n\tstate started$/m);
    assert.equal(
      node.run("ha-manager add ct:203").stderr.trim(),
      "resource ID 'ct:203' already defined",
    );
    const destroy = node.run("pct destroy 203 --force 1");
    assert.equal(
      destroy.stderr.trim(),
      "unable to remove CT 203 - used in HA resources and purge parameter not set.",
    );
    node.ok("ha-manager set ct:203 --state stopped");
    assert.equal(node.ok("pct status 203").stdout, "status: stopped\n", "HA stopped CT 203");
    assert.match(node.ok("ha-manager status").stdout, /^service ct:203 \(pve, stopped\)$/m);
    // startall leaves HA resources to HA, even with --force (which includes onboot 0 guests).
    const boot = node.ok("pvesh create /nodes/pve/startall --force 1", { timeout: 60 });
    assert.doesNotMatch(boot.stderr, /CT 203/);
    assert.equal(node.ok("pct status 203").stdout, "status: stopped\n");
    node.ok("ha-manager remove ct:203");
    assert.doesNotMatch(node.ok("ha-manager status").stdout, /ct:203/);
    assert.equal(
      node.run("ha-manager remove ct:203").stderr.trim(),
      "cannot delete service 'ct:203', not HA managed!",
    );
  });

  it("apt inside reaches Debian only through the host's proxy; the bridge has no way out", () => {
    const update = node.ok("pct exec 201 -- apt-get update -q", { timeout: 180 });
    figure("pve-apt-update-seconds", update.seconds.toFixed(1));
    const log = fs.readFileSync(path.join(dir, "apt-proxy.log"), "utf8");
    assert.match(log, /^ALLOW GET http:\/\/deb\.debian\.org\/debian\/dists\/bookworm\/InRelease$/m);
    // Another host through the proxy is refused without the proxy connecting anywhere.
    const refused = node.inside(
      201,
      `exec 3<>/dev/tcp/${subnet}.1/3142; printf "GET http://example.invalid/ HTTP/1.0\\r\\n\\r\\n" >&3; head -1 <&3`,
    );
    assert.match(refused, /^HTTP\/1\.[01] 403/);
    assert.match(
      fs.readFileSync(path.join(dir, "apt-proxy.log"), "utf8"),
      /^DENY GET http:\/\/example\.invalid\//m,
    );
    // Forwarding: the node's chain, jumped to from FORWARD, drops whatever would leave the bridge.
    const forward = spawnSync("iptables", ["-S", "FORWARD"], { encoding: "utf8" }).stdout;
    assert.ok(forward.split("\n").includes("-A FORWARD -j GOLIVE-PVE"), forward);
    const chain = spawnSync("iptables", ["-S", "GOLIVE-PVE"], { encoding: "utf8" }).stdout;
    assert.match(chain, new RegExp(`^-A GOLIVE-PVE -i ${bridge} -o ${bridge} -j ACCEPT$`, "m"));
    assert.match(chain, new RegExp(`^-A GOLIVE-PVE -i ${bridge} -j DROP$`, "m"));
  });

  it("pct destroy --force stops and removes a running container, its disk and its veth", () => {
    const image = path.join(
      dir,
      "root",
      "var",
      "lib",
      "vz-lvm",
      "images",
      "202",
      "vm-202-disk-0.raw",
    );
    assert.ok(fs.existsSync(image));
    assert.ok(fs.existsSync("/sys/class/net/veth202i0"));
    node.ok("pct destroy 202 --force 1 --purge 1");
    assert.equal(node.run("pct status 202").code, 2);
    assert.ok(!fs.existsSync(image), "the disk image is gone");
    assert.ok(!fs.existsSync("/sys/class/net/veth202i0"), "the veth is gone");
    node.ok("pct stop 201");
    node.ok("pct destroy 201");
    node.ok("pct destroy 203");
    assert.equal(node.ok("pct list").stdout, "", "no containers: no output, no header");
  });

  it("stopping the node leaves no container, veth, bridge, mount, loop, chain or process", () => {
    const stop = node.stop();
    assert.equal(stop.code, 0, stop.output);
    assert.equal(node.leftovers(), "", "nothing of the node is left");
  });
});
