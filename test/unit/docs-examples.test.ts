/**
 * Every example in README.md and docs/ is run, so that none can stop working unnoticed. The
 * convention (README "Configuration"): each fenced block names its language;
 * - `yaml`: a fragment of `golive:environment` (top-level keys of the spec), or a whole stack file
 *   (with `config:`). A fragment is laid over a minimal valid spec (its `services` added to the
 *   minimal one's) and parseSpec must accept it, read as Pulumi's stack config delivers YAML.
 *   After `<!-- signoffs -->`, a sign-off file (signoffs/<stack>.yaml) that must be valid;
 * - `sh`: the commands and repository paths it names exist;
 * - `text`: a diagram or output; output preceded by `<!-- output of <stack file> -->` must be what
 *   golive prints for that stack file.
 * Repository paths named in inline code (`scripts/test.sh`) must exist too.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import yaml from "js-yaml";
import { formatProblems, parseSpec } from "../../components/config/load";
import { loadChecklist } from "../../report/checklist/registry";
import { formatSignoffProblems, parseSignoffs } from "../../report/signoffs";
import { minimalSpec } from "./minimal-spec";

const repo = path.resolve(__dirname, "..", "..");

interface Block {
  readonly file: string;
  readonly line: number;
  readonly lang: string;
  readonly text: string;
  /** The HTML comment on the line before the fence, if any. */
  readonly mark?: string;
}

function markdownFiles(): string[] {
  const out = ["README.md"];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(path.join(repo, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith(".md")) out.push(rel);
    }
  };
  walk("docs");
  return out.sort();
}

function blocks(file: string): Block[] {
  const lines = fs.readFileSync(path.join(repo, file), "utf8").split("\n");
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(```+|~~~+)\s*([\w-]*)/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang] = open;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j].startsWith(`${indent}${fence}`)) {
      body.push(lines[j].slice(indent.length));
      j++;
    }
    const before = lines
      .slice(0, i)
      .reverse()
      .find((l) => l.trim() !== "");
    const mark = before && /^\s*<!--\s*(.*?)\s*-->\s*$/.exec(before)?.[1];
    out.push({ file, line: i + 1, lang, text: body.join("\n"), mark });
    i = j;
  }
  return out;
}

/**
 * A YAML value as Pulumi's stack config hands it to the program: Pulumi reads Pulumi.<stack>.yaml
 * with Go's yaml.v3, which turns an unquoted timestamp into a time, and its config object stores
 * that time as Go prints it ("2027-03-31 00:00:00 +0000 UTC").
 */
function asPulumiConfig(v: unknown): unknown {
  if (v instanceof Date) {
    const iso = v.toISOString(); // 2027-03-31T00:00:00.000Z
    const fraction = iso.slice(19, 23).replace(/\.?0+$/, "");
    return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction} +0000 UTC`;
  }
  if (Array.isArray(v)) return v.map(asPulumiConfig);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asPulumiConfig(x)]));
  }
  return v;
}

/** The smallest spec the fragments are laid over. */
const minimal = minimalSpec;

function specOf(text: string): unknown {
  const doc = asPulumiConfig(yaml.load(text)) as Record<string, any>;
  if (doc && typeof doc === "object" && "config" in doc) {
    // A stack file may keep the spec in a file of the repository (golive:specFile).
    const file = doc.config["golive:specFile"];
    if (typeof file === "string") {
      return asPulumiConfig(yaml.load(fs.readFileSync(path.join(repo, file), "utf8")));
    }
    return doc.config["golive:environment"];
  }
  const base: Record<string, any> = minimal();
  return { ...base, ...doc, services: { ...base.services, ...(doc.services ?? {}) } };
}

/** Repository paths a shell example names: the command itself and its path arguments. */
function namedPaths(text: string): string[] {
  const paths: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    for (const word of line.split(/\s+/).filter(Boolean)) {
      if (/^(\.\/)?[\w.-]+\/[\w./<>-]*$/.test(word) && !word.includes("<")) paths.push(word);
    }
  }
  return paths;
}

const all = markdownFiles().flatMap(blocks);

/** Repository paths in a file's inline code spans (placeholders such as `<stack>` left out). */
function inlinePaths(file: string): string[] {
  const text = fs.readFileSync(path.join(repo, file), "utf8").replace(/```[\s\S]*?```/g, "");
  const top =
    /^(\.\/)?(components|scripts|test|docs|policies|systems|toolchain|license|report|cli|signoffs|ci)\/[\w./-]*$/;
  return [...text.matchAll(/`([^`\n]+)`/g)]
    .flatMap((m) => m[1].split(/\s+/))
    .map((w) => w.replace(/[.,;:)]+$/, ""))
    .filter((w) => top.test(w));
}

describe("every example in README.md and docs/ works", () => {
  it(`finds the examples (${all.length} fenced blocks)`, () => {
    assert.ok(all.some((b) => b.lang === "yaml"));
    assert.ok(all.some((b) => b.lang === "sh"));
    assert.ok(inlinePaths("README.md").includes("scripts/test.sh"));
  });

  for (const file of markdownFiles()) {
    it(`${file}: the repository paths its inline code names exist`, () => {
      const missing = inlinePaths(file).filter((p) => !fs.existsSync(path.join(repo, p)));
      assert.deepEqual(missing, [], `${file} names paths that do not exist`);
    });
  }

  for (const b of all) {
    const where = `${b.file}:${b.line}`;
    it(`${where} (${b.lang || "no language"})`, () => {
      switch (b.lang) {
        case "yaml": {
          if (b.mark === "signoffs") {
            const s = parseSignoffs(b.text, loadChecklist(), "2099-12-31");
            assert.ok(s.ok, `${where}: ${!s.ok && formatSignoffProblems(where, s.problems)}`);
            break;
          }
          const r = parseSpec(specOf(b.text));
          assert.ok(
            r.ok,
            `${where}: the example is refused:\n${!r.ok && formatProblems(r.problems)}`,
          );
          break;
        }
        case "sh": {
          const named = namedPaths(b.text);
          assert.ok(named.length > 0, `${where}: names no command of the repository`);
          for (const p of named) {
            const file = path.join(repo, p);
            assert.ok(fs.existsSync(file), `${where}: ${p} does not exist`);
            if (p.startsWith("./")) {
              fs.accessSync(file, fs.constants.X_OK);
            }
          }
          break;
        }
        case "text": {
          const output = /^output of (\S+)$/.exec(b.mark ?? "");
          if (output) {
            const doc = yaml.load(fs.readFileSync(path.join(repo, output[1]), "utf8")) as any;
            const r = parseSpec(asPulumiConfig(doc.config["golive:environment"]));
            assert.ok(!r.ok, `${output[1]} is accepted, but ${where} shows it refused`);
            assert.equal(b.text.trim(), formatProblems(r.problems));
          }
          break;
        }
        default:
          assert.fail(
            `${where}: give the fenced block a language: yaml (a spec fragment), sh (commands) or text`,
          );
      }
    });
  }
});
