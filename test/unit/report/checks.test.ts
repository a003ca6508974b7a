/**
 * The live check modules against the registry: each module names exactly the items that cite its
 * check ID, is bounded in time, and the pure parts (backup stamps, Redis replies) read what the
 * services write.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadChecklist } from "../../../report/checklist/registry";
import { liveChecks, runCheck } from "../../../report/checks";
import { dockerOnly, type CheckContext } from "../../../report/checks/check";
import { newestBackup } from "../../../report/checks/postgres-backup";
import { redisConfigValue } from "../../../report/checks/probe";

const checklist = loadChecklist();

const ctx = (runtime: "docker" | "kubernetes" | "lxc"): CheckContext => ({
  env: {
    runtime,
    tier: "dev",
    prefix: "golive-unit",
    workloads: ["api", "postgres"],
    apps: [{ name: "api", dependsOn: ["postgres"] }],
    hostPorts: {},
    postgres: {
      user: "app",
      database: "app",
      replicas: ["postgres-replica-1"],
      pgbouncer: true,
      walArchive: true,
      backupIntervalHours: 24,
    },
  },
  secrets: {},
  minCertDays: 30,
  restoreDrillDays: 30,
  runRestoreDrill: false,
  now: new Date("2026-12-01T10:00:00Z"),
});

describe("the live checks", () => {
  it("each names exactly the registry's items that cite its check ID, once, with a deadline", () => {
    const ids = liveChecks.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, "one module per check ID");
    for (const check of liveChecks) {
      const citing = checklist.items
        .filter(
          (i) => i.class === "verified" && Array.isArray(i.checks) && i.checks.includes(check.id),
        )
        .map((i) => i.id);
      assert.deepEqual([...check.items].sort(), citing.sort(), check.id);
      assert.ok(check.timeoutSeconds > 0 && check.timeoutSeconds <= 150, check.id);
    }
  });

  it("answers unknown with the reason where the runtime cannot be reached, never pass", async () => {
    const cases = [
      ["kubernetes", /on kubernetes not reached: the stack's outputs name no Kubernetes namespace/],
      ["lxc", /on lxc not reached: the stack's outputs name no Proxmox node/],
    ] as const;
    for (const [runtime, reason] of cases) {
      for (const id of ["service-healthy", "postgres-replication", "postgres-backup"] as const) {
        const r = await runCheck(
          liveChecks.find((c) => c.id === id)!,
          ctx(runtime),
        );
        assert.equal(r.status, "unknown", `${id} on ${runtime}`);
        assert.match(r.message, reason);
      }
    }
    const rendered = ctx("kubernetes");
    const r = await runCheck(
      liveChecks.find((c) => c.id === "service-healthy")!,
      {
        ...rendered,
        env: { ...rendered.env, kubernetes: { namespace: "golive-unit", renderedTo: "rendered" } },
      },
    );
    assert.equal(r.status, "unknown");
    assert.match(r.message, /renders its manifests to rendered instead of applying them/);
  });

  it("keeps dockerOnly for checks written for Docker alone", () => {
    assert.equal(dockerOnly(ctx("docker"), "x"), undefined);
    assert.deepEqual(dockerOnly(ctx("lxc"), "x"), {
      status: "unknown",
      message: "x is checked on Docker only so far; runtime lxc not reached",
    });
  });

  it("skips what the spec does not have, saying so", async () => {
    const r = await runCheck(
      liveChecks.find((c) => c.id === "gpu-visible")!,
      ctx("docker"),
    );
    assert.deepEqual([r.status, r.message], ["skipped", "no service of the spec asks for a GPU"]);
  });

  it("turns an error into unknown naming what it tried", async () => {
    const broken = { ...liveChecks[0], run: () => Promise.reject(new Error("docker: not found")) };
    const r = await runCheck(broken, ctx("docker"));
    assert.deepEqual([r.status, r.message], ["unknown", "could not look: docker: not found"]);
  });

  it("stops a check at its deadline and answers unknown", async () => {
    const slow = {
      ...liveChecks[0],
      timeoutSeconds: 0.05,
      run: () => new Promise<never>(() => {}),
    };
    const r = await runCheck(slow, ctx("docker"));
    assert.deepEqual([r.status, r.message], ["unknown", "no answer within 0.05 s"]);
  });

  it("reads the newest finished backup from the backup folder's listing", () => {
    const b = newestBackup(
      "20261130T080000Z\n20261201T080000Z\n20261201T090000Z.partial\n.last-success\n",
    );
    assert.equal(b?.stamp, "20261201T080000Z");
    assert.equal(b?.at.toISOString(), "2026-12-01T08:00:00.000Z");
    assert.equal(newestBackup(".last-success\n"), undefined);
  });

  it("reads CONFIG GET replies out of Redis' reply stream", () => {
    const replies =
      "+OK\r\n*2\r\n$10\r\nappendonly\r\n$3\r\nyes\r\n*2\r\n$16\r\nmaxmemory-policy\r\n$11\r\nallkeys-lru\r\n+OK\r\n";
    assert.equal(redisConfigValue(replies, "appendonly"), "yes");
    assert.equal(redisConfigValue(replies, "maxmemory-policy"), "allkeys-lru");
    assert.equal(redisConfigValue(replies, "maxmemory"), undefined);
  });
});
