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
import { tail } from "../../../report/checks/app-smoke";
import { matchesPattern } from "../../../report/checks/elasticsearch-indices";
import { credentialOf } from "../../../report/checks/gateway";
import { gpuMemory } from "../../../report/checks/gpu-memory";
import { unpinned } from "../../../report/checks/image-pinned";
import { errorLines } from "../../../report/checks/logs-no-errors";
import { overBound } from "../../../report/checks/prometheus";
import { judgeLoad, percentile } from "../../../report/checks/stats";
import { websocketAccept } from "../../../report/checks/websocket";
import type { CheckId } from "../../../report/checklist/checks";

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
    gateway: {
      domain: "localhost",
      tls: "internal",
      healthPath: "/health",
      httpsPort: 1,
      corsOrigins: [],
      routes: ["/"],
    },
    verify: {
      routes: [],
      gatewayLatencyMs: 50,
      logErrorPattern: "\\b(ERROR|CRITICAL|FATAL|PANIC)\\b",
      alertWindowMinutes: 1440,
      packages: [],
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
      // The smoke suite is the application's own: its bound is verify.smoke.timeoutSeconds (≤ 600).
      const bound = check.id === "app-smoke" ? 610 : 150;
      assert.ok(check.timeoutSeconds > 0 && check.timeoutSeconds <= bound, check.id);
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

  const byId = (id: CheckId) => liveChecks.find((c) => c.id === id)!;

  it("answers unknown naming the verify key to set when the spec does not declare what to do", async () => {
    const expected: [CheckId, string][] = [
      ["app-smoke", "verify.smoke not declared"],
      ["app-login", "verify.login not declared"],
      ["app-auth-required", "verify.protectedPath not declared"],
      ["websocket-upgrade", "verify.websocketPath not declared"],
      ["load-test", "verify.load not declared"],
      ["package-version", "verify.packages not declared"],
      ["app-dependencies", "verify.dependencies not declared"],
    ];
    for (const [id, message] of expected) {
      const r = await runCheck(byId(id), ctx("docker"));
      assert.deepEqual([r.status, r.message], ["unknown", message], id);
    }
  });

  it("a login declared without its password in the stack's secrets is unknown, not a request", async () => {
    const c = ctx("docker");
    const withLogin = {
      ...c,
      env: {
        ...c.env,
        verify: {
          ...c.env.verify,
          login: {
            path: "/login",
            method: "POST" as const,
            username: "tester",
            fields: { username: "username", password: "password" },
            expect: { token: "token" },
          },
        },
      },
    };
    const r = await runCheck(byId("app-login"), withLogin);
    assert.equal(r.status, "unknown");
    assert.match(r.message, /no password for tester \(verify\.login\.passwordConfig\)/);
  });

  it("skips the checks of what the stack does not have: Proxmox, Elasticsearch, a GPU", async () => {
    for (const [id, message] of [
      ["proxmox-quorum", "the stack runs on docker, not on Proxmox"],
      ["proxmox-storage", "the stack runs on docker, not on Proxmox"],
      ["elasticsearch-indices", "the spec has no Elasticsearch"],
      ["gpu-memory", "no service of the spec asks for a GPU"],
      ["latency-p95", "the spec has no monitoring"],
    ] as [CheckId, string][]) {
      const r = await runCheck(byId(id), ctx("docker"));
      assert.deepEqual([r.status, r.message], ["skipped", message], id);
    }
    const lxc = await runCheck(byId("proxmox-quorum"), ctx("lxc"));
    assert.equal(lxc.status, "unknown", "on Proxmox the quorum is not assumed");
  });

  it("takes the nearest-rank percentile and judges a load sample by both thresholds", () => {
    assert.equal(percentile([5, 1, 4, 2, 3], 50), 3);
    assert.equal(
      percentile(
        [...Array(100).keys()].map((i) => i + 1),
        95,
      ),
      95,
    );
    assert.ok(Number.isNaN(percentile([], 95)));
    const t = { latencyP95Ms: 100, errorRatePercent: 1 };
    const fast = Array.from({ length: 100 }, (_, i) => ({ ms: 10 + (i % 10), status: 200 }));
    assert.deepEqual(judgeLoad(fast, t).problems, []);
    const slow = fast.map((s, i) => (i >= 90 ? { ...s, ms: 300 } : s));
    assert.deepEqual(judgeLoad(slow, t).problems, ["p95 300.0 ms, expected below 100 ms"]);
    const failing = fast.map((s, i) =>
      i < 2 ? { ...s, status: 502 } : i === 2 ? { ...s, status: 0 } : s,
    );
    assert.deepEqual(judgeLoad(failing, t).problems, [
      "3.00 % errors (3 of 100), expected below 1 %",
    ]);
    assert.deepEqual(judgeLoad([], t).problems.slice(0, 1), ["no request was sent"]);
  });

  it("leaves Prometheus series without requests (NaN) out of a per-job judgement", () => {
    const j = overBound(
      [
        { metric: { job: "api" }, value: 12 },
        { metric: { job: "idle" }, value: NaN },
        { metric: { job: "slow" }, value: 700 },
      ],
      500,
      "ms",
    );
    assert.deepEqual(
      j.measured.map((s) => s.metric.job),
      ["api", "slow"],
    );
    assert.deepEqual(
      j.over.map((s) => s.metric.job),
      ["slow"],
    );
    assert.equal(j.seen, "api 12.0 ms, slow 700.0 ms");
  });

  it("computes RFC 6455's Sec-WebSocket-Accept", () => {
    // The example of RFC 6455 §1.3.
    assert.equal(websocketAccept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });

  it("finds the login's token or cookie without quoting it", () => {
    const answer = (body: string, cookies?: string[]) => ({
      status: 200,
      headers: cookies ? { "set-cookie": cookies } : {},
      body,
    });
    const token = credentialOf({ token: "token" }, answer('{"token":"s3cret"}'));
    assert.deepEqual(token, {
      headers: { Authorization: "Bearer s3cret" },
      what: 'a token in "token"',
    });
    assert.equal(
      credentialOf({ token: "token" }, answer('{"error":"nope"}')),
      'the answer has no string field "token"',
    );
    assert.equal(
      credentialOf({ token: "token" }, answer("<html>")),
      'the answer is not JSON, expected a field "token"',
    );
    const cookie = credentialOf(
      { cookie: "session" },
      answer("", ["theme=dark; Path=/", "session=abc123; HttpOnly; Secure"]),
    );
    assert.deepEqual(cookie, { headers: { Cookie: "session=abc123" }, what: 'a cookie "session"' });
    assert.equal(
      credentialOf({ cookie: "session" }, answer("", ["session=; Max-Age=0"])),
      'no cookie "session" was set',
    );
  });

  it("matches log lines by the error pattern, words not substrings", () => {
    const pattern = "\\b(ERROR|CRITICAL|FATAL|PANIC)\\b";
    assert.deepEqual(
      errorLines(
        ["INFO started", "ERROR db down", "no TERRORS here", "2026-12-01 FATAL: role missing"],
        pattern,
      ),
      ["ERROR db down", "2026-12-01 FATAL: role missing"],
    );
  });

  it("tells pinned image references from unpinned ones", () => {
    assert.equal(unpinned("golive.local/app:1.0.0"), undefined);
    assert.equal(unpinned("registry.local:5000/app:2.1"), undefined);
    assert.equal(unpinned(`app@sha256:${"a".repeat(64)}`), undefined);
    assert.equal(unpinned("registry.local:5000/app"), "no tag (latest)");
    assert.equal(unpinned("app:latest"), "the tag latest");
  });

  it("reads nvidia-smi's memory CSV and refuses what it cannot read", () => {
    assert.deepEqual(gpuMemory("0, 1024, 16384\n1, 15000, 16384\n"), [
      { index: "0", usedMib: 1024, totalMib: 16384 },
      { index: "1", usedMib: 15000, totalMib: 16384 },
    ]);
    assert.throws(() => gpuMemory("0, [N/A], 16384"), /expected index, used MiB, total MiB/);
  });

  it("matches Elasticsearch index patterns as Elasticsearch does", () => {
    assert.ok(matchesPattern("psa-tickets-000001", "psa-*"));
    assert.ok(!matchesPattern("other-psa-1", "psa-*"));
    assert.ok(matchesPattern("logs.2026", "logs.2026"));
    assert.ok(!matchesPattern("logsX2026", "logs.2026"));
  });

  it("quotes the last lines of a failing command's output", () => {
    assert.equal(tail("a\nb\n\nc\nd\ne\nf\n", 3), "d | e | f");
  });
});
