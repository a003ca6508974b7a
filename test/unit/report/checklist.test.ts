/**
 * The checklist registry (report/checklist/items.yaml) against the seeds, the policy pack and the
 * check set, and docs/checklist-coverage.md against what the registry renders.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, it } from "node:test";
import { checkIds } from "../../../report/checklist/checks";
import { coverageDoc, coverageDocFile } from "../../../report/checklist/coverage-doc";
import {
  isHeading,
  itemRef,
  loadChecklist,
  parseChecklist,
} from "../../../report/checklist/registry";
import {
  readSeed,
  repairMojibake,
  seedCheckboxes,
  seedsDir,
} from "../../../report/checklist/seeds";
import { rawPolicies } from "../../../policies/rules";

const checklist = loadChecklist();
const noSeeds = !fs.existsSync(seedsDir) && "shared/seeds is not beside the repository";

describe("the checklist registry", () => {
  it(
    "has exactly one entry for every checkbox of every seed, with the seed's text and heading",
    { skip: noSeeds },
    () => {
      const boxes = checklist.seeds.flatMap((s) => readSeed(s.file, s.mojibake));
      assert.equal(boxes.length, 305);
      const byRef = new Map(checklist.items.map((i) => [itemRef(i), i]));
      const unmatched = new Set(byRef.keys());
      assert.equal(byRef.size, checklist.items.length, "one entry per seed line");
      for (const box of boxes) {
        const ref = `${box.file}:${box.line}`;
        const item = byRef.get(ref);
        assert.ok(item, `${ref} has no registry entry`);
        assert.equal(item.text, box.text, `${item.id}: the text differs from ${ref}`);
        const parent =
          box.parentLine === undefined ? undefined : byRef.get(`${box.file}:${box.parentLine}`);
        assert.equal(
          item.parent,
          parent?.id,
          `${item.id}: listed under another heading in the seed`,
        );
        unmatched.delete(ref);
      }
      assert.deepEqual([...unmatched], [], "entries with no checkbox in the seeds");
    },
  );

  it("covers every seed file beside the repository", { skip: noSeeds }, () => {
    const files = fs.readdirSync(seedsDir).filter((f) => f.endsWith(".txt"));
    assert.deepEqual(checklist.seeds.map((s) => s.file).sort(), files.sort());
  });

  it("keeps the classes of the coverage matrix it was converted from", () => {
    const count = (c: string) => checklist.items.filter((i) => i.class === c).length;
    assert.deepEqual(
      {
        gate: count("gate"),
        declared: count("declared"),
        verified: count("verified"),
        manual: count("manual"),
      },
      { gate: 39, declared: 83, verified: 73, manual: 110 },
    );
  });

  it("names only policies of the pack", () => {
    const names = new Set(rawPolicies.map((p) => p.name));
    const gates = checklist.items.filter((i) => i.class === "gate" && !isHeading(checklist, i));
    assert.ok(gates.length > 0);
    for (const item of gates) {
      assert.ok(item.class === "gate" && item.policies && item.policies.length > 0, item.id);
      for (const p of item.policies)
        assert.ok(names.has(p), `${item.id} names ${p}, which is not a policy`);
    }
  });

  it("uses every check of the check set, and names components that exist", () => {
    const used = new Set(
      checklist.items.flatMap((i) =>
        i.class === "verified" && Array.isArray(i.checks) ? i.checks : [],
      ),
    );
    assert.deepEqual(
      checkIds.filter((c) => !used.has(c)),
      [],
      "check IDs no item uses",
    );
    for (const item of checklist.items) {
      if (item.class !== "declared") continue;
      for (const c of item.components ?? [])
        assert.ok(fs.existsSync(`${__dirname}/../../../${c}`), `${item.id}: ${c} does not exist`);
    }
  });

  it("marks the seed's optional items as not mandatory, and only those", () => {
    const optional = checklist.items.filter((i) => i.mandatory === false).map((i) => i.id);
    assert.deepEqual(
      optional,
      checklist.items.filter((i) => /\(optional\)/i.test(i.text)).map((i) => i.id),
    );
    assert.equal(optional.length, 4);
  });
});

describe("parsing a registry", () => {
  const seed = `seeds:
  - { file: 000_aa.txt, system: demo, title: Demo, where: Docker, mojibake: false }
items:
`;
  const parse = (items: string) => () => parseChecklist(seed + items, "items.yaml");

  it("refuses a heading whose class is not the weakest of its mandatory sub-items", () => {
    assert.throws(
      parse(`  - { id: demo.head, seed: 000_aa.txt, line: 1, text: Head, class: gate, note: n }
  - { id: demo.a, seed: 000_aa.txt, line: 2, text: A, parent: demo.head, class: gate, policies: [p-enforce-x], note: n }
  - { id: demo.b, seed: 000_aa.txt, line: 3, text: B, parent: demo.head, class: manual, signoff: ops, note: n }
  - { id: demo.c, seed: 000_aa.txt, line: 4, text: C, parent: demo.head, class: manual, signoff: ops, mandatory: false, note: n }
`),
      /items\[0\]\.class: a heading takes the weakest class of its mandatory sub-items: manual, not gate/,
    );
  });

  it("does not count an optional sub-item for its heading", () => {
    const c = parseChecklist(
      seed +
        `  - { id: demo.head, seed: 000_aa.txt, line: 1, text: Head, class: gate, note: n }
  - { id: demo.a, seed: 000_aa.txt, line: 2, text: A, parent: demo.head, class: gate, policies: [p-enforce-x], note: n }
  - { id: demo.c, seed: 000_aa.txt, line: 3, text: C, parent: demo.head, class: manual, signoff: ops, mandatory: false, note: n }
`,
    );
    assert.deepEqual(
      c.children.get("demo.head")?.map((i) => i.id),
      ["demo.a", "demo.c"],
    );
  });

  it("refuses duplicate IDs, unknown checks and items without what decides them, naming each", () => {
    assert.throws(
      parse(`  - { id: demo.a, seed: 000_aa.txt, line: 1, text: A, class: manual, note: n }
  - { id: demo.a, seed: 000_aa.txt, line: 2, text: B, class: verified, checks: none, note: n }
`),
      (e: Error) => {
        assert.match(e.message, /^items\.yaml: the checklist registry is invalid/);
        assert.match(e.message, /items\[0\]\.signoff: a manual item names the role/);
        assert.match(e.message, /items\[1\]\.id: demo\.a is also items\[0\]/);
        assert.match(e.message, /items\[1\]\.why: `checks: none` needs the reason/);
        return true;
      },
    );
    assert.throws(
      parse(`  - { id: demo.a, seed: 000_aa.txt, line: 1, text: A, class: verified, checks: [pings], note: n }
`),
      /items\[0\]\.checks/,
    );
  });
});

describe("reading a seed", () => {
  it("repairs UTF-8 that was read as Mac Roman, and refuses text that is not such mojibake", () => {
    assert.equal(repairMojibake("f√ºr Gr√∂√üe, Eintr√§ge"), "für Größe, Einträge");
    assert.throws(() => repairMojibake("Łódź"), /not a Mac Roman character/);
  });

  it("lists checkboxes with the heading they are indented under, ending a list at a heading", () => {
    const text = [
      "## 1",
      "- [ ] **Head**",
      "  - [ ] a   b",
      "  ```bash",
      "  # a comment, not a heading",
      "  - [ ] in code",
      "  ```",
      "- [ ] next",
      "## 2",
      "  - [ ] under no heading",
    ].join("\n");
    assert.deepEqual(seedCheckboxes("x.txt", text, false), [
      { file: "x.txt", line: 2, text: "**Head**", parentLine: undefined },
      { file: "x.txt", line: 3, text: "a b", parentLine: 2 },
      { file: "x.txt", line: 6, text: "in code", parentLine: 2 },
      { file: "x.txt", line: 8, text: "next", parentLine: undefined },
      { file: "x.txt", line: 10, text: "under no heading", parentLine: undefined },
    ]);
  });
});

describe("docs/checklist-coverage.md", () => {
  it("is what the registry renders (npm run checklist:doc)", () => {
    const committed = fs.readFileSync(coverageDocFile, "utf8");
    const rendered = coverageDoc(checklist);
    if (committed !== rendered) {
      const a = committed.split("\n");
      const b = rendered.split("\n");
      const i = a.findIndex((line, n) => line !== b[n]);
      assert.fail(
        `docs/checklist-coverage.md differs from the registry from line ${i + 1}: run npm run checklist:doc\n` +
          `  committed: ${a[i]}\n  rendered:  ${b[i]}`,
      );
    }
  });

  it("has one row per item, under its seed", () => {
    const doc = coverageDoc(checklist);
    for (const item of checklist.items) {
      assert.ok(doc.includes(`| \`${item.id}\` | \`${itemRef(item)}\` |`), item.id);
    }
  });
});
