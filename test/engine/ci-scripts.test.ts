/**
 * The CI job scripts (ci/scripts/) run as the templates run them (test/unit/ci-templates.test.ts
 * holds the job graph): the preview job's script against the repository's dev stack, through the
 * real engine and policy pack, in a backend of its own (a CI job's state lives in its backend, never
 * in the checkout), writing every report format where the templates upload them from; and the
 * release jobs' script in --plan mode, which prints the release's plan and runs nothing. The test
 * job's script is the whole suite (scripts/test.sh), which this suite is part of: its command is
 * asserted by the unit test, not run.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { parseReportArgs, reportFiles } from "../../cli/report";
import { junitProblems, sarifValidator, xmllint } from "../report-formats/validate";
import { repo } from "./harness";

const work = path.join(repo, "test", ".work", "ci-scripts");
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PULUMI_BACKEND_URL: `file://${path.join(work, "backend")}`,
  // The dev stack's own passphrase (Pulumi.dev.yaml's salt was made with it), set explicitly as a
  // CI variable would be.
  PULUMI_CONFIG_PASSPHRASE: process.env.GOLIVE_DEV_PASSPHRASE ?? "golive-dev-only-not-a-secret",
};
delete env.PULUMI_CONFIG_PASSPHRASE_FILE;
delete env.GITHUB_ACTIONS;
delete env.GITHUB_STEP_SUMMARY;

function run(script: string, args: string[], minutes: number, runEnv = env) {
  const started = Date.now();
  const r = spawnSync(path.join(repo, "ci", "scripts", script), args, {
    cwd: repo,
    env: runEnv,
    encoding: "utf8",
    timeout: minutes * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return {
    code: r.status,
    output: `${r.stdout ?? ""}${r.stderr ?? ""}`,
    seconds: (Date.now() - started) / 1000,
  };
}

describe("the CI job scripts, run as the pipelines run them", () => {
  before(() => {
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(path.join(work, "backend"), { recursive: true });
  });

  it("preview: dev through the policy pack, then its go-live report in every format", () => {
    const out = parseReportArgs(["dev"], repo, new Date()).out;
    const r = run("preview.sh", ["dev"], 15);
    console.log(`ci/scripts/preview.sh dev: exit ${r.code} in ${r.seconds.toFixed(0)} s`);
    // The pack passes dev's preview (dev is advisory); dev has never been deployed in this
    // backend, so no live check could look and the report fails: the warning exit.
    assert.equal(r.code, 3, r.output);
    assert.match(r.output, /Policies:|policy/i, "the preview ran through the policy pack");
    assert.match(r.output, /the go-live report says dev may not go live yet/);

    for (const file of Object.values(reportFiles))
      assert.ok(fs.existsSync(path.join(out, file)), `${file} was written to ${out}`);
    if (xmllint) {
      const problems = junitProblems(path.join(out, reportFiles.junit));
      assert.equal(problems, undefined, problems);
    }
    const sarifText = fs.readFileSync(path.join(out, reportFiles.sarif), "utf8");
    const validator = sarifValidator();
    const valid = validator.validate(JSON.parse(sarifText));
    assert.ok(valid, validator.errors());
    const sarif = JSON.parse(sarifText) as { runs: { results: { message: { text: string } }[] }[] };
    const messages = sarif.runs[0].results.map((x) => x.message.text);
    // The gates were read from this preview: gate items passed or failed on its policy results.
    assert.ok(!messages.some((m) => m.includes("could not be read")), messages.join("\n"));
    assert.ok(
      messages.some((m) => m.includes("no violation of")),
      "some gate item passed",
    );
    // The live checks said why they could not look.
    assert.ok(messages.some((m) => m.includes("stack dev has never been deployed")));
    const quality = JSON.parse(fs.readFileSync(path.join(out, reportFiles.codeQuality), "utf8"));
    assert.ok(Array.isArray(quality) && quality.length > 0, "the open items, for the widget");
  });

  it("release: the plan of a release to staging and to production, running nothing", () => {
    // The repository's own stacks have no blue/green service to release: the release jobs run on
    // a project with one (GOLIVE_PROJECT_DIR, as a team with its project in a subfolder sets it),
    // the release test's scenario as its staging and production stacks.
    const project = path.join(work, "project");
    fs.mkdirSync(project, { recursive: true });
    const scenario = fs.readFileSync(
      path.join(repo, "test", "scenarios", "e2e-release.yaml"),
      "utf8",
    );
    // A release refuses golive's dev-only passphrase: the CI variable a team sets.
    const releaseEnv = {
      ...env,
      PULUMI_CONFIG_PASSPHRASE: "ci-scripts-test-passphrase",
      GOLIVE_PROJECT_DIR: path.relative(repo, project),
    };
    for (const stack of ["staging", "production"]) {
      fs.writeFileSync(
        path.join(project, `Pulumi.${stack}.yaml`),
        scenario.replace(/^(\s+)tier: dev$/m, `$1tier: ${stack}`),
      );
      const r = run("release.sh", [stack, "v0.0.0-ci-test", "--plan"], 5, releaseEnv);
      console.log(
        `ci/scripts/release.sh ${stack} --plan: exit ${r.code} in ${r.seconds.toFixed(1)} s`,
      );
      assert.equal(r.code, 0, r.output);
      assert.match(r.output, new RegExp(stack));
      assert.match(r.output, /v0\.0\.0-ci-test/, "the plan names the version released");
      assert.ok(
        !fs.existsSync(path.join(project, ".golive", "releases")),
        "--plan leaves no release log or lock",
      );
    }
    const missing = run("release.sh", ["qa", "v0.0.0-ci-test", "--plan"], 1, releaseEnv);
    assert.equal(missing.code, 2, missing.output);
    assert.match(missing.output, /no stack file .*Pulumi\.qa\.yaml/);
  });
});
