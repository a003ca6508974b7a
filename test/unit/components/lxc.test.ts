import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { byType, isSecret, one, recordResources, reveal, settle, type Recorded } from "../mocks";
import { specFor } from "./fixtures";

const recorded: Recorded[] = recordResources();
pulumi.runtime.setAllConfig({ "golive:openaiKey": "sk-test" }, ["golive:openaiKey"]);

describe("the Proxmox LXC runtime", () => {
  before(async () => {
    const { Environment } = await import("../../../components/environment");
    new Environment("golive-test", {
      spec: specFor({
        runtime: "lxc",
        tier: "production",
        lxc: {
          node: { host: "pve1.example.internal" },
          ids: { postgres: 110, api: 200 },
          firstId: 300,
        },
        gateway: { domain: "erp.example.com", tls: { source: "acme", email: "ops@example.com" } },
      }),
    });
    await settle();
  });

  it("creates each container with pct, its facts as structured environment", () => {
    const ct = one(recorded, "command:remote:Command", "golive-test-api-ct");
    assert.equal(ct.inputs.environment.GOLIVE_CT_ID, "200");
    assert.equal(ct.inputs.environment.GOLIVE_CT_CORES, "1");
    assert.equal(ct.inputs.environment.GOLIVE_CT_MEMORY_MB, "512");
    assert.equal(ct.inputs.environment.GOLIVE_CT_HA, "1", "production registers with HA");
    assert.match(ct.inputs.create, /pct create "\$GOLIVE_CT_ID"/);
    assert.match(ct.inputs.update, /pct set "\$GOLIVE_CT_ID"/);
    assert.match(ct.inputs.delete, /pct destroy "\$GOLIVE_CT_ID" --purge 1/);
    assert.equal(reveal<{ host: string }>(ct.inputs.connection).host, "pve1.example.internal");
  });

  it("keeps fixed CT-IDs and allocates the rest from firstId", () => {
    const ids = Object.fromEntries(
      byType(recorded, "command:remote:Command")
        .filter((c) => c.name.endsWith("-ct"))
        .map((c) => [c.name, c.inputs.environment.GOLIVE_CT_ID]),
    );
    assert.equal(ids["golive-test-postgres-ct"], "110");
    assert.equal(ids["golive-test-api-ct"], "200");
    // The rest in name order from firstId: gateway, ocr, pgbouncer, postgres-backup, …
    assert.equal(ids["golive-test-gateway-ct"], "300");
    assert.equal(ids["golive-test-ocr-ct"], "301");
    assert.equal(ids["golive-test-pgbouncer-ct"], "302");
    const all = Object.values(ids);
    assert.equal(new Set(all).size, all.length, "no CT-ID is used twice");
  });

  it("orders start-up: database before apps before the gateway", () => {
    const order = (n: string) =>
      Number(
        one(recorded, "command:remote:Command", `golive-test-${n}-ct`).inputs.environment
          .GOLIVE_CT_START_ORDER,
      );
    assert.ok(order("postgres") < order("api"));
    assert.ok(order("api") < order("gateway"));
  });

  it("provisions the service from packages and systemd, secrets only in its secret environment", () => {
    const svc = one(recorded, "command:remote:Command", "golive-test-ocr-service");
    assert.match(svc.inputs.create, /systemctl enable golive-ocr\.service/);
    assert.match(
      one(recorded, "command:remote:Command", "golive-test-ocr-start").inputs.create,
      /systemctl restart golive-ocr\.service/,
    );
    assert.match(
      reveal<Record<string, string>>(svc.inputs.environment).GOLIVE_UNIT,
      /ExecStart=python -m ocr\.worker/,
    );
    const api = one(recorded, "command:remote:Command", "golive-test-api-service");
    assert.ok(
      isSecret(api.inputs.environment),
      "the environment carrying secrets is itself secret",
    );
    assert.match(api.inputs.create, /\| golive_push \/etc\/golive\/api\.env 0600/);
    assert.doesNotMatch(api.inputs.create, /s{48}/, "no secret value in the command text");
  });

  it("makes the volumes' folders owned by the service's user, postgres, after the packages", () => {
    const pg = one(recorded, "command:remote:Command", "golive-test-postgres-service");
    const script = String(pg.inputs.create);
    const install = script.indexOf("apt-get install");
    for (const dir of ["/var/lib/postgresql/data", "/var/lib/postgresql/wal-archive"]) {
      const chown = script.indexOf(`install -d ${dir} && chown postgres: ${dir}`);
      assert.ok(chown > 0, script);
      assert.ok(install < chown, "the postgres user exists by then");
    }
  });

  it("installs packages without their recommendations and without starting their services", () => {
    const pg = one(recorded, "command:remote:Command", "golive-test-postgres-service");
    const line = String(pg.inputs.create)
      .split("\n")
      .find((l) => l.includes("apt-get install"));
    assert.ok(line);
    const steps = line.split("; ");
    const refuse = steps.findIndex((s) => s.includes('exit 101\\n" > /usr/sbin/policy-rc.d'));
    const install = steps.findIndex((s) =>
      s.includes("apt-get install -y -qq --no-install-recommends postgresql-"),
    );
    const removed = steps.findIndex((s) => s === "rm -f /usr/sbin/policy-rc.d");
    assert.ok(refuse >= 0 && refuse < install && install < removed, line);
    assert.match(line, /exit \$rc'$/, "the install's own status is the line's");
  });

  it("installs the gateway from Debian's caddy package with the generated Caddyfile", () => {
    const gw = one(recorded, "command:remote:Command", "golive-test-gateway-service");
    assert.match(gw.inputs.create, /apt-get install -y -qq --no-install-recommends caddy/);
    assert.match(
      one(recorded, "command:remote:Command", "golive-test-gateway-start").inputs.create,
      /systemctl restart caddy\.service/,
    );
  });
});

describe("golive's systemd unit on LXC", () => {
  it("writes a script's newlines and $ so that systemd runs it as written and substitutes nothing", async () => {
    const { systemdUnit } = await import("../../../components/runtime/lxc/pct");
    const { splitUnitLine } = await import("../../../policies/lib/workloads");
    const script =
      'set -eu\nstamp=$(date -u +%Y%m%d)\nPGPASSWORD="$REPLICATION_PASSWORD" pg_basebackup -D "/b/$stamp"';
    const unit = systemdUnit("postgres-backup", ["bash", "-c", script], "postgres");
    const exec = /^ExecStart=(.*)$/m.exec(unit)?.[1] ?? "";
    // One line; no "$" systemd would expand (a secret's value would land on the command line).
    assert.equal(unit.split("\n").filter((l) => l.startsWith("ExecStart=")).length, 1);
    assert.doesNotMatch(exec.replaceAll("$$", ""), /\$/);
    assert.doesNotMatch(exec.replaceAll("%%", ""), /%/);
    // The pack reads back the words systemd runs.
    assert.deepEqual(splitUnitLine(exec), ["bash", "-c", script]);
  });
});
