/**
 * The walking skeleton through the real engine: every stack previews clean through the policy
 * pack; a config that breaks a mandatory policy is refused with that policy's name; a malformed
 * config stops before any golive resource is registered, naming the config path.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { figure, Project, repo, stackFile, toCreate } from "./harness";

const scenario = (file: string) =>
  fs.readFileSync(path.join(repo, "test", "scenarios", file), "utf8");

describe("stacks preview clean through the policy pack", () => {
  for (const [stack, runtime, minimum] of [
    ["dev", "docker", 10],
    ["staging", "kubernetes", 12],
    ["production", "lxc", 8],
  ] as const) {
    it(`${stack} (${runtime}) previews with every policy passing`, () => {
      const p = new Project(`stack-${stack}`, stack, stackFile(stack));
      const r = p.preview(stack);
      figure(`preview-seconds-${stack}`, r.seconds.toFixed(1));
      figure(`preview-resources-${stack}`, toCreate(r.output));
      assert.equal(r.code, 0, r.output);
      assert.match(r.output, /Policies:/);
      assert.match(r.output, /golive@v0\.1\.0/);
      // Nothing but the report of a stack's own dated waivers.
      assert.doesNotMatch(r.output, /\[mandatory\]/, "no policy may report a violation");
      assert.doesNotMatch(
        r.output,
        /\[advisory\](?!.*waivers-report-active)/,
        "nor an advisory one",
      );
      assert.doesNotMatch(r.output, /can't run policy/, "every gate must run at preview");
      assert.ok(
        toCreate(r.output) >= minimum,
        `expected at least ${minimum} resources:\n${r.output}`,
      );
      assert.match(r.output, new RegExp(`runtime\\s*: "${runtime}"`));
    });
  }
});

describe("the policy pack refuses a config that breaks a mandatory policy", () => {
  it("an unpinned image fails preview, naming image-disallow-latest-tag", () => {
    const p = new Project("scenario-latest-tag", "broken", scenario("image-latest-tag.yaml"));
    const r = p.preview("production");
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, /\[mandatory\].*image-disallow-latest-tag/);
    assert.match(r.output, /uses image "golive\/demo-app:latest"/);
    // Only that policy fails: the rest of the config is compliant.
    const failing = new Set(
      [...r.output.matchAll(/\[mandatory\] \[severity: \w+\]\s+([a-z0-9-]+)/g)].map((m) => m[1]),
    );
    assert.deepEqual([...failing], ["image-disallow-latest-tag"]);
  });
});

describe("a malformed config stops before anything is registered", () => {
  it("names every bad config path and what was expected", () => {
    const p = new Project("scenario-malformed", "malformed", scenario("malformed.yaml"));
    const r = p.preview("dev");
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, /the stack config is invalid \(3 problems\); nothing was deployed/);
    assert.match(r.output, /golive:environment\.services\.api\.replicas: .*expected number/i);
    assert.match(r.output, /golive:environment\.runtime: .*"docker"\|"kubernetes"\|"lxc"/);
    assert.match(
      r.output,
      /golive:environment\.services\.api\.healthcheck: is not a setting golive knows/,
    );
    // Nothing of golive's was registered: only the implicit stack resource appears.
    assert.doesNotMatch(r.output, /golive:index:Environment|docker:index|golive:docker/);
  });
});
