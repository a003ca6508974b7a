/**
 * The release runner's state machine with fake steps (what they do to a stack is the engine
 * test's): order, the log saved at each step, rollback on a failed step in the order the log
 * calls for, resume from the step a kill interrupted; the lock; the log's Markdown; the watch
 * window's judgement; the spec document the steps change.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { parseSpec } from "../../components/config/load";
import { interruption } from "../../release/interrupt";
import { acquireLock, LockHeld } from "../../release/lock";
import {
  newLog,
  readLogs,
  renderMarkdown,
  saveLog,
  unfinished,
  type ReleaseLog,
} from "../../release/log";
import { resolvePlan } from "../../release/plan";
import type { ReleaseContext } from "../../release/context";
import { rollbackActions, rollbackPlan } from "../../release/rollback";
import {
  remaining,
  rollBack,
  runRelease,
  type RunnerIO,
  type StepOutcome,
} from "../../release/runner";
import { SpecDocument } from "../../release/spec-doc";
import { measurement, verdict } from "../../release/steps/watch";
import { releaseWatchSpec } from "../../components/config/spec/release-plan";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "golive-release-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function log(plan: Record<string, unknown> = {}, migration = true): ReleaseLog {
  const r = parseSpec({
    runtime: "docker",
    tier: "staging",
    postgres: { version: "15" },
    services: {
      api: {
        image: "acme/api",
        ports: [{ name: "http", port: 8080, public: true }],
        dependsOn: ["postgres"],
        ...(migration ? { migration: { command: ["migrate"] } } : {}),
        blueGreen: { active: "blue", blue: "1.0.0", green: "1.0.0" },
      },
    },
    release: { plan },
  });
  assert.ok(r.ok);
  return newLog(resolvePlan("staging", r.spec, "1.1.0"), new Date("2026-03-01T10:00:00Z"));
}

const letter = { pending: ".", running: "r", passed: "P", failed: "F", skipped: "s" } as const;

/** A runner with fake steps: `fail` names the step that fails, `throws` one that throws. */
function fake(opts: { fail?: string; throws?: string; rollbackFails?: string } = {}) {
  const ran: string[] = [];
  const saved: string[] = [];
  const lines: string[] = [];
  let t = 0;
  const io: RunnerIO<ReleaseLog> = {
    runStep: (step): Promise<StepOutcome> => {
      ran.push(step.name);
      if (step.name === opts.throws) return Promise.reject(new Error("engine gone\nmore"));
      return Promise.resolve(
        step.name === opts.fail
          ? { ok: false, message: `${step.name} saw 5 % errors` }
          : { ok: true, message: `${step.name} done` },
      );
    },
    rollbackActions: (l) =>
      rollbackPlan(l).map((a) => ({
        action: a,
        run: () => {
          ran.push(`rollback:${a}`);
          return Promise.resolve({ ok: a !== opts.rollbackFails, message: `${a} undone` });
        },
      })),
    save: (l) => saved.push(`${l.state}:${l.steps.map((s) => letter[s.status]).join("")}`),
    progress: (line) => lines.push(line),
    now: () => new Date(Date.UTC(2026, 2, 1, 10, 0, (t += 2))),
  };
  return { io, ran, saved, lines };
}

describe("release runner", () => {
  it("runs every step in order, saving the log at each start and end, one progress line each", async () => {
    const f = fake();
    const l = await runRelease(log(), f.io);
    assert.equal(l.state, "succeeded");
    assert.deepEqual(f.ran, [
      "preflight",
      "backup",
      "deploy-idle",
      "health",
      "switch",
      "watch",
      "verify",
    ]);
    assert.ok(l.steps.every((s) => s.status === "passed" && s.seconds === 2));
    assert.deepEqual(f.saved.slice(0, 3), [
      "running:r......",
      "running:P......",
      "running:Pr.....",
    ]);
    assert.equal(f.saved.at(-1), "succeeded:PPPPPPP");
    assert.equal(f.lines.length, 14);
    assert.match(f.lines[1], /^\[ 1\/7\] preflight +passed +2\.0 s {2}preflight done$/);
  });

  it("a failed step stops the release and rolls back: traffic first, then the database once migrated", async () => {
    const f = fake({ fail: "watch" });
    const l = await runRelease(log(), f.io);
    assert.equal(l.state, "rolled-back");
    assert.equal(l.reason, "watch failed: watch saw 5 % errors");
    assert.deepEqual(f.ran.slice(-3), ["watch", "rollback:traffic", "rollback:database"]);
    assert.equal(l.steps.find((s) => s.name === "verify")!.status, "pending");
    assert.deepEqual(
      l.rollback.map((r) => [r.action, r.status]),
      [
        ["traffic", "passed"],
        ["database", "passed"],
      ],
    );
  });

  it("before the migration could run, a rollback leaves the database alone", async () => {
    const f = fake({ fail: "health" });
    const l = await runRelease(log(), f.io);
    assert.deepEqual(f.ran.slice(-2), ["health", "rollback:traffic"]);
    assert.equal(l.state, "rolled-back");
    // `keep`, or no migration at all: traffic only, whenever it fails.
    assert.deepEqual(
      rollbackPlan(
        await runRelease(log({ migrationRollback: "keep" }), fake({ fail: "watch" }).io),
      ),
      ["traffic"],
    );
    assert.deepEqual(rollbackPlan(await runRelease(log({}, false), fake({ fail: "watch" }).io)), [
      "traffic",
    ]);
  });

  it("a step that throws fails with its first line; a failed rollback action is reported, the rest still run", async () => {
    const f = fake({ throws: "switch", rollbackFails: "traffic" });
    const l = await runRelease(log(), f.io);
    assert.equal(l.steps.find((s) => s.name === "switch")!.message, "stopped: engine gone");
    assert.equal(l.state, "rollback-failed");
    assert.deepEqual(f.ran.slice(-2), ["rollback:traffic", "rollback:database"]);
  });

  it("a resumed release re-runs the step it was killed in, then the rest", async () => {
    const killed = log();
    for (const s of killed.steps.slice(0, 4)) s.status = "passed";
    killed.steps[4].status = "running";
    assert.deepEqual(
      remaining(killed).map((s) => s.name),
      ["switch", "watch", "verify"],
    );
    const f = fake();
    const l = await runRelease(killed, f.io);
    assert.deepEqual(f.ran, ["switch", "watch", "verify"]);
    assert.equal(l.state, "succeeded");
  });

  it("a killed release rolled back at the next start undoes what its log got to", async () => {
    const killed = log();
    for (const s of killed.steps.slice(0, 2)) s.status = "passed";
    killed.steps[2].status = "running";
    const f = fake();
    const l = await rollBack(killed, f.io, "killed at deploy-idle");
    assert.deepEqual(f.ran, ["rollback:traffic"]);
    assert.equal(l.state, "rolled-back");
  });
});

describe("an interrupted release", () => {
  it("rolls back once the running step ended: the steps after it never run", async () => {
    const stop = interruption();
    const f = fake();
    const runStep = (step: Parameters<typeof f.io.runStep>[0], x: ReleaseLog) =>
      f.io.runStep(step, x);
    const l = await runRelease(log(), {
      ...f.io,
      runStep: (step, x) => {
        if (step.name === "health") stop.raise("SIGTERM");
        return runStep(step, x);
      },
      interrupted: stop.reason,
    });
    assert.equal(l.state, "rolled-back");
    assert.equal(l.reason, "interrupted (SIGTERM) after health");
    assert.equal(l.steps.find((s) => s.name === "health")!.status, "passed");
    assert.deepEqual(f.ran, ["preflight", "backup", "deploy-idle", "health", "rollback:traffic"]);
  });

  it("wakes a sleeping watch window at once, and sleeps no more after", async () => {
    const stop = interruption();
    const t = Date.now();
    const sleeping = stop.pause(60_000);
    setTimeout(() => stop.raise("SIGINT"), 20);
    await sleeping;
    await stop.pause(60_000);
    assert.ok(Date.now() - t < 5_000, `woke after ${Date.now() - t} ms`);
    stop.raise("SIGTERM");
    assert.equal(stop.reason(), "SIGINT", "the first signal is the reason");
  });
});

describe("release log", () => {
  it("is saved as JSON and Markdown, and a killed one is found again", async () => {
    const folder = path.join(tmp, "logs");
    const l = await runRelease(log(), {
      ...fake({ fail: "smoke" }).io,
      save: (x) => saveLog(folder, x),
    });
    const running = log();
    (running as { id: string }).id = "20260302T100000Z-api-1.2.0";
    running.steps[0].status = "running";
    saveLog(folder, running);
    assert.deepEqual(
      readLogs(folder).map((x) => x.id),
      [l.id, running.id],
    );
    assert.equal(unfinished(folder)?.id, running.id);
    const md = fs.readFileSync(path.join(folder, `${l.id}.md`), "utf8");
    assert.equal(md, renderMarkdown(l));
    assert.match(md, /^# Release api 1\.1\.0 on staging$/m);
    assert.match(md, /^- state: \*\*succeeded\*\*$/m);
    assert.match(
      md,
      /^\| 1 \| preflight \| ✔ passed \| 2\.0 \| preview of green 1\.1\.0 through the policy pack \| preflight done \|$/m,
    );
    assert.doesNotMatch(md, /## Rollback/);
  });

  it("renders a rollback and escapes table cells", async () => {
    const l = await runRelease(log(), {
      ...fake({ fail: "watch" }).io,
      runStep: (s) =>
        Promise.resolve(
          s.name === "watch" ? { ok: false, message: "a | b\nc" } : { ok: true, message: "ok" },
        ),
    });
    const md = renderMarkdown(l);
    assert.match(md, /\| 6 \| watch \| ✘ failed \| 2\.0 \| .* \| a \\\| b c \|/);
    assert.match(
      md,
      /## Rollback\n\n\| action \| status \| seconds \| result \|\n\|---\|---\|---\|---\|\n\| traffic \| ✔ passed \| 2\.0 \| traffic undone \|/,
    );
  });
});

describe("release lock", () => {
  it("refuses a second release while the first one's process lives, naming pid, host and start", () => {
    const folder = path.join(tmp, "lock-held");
    const lock = acquireLock(folder, "1.1.0");
    assert.throws(
      () => acquireLock(folder, "1.2.0"),
      (e: Error) =>
        e instanceof LockHeld &&
        e.message.includes(
          `1.1.0 holds the stack's release lock (pid ${process.pid} on ${os.hostname()}, since `,
        ),
    );
    lock.release();
    acquireLock(folder, "1.2.0").release();
  });

  it("breaks a lock whose process is gone, and says whose it was", () => {
    const folder = path.join(tmp, "lock-stale");
    acquireLock(folder, "1.1.0");
    const lock = acquireLock(folder, "1.2.0", () => false);
    assert.equal(lock.broke?.release, "1.1.0");
    assert.equal(lock.broke?.pid, process.pid);
    lock.release();
  });

  it("never breaks a lock held on another host", () => {
    const folder = path.join(tmp, "lock-remote");
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(
      path.join(folder, "lock"),
      JSON.stringify({
        pid: 1,
        host: "ci-runner-7",
        startedAt: "2026-03-01T10:00:00Z",
        release: "1.1.0",
      }),
    );
    assert.throws(() => acquireLock(folder, "1.2.0", () => false), /on ci-runner-7.*another host/);
  });
});

describe("watch window (Argo Rollouts' analysis)", () => {
  const spec = releaseWatchSpec.parse({ count: 3, failureLimit: 1, consecutiveErrorLimit: 1 });
  const at = new Date("2026-03-01T10:00:00Z");
  const ok = measurement(spec, { value: 0.2 }, { value: 120 }, at);
  const bad = measurement(spec, { value: 4 }, { value: 120 }, at);
  const slow = measurement(spec, { value: 0 }, { value: 900 }, at);
  const unread = measurement(spec, { error: "no data" }, { value: 100 }, at);

  it("judges each measurement against the thresholds; unreadable is an error, not a pass", () => {
    assert.equal(ok.status, "successful");
    assert.equal(bad.status, "failed");
    assert.match(bad.message, /error rate 4\.00 %, p95 120 ms, error rate above 1 %/);
    assert.equal(slow.status, "failed");
    assert.match(slow.message, /p95 above 500 ms/);
    assert.equal(unread.status, "error");
    assert.equal(measurement(spec, { value: 3 }, { error: "no data" }, at).status, "failed");
  });

  it("fails once failures exceed the limit, or errors in a row do; passes at the end otherwise", () => {
    assert.deepEqual(verdict(spec, [ok, bad]), {
      done: false,
      ok: true,
      message: "1 successful, 1 failed, 0 unreadable of 2",
    });
    assert.equal(verdict(spec, [bad, bad]).ok, false);
    assert.equal(verdict(spec, [bad, bad]).done, true);
    assert.equal(verdict(spec, [unread, unread]).ok, false);
    assert.equal(verdict(spec, [unread, ok, unread]).ok, true);
    assert.equal(verdict(spec, [ok, bad, ok]).ok, true);
    assert.equal(verdict(spec, [ok, bad, ok]).done, true);
    const lenient = releaseWatchSpec.parse({ count: 2, consecutiveErrorLimit: 4 });
    assert.match(verdict(lenient, [unread, unread]).message, /no measurement could be read/);
    assert.equal(verdict(lenient, [unread, unread]).ok, false);
  });
});

describe("spec document", () => {
  it("changes the stack file in place, keeping its comments and other keys", () => {
    const dir = path.join(tmp, "project");
    fs.mkdirSync(dir, { recursive: true });
    const text = [
      "# the stack",
      "config:",
      "  other:key: 1",
      "  golive:environment:",
      "    tier: dev # dev for now",
      "    services:",
      "      api:",
      '        blueGreen: { active: blue, blue: "1.0.0", green: "1.0.0" }',
      "",
    ].join("\n");
    fs.writeFileSync(path.join(dir, "Pulumi.s.yaml"), text);
    const doc = new SpecDocument(dir, "s");
    const bg = ["services", "api", "blueGreen"];
    assert.equal(doc.get([...bg, "active"]), "blue");
    assert.equal(
      doc.set([
        [[...bg, "green"], "1.1.0"],
        [[...bg, "weights"], { blue: 50, green: 50 }],
      ]),
      true,
    );
    assert.equal(doc.set([[[...bg, "green"], "1.1.0"]]), false, "no change, no write");
    const out = fs.readFileSync(path.join(dir, "Pulumi.s.yaml"), "utf8");
    assert.match(out, /^# the stack$/m);
    assert.match(out, /tier: dev # dev for now/);
    assert.match(out, /other:key: 1/);
    assert.deepEqual(doc.get(bg), {
      active: "blue",
      blue: "1.0.0",
      green: "1.1.0",
      weights: { blue: 50, green: 50 },
    });
    doc.set([[[...bg, "weights"], undefined]]);
    // A version YAML would read as a number stays a string.
    doc.set([[[...bg, "blue"], "2.0"]]);
    assert.match(fs.readFileSync(path.join(dir, "Pulumi.s.yaml"), "utf8"), /blue: "2\.0"/);
    assert.equal(doc.get([...bg, "blue"]), "2.0");
    assert.deepEqual(doc.get([...bg, "weights"]), undefined);
    assert.deepEqual((doc.raw() as { tier: string }).tier, "dev");
  });

  it("reads the spec from the file golive:specFile names", () => {
    const dir = path.join(tmp, "specfile");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "Pulumi.s.yaml"), "config:\n  golive:specFile: env.yaml\n");
    fs.writeFileSync(path.join(dir, "env.yaml"), "tier: dev\nmaintenance: { enabled: false }\n");
    const doc = new SpecDocument(dir, "s");
    doc.set([[["maintenance", "enabled"], true]]);
    assert.match(fs.readFileSync(path.join(dir, "env.yaml"), "utf8"), /enabled: true/);
  });
});

describe("release rollback actions", () => {
  /** A stack file with the released service, a context whose `up` records the spec it saw. */
  function project(name: string) {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, "Pulumi.s.yaml"),
      [
        "config:",
        "  golive:environment:",
        "    services:",
        "      api:",
        '        blueGreen: { active: blue, blue: "1.0.0", green: "1.0.0" }',
        "",
      ].join("\n"),
    );
    const doc = new SpecDocument(dir, "s");
    const ups: unknown[] = [];
    const ctx = {
      doc,
      folder: dir,
      up: () => {
        ups.push(doc.get(["services", "api", "blueGreen"]));
        return Promise.resolve({
          ok: true,
          message: "up: 1 update",
          changes: {},
          replaced: [],
          violations: [],
          packRan: true,
        });
      },
    } as unknown as ReleaseContext;
    return { doc, ups, ctx };
  }

  it("traffic that never moved needs no up, and the spec keeps no new key", async () => {
    const { doc, ups, ctx } = project("rollback-smoke");
    const l = log();
    // preflight, backup, deploy-idle passed; health failed.
    for (const s of l.steps.slice(0, 3)) s.status = "passed";
    l.steps[3].status = "failed";
    doc.set([[["services", "api", "blueGreen", "green"], "1.1.0"]]);
    const [traffic] = rollbackActions(ctx, l);
    assert.deepEqual(await traffic.run(), {
      ok: true,
      message: "traffic never left blue: nothing to change",
    });
    assert.deepEqual(ups, []);
    assert.equal(doc.get(["maintenance"]), undefined);
    assert.equal(
      doc.get(["services", "api", "blueGreen", "green"]),
      "1.1.0",
      "the new version stays idle",
    );
  });

  it("after a split, traffic goes back to the old colour without weights in one up", async () => {
    const { doc, ups, ctx } = project("rollback-split");
    const l = log({ split: 50 });
    for (const s of l.steps.slice(0, 5)) s.status = "passed";
    l.steps[5].status = "passed";
    l.steps[6].status = "failed";
    doc.set([
      [["services", "api", "blueGreen", "green"], "1.1.0"],
      [["services", "api", "blueGreen", "active"], "green"],
      [["services", "api", "blueGreen", "weights"], { blue: 50, green: 50 }],
    ]);
    const actions = rollbackActions(ctx, l);
    assert.deepEqual(
      actions.map((a) => a.action),
      ["traffic to blue", "restore the pre-release dump"],
    );
    const r = await actions[0].run();
    assert.match(r.message, /^blue 1\.0\.0 serves again; green 1\.1\.0 kept idle; up: 1 update$/);
    assert.deepEqual(ups, [{ active: "blue", blue: "1.0.0", green: "1.1.0" }]);
    assert.deepEqual(await actions[1].run(), {
      ok: false,
      message: "the plan says restore, but the release took no dump",
    });
  });

  it("a release killed before it deployed the idle colour puts that colour's version back", async () => {
    const { doc, ctx } = project("rollback-preflight");
    const l = log();
    l.steps[0].status = "running";
    doc.set([[["services", "api", "blueGreen", "green"], "1.1.0"]]);
    await rollbackActions(ctx, l)[0].run();
    assert.equal(doc.get(["services", "api", "blueGreen", "green"]), "1.0.0");
  });
});
