/**
 * One contract: every label name the program and the pack share is spelled once, in
 * policies/lib/contract.ts. A component that spelled one itself could drift from the pack's and
 * silently switch a gate off.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { label } from "../../policies/lib/contract";

const root = path.join(__dirname, "..", "..");

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("the shared contract", () => {
  it("components name golive's labels only through the contract, never as literals", () => {
    const files = sources(path.join(root, "components"));
    assert.ok(files.length > 20, "the components were found");
    const literals = files.flatMap((f) =>
      fs
        .readFileSync(f, "utf8")
        .split("\n")
        .map((line, i) => ({
          line: line.replace(/\/\/.*$/, ""),
          at: `${path.relative(root, f)}:${i + 1}`,
        }))
        .filter(({ line }) => !/^\s*(\/\*|\*)/.test(line) && /["'`]golive\.dev\//.test(line))
        .map(({ at }) => at),
    );
    assert.deepEqual(literals, []);
  });

  it("gives every label a name of golive's own and no two the same", () => {
    const values = Object.values(label).filter((v) => v.startsWith("golive.dev/"));
    assert.ok(values.length > 30);
    assert.equal(new Set(values).size, values.length);
  });
});
