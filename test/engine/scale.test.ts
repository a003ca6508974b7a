/**
 * Scale: a generated 1,000-service Docker environment previews clean through the policy pack when
 * it is kept in a spec file (`golive:specFile`); the same spec inline in the stack config is past
 * what one environment variable can carry to the program, and stops with golive's error naming
 * the limit, never the engine's E2BIG. A stack with no config at all reaches golive's own
 * "missing" message (the language host sends `{}`, not `null`).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { inlineStackConfig, specFileStackConfig, specFileText } from "./generated-spec";
import { figure, Project, toCreate } from "./harness";

const services = 1000;
const crash = /argument list too long|E2BIG|panic:|goroutine \d+|TypeError|Cannot convert/;

describe("a 1,000-service environment", () => {
  it("previews clean through the policy pack from a spec file", () => {
    const p = new Project("scale-spec-file", "scale", specFileStackConfig("systems/big.yaml"));
    fs.mkdirSync(path.join(p.dir, "systems"));
    const text = specFileText(services);
    fs.writeFileSync(path.join(p.dir, "systems", "big.yaml"), text);
    figure("scale-spec-file-bytes", text.length);
    const r = p.preview("test/scenarios/generated.policy.json");
    figure("scale-preview-seconds", r.seconds.toFixed(1));
    figure("scale-preview-resources", toCreate(r.output));
    assert.equal(r.code, 0, r.output.slice(-5000));
    assert.match(r.output, /Policies:/);
    assert.doesNotMatch(r.output, /\[(mandatory|advisory)\](?!.*waivers-report-active)/);
    assert.doesNotMatch(r.output, /can't run policy/);
    assert.ok(toCreate(r.output) > services, `expected more than ${services} resources`);
  });

  it("inline in the stack config stops with golive's error naming the limit", () => {
    const stack = inlineStackConfig(services);
    const p = new Project("scale-inline", "scale", stack);
    const r = p.preview("test/scenarios/generated.policy.json");
    assert.notEqual(r.code, 0, r.output);
    assert.match(
      r.output,
      /golive: the stack config is [\d,]+ bytes; the language host passes config to the program in one environment variable \(PULUMI_CONFIG\), which Linux limits to 131,072 bytes \(MAX_ARG_STRLEN\): keep the environment in a spec file \(golive:specFile, see README\)/,
    );
    assert.doesNotMatch(r.output, crash);
    // Nothing of golive's was registered.
    assert.doesNotMatch(r.output, /golive:index:Environment|docker:index/);
  });
});

describe("a stack with no config at all", () => {
  it("reaches golive's own message, not an SDK error on PULUMI_CONFIG=null", () => {
    const p = new Project("no-config", "empty", "");
    // The repository's Pulumi.yaml sets project config (pulumi:tags); this project has none.
    fs.writeFileSync(
      path.join(p.dir, "Pulumi.yaml"),
      "name: golive\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n",
    );
    const r = p.pulumi(["preview", "--non-interactive"]);
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, /golive:environment: is missing: set it in Pulumi\.<stack>\.yaml/);
    assert.doesNotMatch(r.output, crash);
  });
});
