/**
 * Text snapshots: the generated text is compared with test/unit/__snapshots__/<name>.snap.
 * `UPDATE_SNAPSHOTS=1` writes them (review the diff before committing); a missing snapshot fails.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const dir = path.join(__dirname, "__snapshots__");

export function matchSnapshot(name: string, actual: string): void {
  const file = path.join(dir, `${name}.snap`);
  if (process.env.UPDATE_SNAPSHOTS === "1") {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  assert.ok(fs.existsSync(file), `no snapshot ${file}: run with UPDATE_SNAPSHOTS=1 and review it`);
  assert.equal(actual, fs.readFileSync(file, "utf8"), `${name} differs from its snapshot`);
}
