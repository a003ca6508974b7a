/**
 * The in-place release: the plan of a service without blue/green in the shapes of the two seeds
 * that have none (Ablage: maintenance, backup, workers stopped around the migration, health,
 * maintenance off, smoke; CGS on Docker Compose: up, health, smoke), its refusals naming the
 * config path, `--plan`'s text, and the rollback it derives from a log: the database first once
 * the deploy ran, then the previous image, workers and maintenance in one up.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import * as YAML from "yaml";
import { parseReleaseArgs, runReleaseCommand } from "../../cli/release";
import { parseSpec } from "../../components/config/load";
import type { ReleaseContext } from "../../release/context";
import { newLog, type InPlaceLog, type ReleaseLog } from "../../release/log";
import { formatPlan, PlanError, resolvePlan, type InPlacePlan } from "../../release/plan";
import { rollbackActions, rollbackPlan } from "../../release/rollback";
import { runRelease, type RunnerIO } from "../../release/runner";
import { SpecDocument } from "../../release/spec-doc";
import { workloadContainers } from "../../release/steps/in-place";
import { colourWorkload, versionSetting } from "../../release/steps/step";

const repo = path.resolve(__dirname, "..", "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "golive-inplace-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Ablage's shape: a backend with an Alembic migration, a worker and an OCR worker, PostgreSQL. */
const ablage = (plan?: unknown, extra: Record<string, unknown> = {}) => ({
  runtime: "docker",
  tier: "production",
  postgres: { version: "16" },
  redis: { version: "7" },
  services: {
    backend: {
      image: "ablage/backend:2.3.0",
      ports: [{ name: "http", port: 8000, public: true }],
      healthCheck: { path: "/api/v1/health" },
      dependsOn: ["postgres", "redis"],
      migration: { command: ["alembic", "upgrade", "head"] },
    },
    worker: {
      image: "ablage/backend:2.3.0",
      command: ["celery", "worker"],
      worker: true,
      replicas: 2,
      dependsOn: ["postgres", "redis", "ocr"],
    },
    ocr: { image: "ablage/ocr:2.3.0", worker: true, dependsOn: ["redis"] },
    ...extra,
  },
  ...(plan === undefined ? {} : { release: { plan } }),
});

/** CGS Assist's shape: an app and its LLM and RAG APIs on Docker Compose, no database. */
const cgs = (plan?: unknown) => ({
  runtime: "docker",
  tier: "production",
  services: {
    "cgs-assist": {
      image: "cgs/assist:1.4.0",
      ports: [{ name: "http", port: 8000, public: true }],
      healthCheck: { path: "/health" },
      dependsOn: ["llm-api", "rag-api"],
    },
    "llm-api": { image: "cgs/llm-api:1.4.0", ports: [{ name: "http", port: 8001 }] },
    "rag-api": { image: "cgs/rag-api:1.4.0", ports: [{ name: "http", port: 8002 }] },
  },
  ...(plan === undefined ? {} : { release: { plan } }),
});

function resolve(raw: unknown, version: string): ReturnType<typeof resolvePlan> {
  const r = parseSpec(raw);
  assert.ok(r.ok, r.ok ? "" : JSON.stringify(r.problems));
  return resolvePlan("production", r.spec, version, raw);
}

function inPlace(raw: unknown, version = "2.4.0"): InPlacePlan {
  const p = resolve(raw, version);
  assert.ok(p.strategy === "in-place", `${p.service} is not released in place`);
  return p;
}

describe("in-place release plan", () => {
  it("Ablage: maintenance around backup, workers stopped for the migration, smoke after maintenance", () => {
    const p = inPlace(
      ablage({ service: "backend", smoke: { command: ["pytest", "tests/smoke"] } }),
    );
    assert.deepEqual(
      p.steps.map((s) => s.name),
      [
        "preflight",
        "maintenance-on",
        "backup",
        "stop-workers",
        "deploy",
        "start-workers",
        "health",
        "maintenance-off",
        "smoke",
        "watch",
        "verify",
      ],
    );
    assert.equal(p.image, "ablage/backend:2.4.0");
    assert.equal(p.colour, "none");
    assert.equal(p.plan.maintenance, true, "maintenance defaults to on in place");
    // The dependency order: ocr before the worker that waits for it.
    assert.deepEqual(p.before, {
      image: "ablage/backend:2.3.0",
      version: "2.3.0",
      workers: [
        { name: "ocr", replicas: 1, declared: false },
        { name: "worker", replicas: 2, declared: true },
      ],
      maintenance: false,
    });
    assert.match(p.steps[4].what, /^backend to 2\.4\.0 \(the pre-migration backup and migration/);
    assert.match(p.steps[3].what, /^ocr, worker stopped \(SIGTERM, 30 s to finish\), replicas: 0$/);
  });

  it("without release.plan.service the only service that is no worker is released", () => {
    assert.equal(inPlace(ablage()).service, "backend");
    assert.throws(
      () => resolve(cgs(), "1.5.0"),
      (e: Error) =>
        e instanceof PlanError &&
        e.message ===
          "golive:environment.release.plan.service: is missing: the spec has no blue/green service and 3 services that are no worker (cgs-assist, llm-api, rag-api); name the one released",
    );
  });

  it("CGS: maintenance off, no database, no worker: deploy, health, smoke", () => {
    const p = inPlace(
      cgs({
        service: "cgs-assist",
        maintenance: false,
        smoke: { command: ["./smoke.sh"] },
        verify: { enabled: false },
      }),
      "1.5.0",
    );
    assert.deepEqual(
      p.steps.map((s) => s.name),
      ["preflight", "deploy", "health", "smoke", "watch"],
    );
    assert.equal(p.steps[1].what, "cgs-assist to 1.5.0");
    assert.equal(p.migration, false);
    assert.deepEqual(p.before.workers, []);
  });

  it("workers: [] keeps every worker running; named workers in dependency order", () => {
    assert.ok(!inPlace(ablage({ workers: [] })).steps.some((s) => s.kind === "stop-workers"));
    const p = inPlace(ablage({ workers: ["worker"] }));
    assert.deepEqual(
      p.before.workers.map((w) => w.name),
      ["worker"],
    );
    // A worker already at replicas 0 is not the release's to start.
    const idle = inPlace(
      ablage(undefined, { ocr: { image: "ablage/ocr:2.3.0", worker: true, replicas: 0 } }),
    );
    assert.deepEqual(
      idle.before.workers.map((w) => w.name),
      ["worker"],
    );
  });

  it("refuses what an in-place release cannot do, naming the config path and what was expected", () => {
    const refused = (raw: unknown, version: string, message: RegExp) =>
      assert.throws(
        () => resolve(raw, version),
        (e: Error) => e instanceof PlanError && message.test(e.message),
      );
    refused(
      ablage(),
      "2.3.0",
      /^--version 2\.3\.0: backend already runs it \(golive:environment\.services\.backend\.image: ablage\/backend:2\.3\.0\)$/,
    );
    refused(
      ablage({ split: 50 }),
      "2.4.0",
      /^golive:environment\.release\.plan\.split: backend is released in place \(no blueGreen\).*expected no split/,
    );
    refused(
      ablage({ workers: ["worker", "mailer"] }),
      "2.4.0",
      /^golive:environment\.release\.plan\.workers\.1: names no service \(mailer\); expected one of backend, worker, ocr$/,
    );
    refused(
      ablage({ service: "backend", workers: ["backend"] }),
      "2.4.0",
      /^golive:environment\.release\.plan\.workers\.0: backend is the service released/,
    );
    const docker = parseSpec(ablage());
    assert.ok(docker.ok);
    assert.throws(
      () => resolvePlan("production", { ...docker.spec, runtime: "lxc" }, "2.4.0"),
      /^Error: golive:environment\.release\.plan\.workers: .*LXC runtime .*\(expected workers: \[\] on LXC/,
    );
    refused(
      ablage({ service: "mailer" }),
      "2.4.0",
      /^golive:environment\.release\.plan\.service: names no service \(mailer\)/,
    );
  });

  it("a blue/green service keeps its procedure; workers are refused for it", () => {
    const bg = {
      ...ablage(),
      services: {
        ...ablage().services,
        backend: {
          ...ablage().services.backend,
          image: "ablage/backend",
          blueGreen: { active: "blue", blue: "2.3.0", green: "2.3.0" },
        },
      },
    };
    const p = resolve(bg, "2.4.0");
    assert.equal(p.strategy, "blue-green");
    assert.equal(p.plan.maintenance, false);
    assert.ok(p.steps.some((s) => s.kind === "deploy-idle"));
    assert.throws(
      () => resolve({ ...bg, release: { plan: { workers: ["worker"] } } }, "2.4.0"),
      /^Error: golive:environment\.release\.plan\.workers: backend is blue\/green/,
    );
  });

  it("prints the plan: the downtime, the workers, the rollback", () => {
    const text = formatPlan(inPlace(ablage({ migrationRollback: { command: ["./downgrade"] } })));
    assert.match(
      text,
      /^release backend 2\.4\.0 on production in place: 2\.3\.0 runs; workers ocr, worker; downtime behind maintenance mode$/m,
    );
    assert.match(
      text,
      /^ {2}\s?\d\. start-workers +ocr, worker started again, in dependency order$/m,
    );
    assert.match(
      text,
      /^ {2}the database first \(once the deploy ran\): command \.\/downgrade; then backend back to 2\.3\.0, workers running, maintenance off, in one up$/m,
    );
  });

  it("the in-place engine test's scenario is a valid plan", () => {
    const doc = YAML.parse(
      fs.readFileSync(path.join(repo, "test", "scenarios", "e2e-inplace.yaml"), "utf8"),
    ) as { config: Record<string, unknown> };
    const p = inPlace(doc.config["golive:environment"], "ip-1.1.0");
    assert.deepEqual(
      p.before.workers.map((w) => w.name),
      ["worker"],
    );
    assert.ok(p.steps.some((s) => s.kind === "smoke"));
  });

  it("the steps' targets: the service's own workload, its image at the new tag", () => {
    const l = newLog(inPlace(ablage()), new Date("2026-03-01T10:00:00Z"));
    assert.equal(colourWorkload(l), "backend");
    assert.deepEqual(versionSetting(l), [["services", "backend", "image"], "ablage/backend:2.4.0"]);
    assert.deepEqual(
      workloadContainers(
        ["golive-p-worker", "golive-p-worker-1", "golive-p-worker-2", "golive-p-workers", "x"],
        "golive-p",
        "worker",
      ),
      ["golive-p-worker", "golive-p-worker-1", "golive-p-worker-2"],
    );
  });
});

/** A release log of the Ablage shape with its steps up to `until` passed and `until` failed. */
function failedAt(until: string, plan: Record<string, unknown> = {}): InPlaceLog {
  const smoke = { command: ["pytest", "tests/smoke"] };
  const l = newLog(
    inPlace(ablage({ smoke, ...plan })),
    new Date("2026-03-01T10:00:00Z"),
  ) as InPlaceLog;
  const i = l.steps.findIndex((s) => s.name === until);
  assert.ok(i >= 0, `no step ${until}`);
  for (const s of l.steps.slice(0, i)) s.status = "passed";
  l.steps[i].status = "failed";
  return l;
}

describe("in-place rollback plan", () => {
  it("once the deploy ran: the database first, then the version", () => {
    for (const step of ["deploy", "health", "smoke", "watch"])
      assert.deepEqual(rollbackPlan(failedAt(step)), ["database", "version"], step);
  });

  it("before the deploy, or with keep, or without a migration: the version only", () => {
    for (const step of ["preflight", "backup", "stop-workers"])
      assert.deepEqual(rollbackPlan(failedAt(step)), ["version"], step);
    assert.deepEqual(rollbackPlan(failedAt("smoke", { migrationRollback: "keep" })), ["version"]);
    const cgsLog = newLog(inPlace(cgs({ service: "cgs-assist" }), "1.5.0"), new Date());
    cgsLog.steps.forEach((s) => (s.status = "passed"));
    assert.deepEqual(rollbackPlan(cgsLog), ["version"]);
  });

  it("the runner rolls a failed smoke test back in that order", async () => {
    const ran: string[] = [];
    const io: RunnerIO<ReleaseLog> = {
      runStep: (step) =>
        Promise.resolve(
          step.name === "smoke" ? { ok: false, message: "exit 1" } : { ok: true, message: "done" },
        ),
      rollbackActions: (l) =>
        rollbackPlan(l).map((a) => ({
          action: a,
          run: () => {
            ran.push(a);
            return Promise.resolve({ ok: true, message: "undone" });
          },
        })),
      save: () => {},
      progress: () => {},
      now: () => new Date(),
    };
    const l = await runRelease(
      newLog(inPlace(ablage({ smoke: { command: ["pytest"] } })), new Date()),
      io,
    );
    assert.equal(l.state, "rolled-back");
    assert.deepEqual(ran, ["database", "version"]);
  });
});

describe("in-place rollback actions", () => {
  /** The Ablage stack file as a release left it, and a context whose `up` records the spec. */
  function project(name: string, spec: string[]) {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, "Pulumi.s.yaml"),
      ["config:", "  golive:environment:", ...spec.map((l) => `    ${l}`), ""].join("\n"),
    );
    const doc = new SpecDocument(dir, "s");
    const ups: unknown[] = [];
    const ctx = {
      doc,
      folder: dir,
      live: () => Promise.resolve({ env: { runtime: "kubernetes", prefix: "golive-s" } }),
      up: () => {
        ups.push(doc.raw());
        return Promise.resolve({
          ok: true,
          message: "up: 3 update",
          changes: {},
          replaced: [],
          violations: [],
          packRan: true,
        });
      },
    } as unknown as ReleaseContext;
    return { doc, ups, ctx };
  }

  it("puts back the image, the workers' replicas as written and maintenance, in one up", async () => {
    const { doc, ups, ctx } = project("inplace-smoke", [
      "maintenance: { enabled: false }",
      "services:",
      "  backend: { image: ablage/backend:2.4.0 }",
      "  worker: { image: ablage/backend:2.3.0, replicas: 0 }",
      "  ocr: { image: ablage/ocr:2.3.0, replicas: 0 }",
    ]);
    const l = failedAt("deploy");
    const [, version] = rollbackActions(ctx, l);
    assert.equal(version.action, "backend back to 2.3.0");
    assert.deepEqual(await version.run(), {
      ok: true,
      message:
        "backend 2.3.0 runs again, ocr, worker running, maintenance off as before; up: 3 update",
    });
    assert.equal(ups.length, 1);
    assert.equal(doc.get(["services", "backend", "image"]), "ablage/backend:2.3.0");
    assert.equal(doc.get(["services", "worker", "replicas"]), 2, "as the spec stated it");
    assert.equal(doc.get(["services", "ocr", "replicas"]), undefined, "absent, as it was");
    assert.equal(doc.get(["maintenance", "enabled"]), false);
  });

  it("a release that changed nothing needs no up", async () => {
    const { ups, ctx } = project("inplace-preflight", [
      "services:",
      "  backend: { image: ablage/backend:2.3.0 }",
      "  worker: { image: ablage/backend:2.3.0, replicas: 2 }",
      "  ocr: { image: ablage/ocr:2.3.0 }",
    ]);
    const [version] = rollbackActions(ctx, failedAt("preflight"));
    assert.deepEqual(await version.run(), {
      ok: true,
      message: "backend never left 2.3.0: nothing to change",
    });
    assert.deepEqual(ups, []);
  });
});

describe("golive release --plan in place on a stack file", () => {
  it("reads the replicas the stack file states, and prints the in-place plan", async () => {
    const dir = path.join(tmp, "cli");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, "Pulumi.production.yaml"),
      YAML.stringify({ config: { "golive:environment": ablage() } }),
    );
    const out: string[] = [];
    const code = await runReleaseCommand(
      parseReleaseArgs(["production", "--version", "2.4.0", "--plan", "--dir", dir], dir),
      () => {},
      (l) => out.push(l),
    );
    assert.equal(code, 0);
    assert.match(out.join("\n"), /^release backend 2\.4\.0 on production in place: 2\.3\.0 runs/m);
    assert.ok(!fs.existsSync(path.join(dir, ".golive")), "--plan leaves no log and no lock");
  });
});
