/** The release plan: its spec (defaults, refusals naming the config path) and the steps it resolves to. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import * as YAML from "yaml";
import { parseSpec } from "../../components/config/load";
import { formatPlan, PlanError, resolvePlan } from "../../release/plan";
import { parseReleaseArgs, runReleaseCommand } from "../../cli/release";

const repo = path.resolve(__dirname, "..", "..");

/** A blue/green app with a migration, on PostgreSQL, and the release block given. */
const spec = (release?: unknown) => ({
  runtime: "docker",
  tier: "staging",
  postgres: { version: "15" },
  services: {
    api: {
      image: "acme/api",
      ports: [{ name: "http", port: 8080, public: true }],
      healthCheck: { path: "/health" },
      dependsOn: ["postgres"],
      migration: { command: ["npm", "run", "migrate"] },
      blueGreen: { active: "blue", blue: "1.2.3", green: "1.2.3" },
    },
  },
  ...(release === undefined ? {} : { release }),
});

function plan(release?: unknown, version = "1.3.0") {
  const r = parseSpec(spec(release));
  assert.ok(r.ok, r.ok ? "" : JSON.stringify(r.problems));
  return resolvePlan("staging", r.spec, version);
}

describe("release plan spec", () => {
  it("without a release block resolves the seeds' default procedure", () => {
    const p = plan();
    assert.deepEqual(
      p.steps.map((s) => s.name),
      ["preflight", "backup", "deploy-idle", "health", "switch", "watch", "verify"],
    );
    assert.equal(p.service, "api");
    assert.equal(p.colour, "green");
    assert.deepEqual(p.before, {
      active: "blue",
      versions: { blue: "1.2.3", green: "1.2.3" },
      maintenance: false,
    });
    // PSA-Platform's 10 minutes, the CGS/Branchen-Pakete error rate, the alert rules' p95.
    assert.equal(p.plan.watch.count * p.plan.watch.intervalSeconds, 600);
    assert.equal(p.plan.watch.errorRatePercent, 1);
    assert.equal(p.plan.watch.latencyP95Ms, 500);
    assert.equal(p.plan.watch.failureLimit, 0);
    assert.equal(p.plan.migrationRollback, "restore");
    assert.match(p.steps.find((s) => s.name === "switch")!.what, /migration job of 1\.3\.0 first/);
  });

  it("a split watches before the full switch; maintenance wraps the switch and the watch follows it", () => {
    assert.deepEqual(
      plan({ plan: { split: 50, smoke: { command: ["npm", "run", "test:smoke"] } } }).steps.map(
        (s) => s.name,
      ),
      [
        "preflight",
        "backup",
        "deploy-idle",
        "health",
        "smoke",
        "split",
        "watch-split",
        "switch",
        "verify",
      ],
    );
    assert.deepEqual(
      plan({ plan: { maintenance: true, verify: { enabled: false } } }).steps.map((s) => s.name),
      [
        "preflight",
        "maintenance-on",
        "backup",
        "deploy-idle",
        "health",
        "switch",
        "maintenance-off",
        "watch",
      ],
    );
  });

  it("refuses unknown settings and bad values, naming each config path", () => {
    const r = parseSpec(
      spec({
        plan: {
          maintenance: true,
          split: 50,
          watch: { count: 0, typo: 1 },
          migrationRollback: "drop",
        },
      }),
    );
    assert.ok(!r.ok);
    const paths = r.problems.map((p) => p.path).sort();
    assert.deepEqual(paths, [
      "golive:environment.release.plan.migrationRollback",
      "golive:environment.release.plan.watch.count",
      "golive:environment.release.plan.watch.typo",
    ]);
    // The cross-field rule runs once the fields are valid.
    const both = parseSpec(spec({ plan: { maintenance: true, split: 50 } }));
    assert.ok(!both.ok);
    assert.deepEqual(
      both.problems.map((p) => [p.path, p.message]),
      [
        [
          "golive:environment.release.plan.split",
          "a split needs traffic, and maintenance mode stops it: drop one of the two",
        ],
      ],
    );
  });

  it("refuses a release it cannot run, saying where and what was expected", () => {
    assert.throws(() => plan(undefined, "1.2.3"), /blue already serves it .*blueGreen\.blue/);
    const r = parseSpec({
      ...spec(),
      services: { ...spec().services, web: { ...spec().services.api, migration: undefined } },
    });
    assert.ok(r.ok);
    assert.throws(
      () => resolvePlan("staging", r.spec, "2.0.0"),
      (e: Error) =>
        e instanceof PlanError &&
        /release\.plan\.service: is missing: the spec has 2 blue\/green services \(api, web\)/.test(
          e.message,
        ),
    );
    const split = parseSpec({
      ...spec(),
      services: {
        api: {
          ...spec().services.api,
          blueGreen: { active: "blue", blue: "1", green: "2", weights: { blue: 50, green: 50 } },
        },
      },
    });
    assert.ok(split.ok);
    assert.throws(
      () => resolvePlan("staging", split.spec, "3"),
      /blueGreen\.weights: a split is in place/,
    );
  });

  it("prints the plan with its steps and thresholds (golive release --plan)", () => {
    const text = formatPlan(
      plan({
        plan: { split: 25, migrationRollback: { command: ["npm", "run", "migrate:rollback"] } },
      }),
    );
    assert.match(
      text,
      /^release api 1\.3\.0 on staging: blue 1\.2\.3 serves, green 1\.2\.3 idle$/m,
    );
    assert.match(
      text,
      /^ {2}\s?\d\. split +green 25 %, blue 75 % \(the pre-migration backup and migration job of 1\.3\.0 first\)$/m,
    );
    assert.match(text, /10 measurements every 60 s, failure limit 0, consecutive error limit 4/);
    assert.match(text, /error rate ≤ 1 %, p95 latency ≤ 500 ms/);
    assert.match(text, /the database: command npm run migrate:rollback/);
  });

  it("the release tests' scenarios (Docker, Kubernetes) are valid plans", () => {
    for (const file of ["e2e-release.yaml", "k8s-bluegreen-offline.yaml"]) {
      const doc = YAML.parse(
        fs.readFileSync(path.join(repo, "test", "scenarios", file), "utf8"),
      ) as { config: Record<string, { services: Record<string, { blueGreen: object }> }> };
      // The Kubernetes scenario starts as a 50/50 split; its test releases from a steady colour.
      const raw = doc.config["golive:environment"];
      delete (raw.services.api.blueGreen as { weights?: unknown }).weights;
      const r = parseSpec(raw);
      assert.ok(r.ok, r.ok ? "" : `${file}: ${JSON.stringify(r.problems)}`);
      assert.ok(
        resolvePlan("rel", r.spec, "1.1.0").steps.some((s) => s.kind === "smoke"),
        file,
      );
    }
  });
});

describe("golive release arguments", () => {
  it("takes the stack, --version, --plan and --resume", () => {
    const o = parseReleaseArgs(["prod", "--version", "1.3.0", "--plan"], "/r");
    assert.equal(o.stack, "prod");
    assert.equal(o.version, "1.3.0");
    assert.equal(o.plan, true);
    assert.equal(o.policyConfig, path.join("/r", "policies", "config", "prod.json"));
    assert.equal(parseReleaseArgs(["prod", "--resume"], "/r").resume, true);
  });

  it("refuses what it cannot run (a usage error)", () => {
    assert.throws(() => parseReleaseArgs(["prod"], "/r"), /--version <tag> is required/);
    assert.throws(() => parseReleaseArgs(["--version", "1"], "/r"), /name the stack/);
    assert.throws(() => parseReleaseArgs(["prod", "--version"], "/r"), /--version needs a value/);
    assert.throws(() => parseReleaseArgs(["prod", "--version", "a b"], "/r"), /not an image tag/);
    assert.throws(
      () => parseReleaseArgs(["prod", "--version", "1", "--force"], "/r"),
      /unknown option --force/,
    );
  });
});

describe("golive release --plan on a stack file", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "golive-plan-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (environment: unknown) =>
    fs.writeFileSync(
      path.join(dir, "Pulumi.staging.yaml"),
      YAML.stringify({ config: { "golive:environment": environment } }),
    );
  const run = async (args: string[]) => {
    const out: string[] = [];
    const code = await runReleaseCommand(
      parseReleaseArgs(["staging", ...args, "--dir", dir], dir),
      () => {},
      (l) => out.push(l),
    );
    return { code, out: out.join("\n") };
  };

  it("prints the stack's plan and runs nothing: no log, no lock", async () => {
    write(spec({ plan: { split: 50 } }));
    const r = await run(["--version", "1.3.0", "--plan"]);
    assert.equal(r.code, 0);
    assert.match(r.out, /^ {2}\s?\d\. watch-split +watch 10 × 60 s/m);
    assert.ok(!fs.existsSync(path.join(dir, ".golive")));
  });

  it("an invalid spec is refused with every problem's config path", async () => {
    write(spec({ plan: { watch: { count: "ten" } } }));
    await assert.rejects(
      run(["--version", "1.3.0", "--plan"]),
      /nothing was released:\n {2}- golive:environment\.release\.plan\.watch\.count: Invalid input: expected number, received string/,
    );
  });
});
