/**
 * The CI templates (ci/gitlab-ci.yml, ci/github-actions.yml) as their CI systems read them: the
 * job graph (stages, when each job runs, production by hand or behind an approval), the artefacts
 * at exactly the paths `golive report` writes, no secret in either file, and both templates calling
 * the same job scripts (ci/scripts/). The scripts' argument and setup checks run here for real; the
 * preview and release scripts against a stack run in test/engine/ci-scripts.test.ts.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as YAML from "yaml";
import { parseReportArgs, reportFiles } from "../../cli/report";

const repo = path.resolve(__dirname, "..", "..");
const read = (file: string) => fs.readFileSync(path.join(repo, file), "utf8");
const gitlab = YAML.parse(read("ci/gitlab-ci.yml")) as Record<string, any>;
const github = YAML.parse(read("ci/github-actions.yml")) as Record<string, any>;

/** Where `golive report <stack>` writes a format, relative to the repository. */
function reportPath(stack: string, file: string): string {
  return path.join(path.relative(repo, parseReportArgs([stack], repo, new Date()).out), file);
}

/** The ci/scripts command lines of a GitLab job's script, or of a GitHub job's run steps. */
function gitlabCommands(job: string): string[] {
  return (gitlab[job].script as string[]).filter((l) => l.startsWith("ci/scripts/"));
}
function githubCommands(job: string): string[] {
  return (github.jobs[job].steps as { run?: string }[])
    .filter((s) => s.run !== undefined)
    .map((s) => s.run!.split(" || ")[0].trim());
}

/** The stack a preview command names: `ci/scripts/preview.sh <stack>`. */
function previewStack(command: string): string {
  const m = /^ci\/scripts\/preview\.sh (\S+)$/.exec(command);
  assert.ok(m, `${command} is not ci/scripts/preview.sh <stack>`);
  return m[1];
}

/** Runs a job script with a clean CI environment (no backend, no passphrase) plus `env`. */
function runScript(script: string, args: string[], env: Record<string, string> = {}) {
  const clean = { ...process.env };
  for (const k of [
    "PULUMI_BACKEND_URL",
    "PULUMI_CONFIG_PASSPHRASE",
    "PULUMI_CONFIG_PASSPHRASE_FILE",
  ])
    delete clean[k];
  const r = spawnSync(path.join(repo, "ci", "scripts", script), args, {
    env: { ...clean, ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
  return { code: r.status, stderr: r.stderr };
}

describe("ci/gitlab-ci.yml", () => {
  const mr = '$CI_PIPELINE_SOURCE == "merge_request_event"';
  const defaultBranch = "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH";

  it("has the stages test, preview, release-staging, release-production, in that order", () => {
    assert.deepEqual(gitlab.stages, ["test", "preview", "release-staging", "release-production"]);
    for (const job of ["test", "preview", "release-staging", "release-production"])
      assert.equal(gitlab[job].stage, job, `${job} runs in its own stage`);
  });

  it("runs pipelines for merge requests and for the default branch only", () => {
    assert.deepEqual(
      gitlab.workflow.rules.map((r: { if: string }) => r.if),
      [mr, defaultBranch],
    );
  });

  it("runs the whole test suite in the test job, on every pipeline", () => {
    assert.deepEqual(gitlab.test.script, ["ci/scripts/test.sh"]);
    assert.equal(gitlab.test.rules, undefined);
    const lines = read("ci/scripts/test.sh")
      .split("\n")
      .filter((l) => l.trim() && !l.startsWith("#"));
    assert.equal(lines.at(-1), "exec ./scripts/test.sh");
  });

  it("previews on merge requests only, after the tests, uploading every report format", () => {
    const job = gitlab.preview;
    assert.deepEqual(job.rules, [{ if: mr }]);
    assert.deepEqual(job.needs, ["test"]);
    const [command] = gitlabCommands("preview");
    const stack = previewStack(command);
    assert.equal(job.artifacts.when, "always", "the report is uploaded when the job fails too");
    assert.equal(job.artifacts.reports.junit, reportPath(stack, reportFiles.junit));
    assert.equal(job.artifacts.reports.codequality, reportPath(stack, reportFiles.codeQuality));
    assert.deepEqual(
      [...job.artifacts.paths].sort(),
      [reportFiles.markdown, reportFiles.html, reportFiles.sarif]
        .map((f) => reportPath(stack, f))
        .sort(),
    );
    assert.deepEqual(job.allow_failure, { exit_codes: [3] }, "a report that fails warns");
  });

  it("releases to staging on the default branch, to production by hand after staging", () => {
    const staging = gitlab["release-staging"];
    assert.deepEqual(staging.rules, [{ if: defaultBranch }]);
    assert.equal(staging.environment.name, "staging");
    assert.deepEqual(gitlabCommands("release-staging"), [
      'ci/scripts/release.sh staging "$GOLIVE_RELEASE_VERSION"',
    ]);
    const production = gitlab["release-production"];
    assert.deepEqual(production.rules, [
      { if: defaultBranch, when: "manual", allow_failure: false },
    ]);
    assert.deepEqual(production.needs, ["release-staging"]);
    assert.equal(production.environment.name, "production");
    assert.deepEqual(gitlabCommands("release-production"), [
      'ci/scripts/release.sh production "$GOLIVE_RELEASE_VERSION"',
    ]);
    for (const job of [staging, production]) {
      assert.equal(job.resource_group, job.environment.name, "one release per stack at a time");
      assert.equal(job.interruptible, false, "a newer pipeline never cancels a release");
    }
  });
});

describe("ci/github-actions.yml", () => {
  const jobs = github.jobs as Record<string, any>;
  const onDefaultBranch =
    "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)";

  it("runs on pull requests, pushes to the default branch and by hand", () => {
    assert.deepEqual(Object.keys(github.on).sort(), ["pull_request", "push", "workflow_dispatch"]);
    assert.deepEqual(github.on.push.branches, ["main"]);
    assert.deepEqual(Object.keys(jobs), [
      "test",
      "preview",
      "release-staging",
      "release-production",
    ]);
  });

  it("runs the whole test suite in the test job, on every run", () => {
    assert.equal(jobs.test.if, undefined);
    assert.deepEqual(githubCommands("test"), ["ci/scripts/test.sh"]);
  });

  it("previews pull requests, uploading SARIF to code scanning and every format as an artefact", () => {
    const job = jobs.preview;
    assert.equal(job.if, "github.event_name == 'pull_request'");
    assert.equal(job.needs, "test");
    assert.equal(job.permissions["security-events"], "write");
    const [command] = githubCommands("preview");
    const stack = previewStack(command);
    const run = job.steps.find((s: { run?: string }) => s.run?.startsWith(command)).run;
    assert.equal(run, `${command} || test $? -eq 3`, "only the report's verdict (exit 3) passes");
    const sarif = job.steps.find((s: { uses?: string }) =>
      s.uses?.startsWith("github/codeql-action/upload-sarif@"),
    );
    assert.equal(sarif.if, "always()");
    assert.equal(sarif.with.sarif_file, reportPath(stack, reportFiles.sarif));
    const upload = job.steps.find((s: { uses?: string }) =>
      s.uses?.startsWith("actions/upload-artifact@"),
    );
    assert.equal(upload.if, "always()");
    assert.deepEqual(
      (upload.with.path as string).trim().split("\n").sort(),
      Object.values(reportFiles)
        .map((f) => reportPath(stack, f))
        .sort(),
    );
  });

  it("releases to staging on the default branch, to production behind its environment", () => {
    const staging = jobs["release-staging"];
    assert.match(staging.if, /github\.event_name == 'push'/);
    assert.ok(
      staging.if.includes(onDefaultBranch),
      "staging releases from the default branch only",
    );
    assert.equal(staging.environment, "staging");
    assert.deepEqual(githubCommands("release-staging"), [
      'ci/scripts/release.sh staging "$GOLIVE_RELEASE_VERSION"',
    ]);
    const production = jobs["release-production"];
    assert.equal(production.needs, "release-staging");
    assert.equal(production.environment, "production", "its required reviewers approve it");
    assert.deepEqual(githubCommands("release-production"), [
      'ci/scripts/release.sh production "$GOLIVE_RELEASE_VERSION"',
    ]);
    for (const job of [staging, production])
      assert.equal(job.env.GOLIVE_RELEASE_VERSION, "${{ inputs.version || github.sha }}");
  });
});

describe("both templates", () => {
  it("call the same job scripts, which exist and are executable", () => {
    for (const job of ["test", "preview", "release-staging", "release-production"]) {
      assert.deepEqual(githubCommands(job), gitlabCommands(job), job);
      for (const command of gitlabCommands(job)) {
        const file = path.join(repo, command.split(" ")[0]);
        fs.accessSync(file, fs.constants.X_OK);
      }
    }
  });

  it("hold no passphrase or backend: those come from the CI system's settings", () => {
    /** Every value set under a key of the given names, anywhere in a parsed document. */
    const valuesOf = (node: unknown, names: readonly string[]): unknown[] =>
      node && typeof node === "object"
        ? Object.entries(node).flatMap(([k, v]) => [
            ...(names.includes(k) ? [v] : []),
            ...valuesOf(v, names),
          ])
        : [];
    const names = [
      "PULUMI_BACKEND_URL",
      "PULUMI_CONFIG_PASSPHRASE",
      "PULUMI_CONFIG_PASSPHRASE_FILE",
    ];
    assert.deepEqual(valuesOf(gitlab, names), [], "the GitLab template sets none of them");
    assert.deepEqual(valuesOf(github, names), [
      "${{ vars.PULUMI_BACKEND_URL }}",
      "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
    ]);
    for (const file of ["ci/gitlab-ci.yml", "ci/github-actions.yml"])
      assert.ok(!read(file).includes("golive-dev-only-not-a-secret"), file);
  });
});

describe("the job scripts refuse to run without what they need", () => {
  it("preview and release stop without a backend, saying which variable to set", () => {
    for (const [script, args] of [
      ["preview.sh", ["staging"]],
      ["release.sh", ["staging", "v1"]],
    ] as const) {
      const r = runScript(script, [...args]);
      assert.equal(r.code, 2, `${script}: ${r.stderr}`);
      assert.match(r.stderr, /PULUMI_BACKEND_URL is not set/);
    }
  });

  it("release stops without a passphrase, and with golive's dev-only one", () => {
    const backend = { PULUMI_BACKEND_URL: "file:///nonexistent-backend" };
    const none = runScript("release.sh", ["staging", "v1"], backend);
    assert.equal(none.code, 2);
    assert.match(
      none.stderr,
      /PULUMI_CONFIG_PASSPHRASE \(or PULUMI_CONFIG_PASSPHRASE_FILE\) is not set/,
    );
    const dev = runScript("release.sh", ["staging", "v1"], {
      ...backend,
      PULUMI_CONFIG_PASSPHRASE: "golive-dev-only-not-a-secret",
    });
    assert.equal(dev.code, 2);
    assert.match(dev.stderr, /dev-only passphrase/);
  });

  it("usage errors exit 2 with the usage", () => {
    for (const [script, args] of [
      ["preview.sh", []],
      ["preview.sh", ["a", "b"]],
      ["release.sh", ["staging"]],
      ["release.sh", ["staging", "v1", "--apply"]],
    ] as const) {
      const r = runScript(script, [...args]);
      assert.equal(r.code, 2, `${script} ${args.join(" ")}`);
      assert.match(r.stderr, /^usage: ci\/scripts\//, `${script} ${args.join(" ")}`);
    }
  });
});
