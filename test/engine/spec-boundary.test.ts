/**
 * Specs refused at the boundary, through the real engine: a spec whose fields are each valid but
 * do not fit together (a dependency cycle) stops in parseSpec, naming the config path, before any
 * resource is registered.
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
