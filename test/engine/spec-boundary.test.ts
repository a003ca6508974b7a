/**
 * The spec's boundary through the real engine: a spec whose fields are each valid but do not fit
 * together (a dependency cycle) stops in parseSpec, naming the config path, before any resource is
 * registered; and YAML as users write it (the waiver example of docs/policies.md, its date
 * unquoted) arrives as Pulumi delivers it and is taken.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { Project, repo, toCreate } from "./harness";

describe("a spec that does not fit together stops before anything is registered", () => {
  it("a dependency cycle fails preview with its config path and registers no resource", () => {
    const yaml = fs.readFileSync(
      path.join(repo, "test", "scenarios", "dependency-cycle.yaml"),
      "utf8",
    );
    const p = new Project("scenario-dependency-cycle", "cycle", yaml);
    const r = p.preview("dev");
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, /the stack config is invalid \(1 problem\); nothing was deployed/);
    assert.match(
      r.output,
      /golive:environment\.services\.api\.dependsOn\[1\]: services depend on each other in a cycle: api -> worker -> api/,
    );
    // No golive component, no PostgreSQL, no Docker resource: only the implicit stack resource.
    assert.doesNotMatch(
      r.output,
      /golive:index:Environment|golive:data|golive:docker|docker:index|golive:secrets/,
    );
    assert.ok(toCreate(r.output) <= 1, `expected no resource but the stack:\n${r.output}`);
  });
});

describe("the docs' waiver example works through the engine", () => {
  it("an unquoted date arrives as Go prints a time, and the waiver is active until that day", () => {
    const doc = fs.readFileSync(path.join(repo, "docs", "policies.md"), "utf8");
    const block = /## Waivers[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(block, "docs/policies.md has a yaml example under Waivers");
    const fragment = block.replace(/^/gm, "    ");
    const p = new Project(
      "scenario-waiver-example",
      "waiver",
      [
        "config:",
        "  golive:environment:",
        "    runtime: docker",
        "    tier: dev",
        "    services:",
        "      api:",
        "        image: golive/demo-app:1.0.0",
        "        ports: [{ name: http, port: 8080 }]",
        "        healthCheck: { path: /health, port: 8080 }",
        fragment,
      ].join("\n"),
    );
    const raw = p.pulumi(["config", "get", "golive:environment", "--json"]);
    assert.match(
      raw.output,
      /"until": "2027-03-31 00:00:00 \+0000 UTC"/,
      "what the program receives",
    );
    const r = p.preview("dev");
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /waiver of rabbitmq-enforce-min-version until 2027-03-31: /);
  });
});
