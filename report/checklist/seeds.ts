/**
 * Reading the seed go-live documents: the checkbox lines (`- [ ] …`), their text as the registry
 * keeps it, and the heading item each is listed under. Two seeds were saved as UTF-8 read as Mac
 * Roman ("f√ºr" for "für"); `repairMojibake` undoes that byte for byte.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The seeds' folder, beside the repository (where the project keeps its shared documents). */
export const seedsDir = path.resolve(__dirname, "..", "..", "..", "shared", "seeds");

let macRomanBytes: Map<string, number> | undefined;

/**
 * Text that was UTF-8 decoded as Mac Roman, turned back into what was written: each character is
 * mapped to its Mac Roman byte and the bytes decoded as UTF-8. Throws on a character Mac Roman
 * has no byte for, or bytes that are no UTF-8, so a seed that is not such mojibake is never
 * silently mangled.
 */
export function repairMojibake(text: string): string {
  if (!macRomanBytes) {
    const decoder = new TextDecoder("macintosh");
    macRomanBytes = new Map();
    for (let b = 0x80; b <= 0xff; b++) macRomanBytes.set(decoder.decode(Uint8Array.of(b)), b);
  }
  const bytes: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    const byte = code < 0x80 ? code : macRomanBytes.get(ch);
    if (byte === undefined) throw new Error(`"${ch}" is not a Mac Roman character: not mojibake`);
    bytes.push(byte);
  }
  return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(bytes));
}

/** A checkbox line's text as the registry keeps it: whitespace runs collapsed, ends trimmed. */
export function normaliseText(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

export interface SeedCheckbox {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  /** The line of the checkbox this one is indented under, within the same seed section. */
  readonly parentLine?: number;
}

/**
 * Every checkbox of one seed's text, in order. A checkbox is a sub-item of the nearest checkbox
 * above it with less indentation, unless a Markdown heading comes between (a heading starts a new
 * list; `#` lines inside code fences are comments, not headings).
 */
export function seedCheckboxes(file: string, content: string, mojibake: boolean): SeedCheckbox[] {
  const out: SeedCheckbox[] = [];
  const open: { line: number; indent: number }[] = [];
  let inFence = false;
  content.split("\n").forEach((raw, i) => {
    const line = mojibake ? repairMojibake(raw) : raw;
    if (/^\s*```/.test(line)) inFence = !inFence;
    if (!inFence && /^#{1,6} /.test(line)) open.length = 0;
    const m = /^(\s*)- \[ \] (.*)$/.exec(line);
    if (!m) return;
    const indent = m[1].length;
    while (open.length > 0 && open[open.length - 1].indent >= indent) open.pop();
    out.push({
      file,
      line: i + 1,
      text: normaliseText(m[2]),
      parentLine: open.length > 0 ? open[open.length - 1].line : undefined,
    });
    open.push({ line: i + 1, indent });
  });
  return out;
}

/** Reads a seed file from `dir` (default: the seeds beside the repository). */
export function readSeed(
  file: string,
  mojibake: boolean,
  dir: string = seedsDir,
): readonly SeedCheckbox[] {
  return seedCheckboxes(file, fs.readFileSync(path.join(dir, file), "utf8"), mojibake);
}
