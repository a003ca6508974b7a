/**
 * Sign-offs: `signoffs/<stack>.yaml`, the people who signed off a stack's manual checklist items.
 * Validated once, here, against the registry: every problem is collected and reported together,
 * each naming the file, the entry's path and what was expected (as the stack config's errors do).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { z } from "zod";
import { isHeading, type Checklist } from "./checklist/registry";

/** The folder of the sign-off files, one per stack. */
export const signoffsDir = path.join(__dirname, "..", "signoffs");

export function signoffsFile(stack: string, dir: string = signoffsDir): string {
  return path.join(dir, `${stack}.yaml`);
}

const isoDate = z
  .string({ error: "expected a date YYYY-MM-DD (quoted or not)" })
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date YYYY-MM-DD")
  .refine(isCalendarDate, "is not a calendar date");

/** 2026-02-30 is the shape of a date but no day; only a well-formed string is judged here. */
function isCalendarDate(d: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) return true;
  const t = Date.parse(`${d}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().startsWith(d);
}

const entrySpec = z.strictObject({
  /** The registry ID of the manual item signed off. */
  item: z.string({ error: "expected the item's registry ID" }).min(1),
  /** Who signed it off: a name, and the role if it helps. */
  by: z.string({ error: "expected who signed it off" }).min(1),
  /** When (a day, not a time: sign-offs are made in meetings and mails, not at an instant). */
  date: isoDate,
  /** What was agreed or looked at. */
  note: z.string({ error: "expected a note: what was agreed or looked at" }).min(1),
  /** A link to the evidence (minutes, ticket, signed document). */
  evidence: z.url({ error: "expected a URL" }).optional(),
});

const fileSpec = z.strictObject({
  signoffs: z.array(entrySpec, { error: "expected a list of sign-offs" }),
});

export type Signoff = z.infer<typeof entrySpec>;

export interface SignoffProblem {
  readonly path: string;
  readonly message: string;
}

function entryPath(p: readonly PropertyKey[]): string {
  return p
    .map((k, i) => (typeof k === "number" ? `[${k}]` : `${i === 0 ? "" : "."}${String(k)}`))
    .join("");
}

/**
 * Validates the text of a sign-off file: its shape (zod), then each entry against the registry:
 * the item must exist, be a manual item that is not a heading (a heading is done when its
 * sub-items are), and the date must not be after `today`.
 */
export function parseSignoffs(
  text: string,
  checklist: Checklist,
  today: string,
): { ok: true; signoffs: Signoff[] } | { ok: false; problems: SignoffProblem[] } {
  let raw: unknown;
  try {
    raw = YAML.parse(text, { schema: "core" }) ?? { signoffs: [] };
  } catch (e) {
    return {
      ok: false,
      problems: [{ path: "(file)", message: `is not YAML: ${(e as Error).message}` }],
    };
  }
  const parsed = fileSpec.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.flatMap((issue) =>
        issue.code === "unrecognized_keys"
          ? issue.keys.map((k) => ({
              path: entryPath([...issue.path, k]),
              message: "is not a field of a sign-off (item, by, date, note, evidence)",
            }))
          : [{ path: entryPath(issue.path) || "(file)", message: issue.message }],
      ),
    };
  }
  const problems: SignoffProblem[] = [];
  parsed.data.signoffs.forEach((s, i) => {
    const at = `signoffs[${i}]`;
    const item = checklist.byId.get(s.item);
    if (!item) {
      problems.push({
        path: `${at}.item`,
        message: `${s.item} is not an item of the checklist registry`,
      });
    } else if (item.class !== "manual") {
      problems.push({
        path: `${at}.item`,
        message: `${s.item} is a ${item.class} item: only manual items are signed off (its ${decider(item.class)} decides it)`,
      });
    } else if (isHeading(checklist, item)) {
      problems.push({
        path: `${at}.item`,
        message: `${s.item} is a heading: sign off its sub-items (${(checklist.children.get(item.id) ?? []).map((k) => k.id).join(", ")})`,
      });
    }
    if (s.date > today)
      problems.push({ path: `${at}.date`, message: `${s.date} is after today (${today})` });
  });
  return problems.length > 0
    ? { ok: false, problems }
    : { ok: true, signoffs: parsed.data.signoffs };
}

function decider(cls: "gate" | "declared" | "verified"): string {
  return cls === "gate" ? "policy" : cls === "declared" ? "component" : "live check";
}

/** The message a command stops with when a sign-off file is invalid. */
export function formatSignoffProblems(file: string, problems: readonly SignoffProblem[]): string {
  return [
    `golive: ${file} is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}):`,
    ...problems.map((p) => `  - ${p.path}: ${p.message}`),
  ].join("\n");
}

/**
 * The sign-offs of a stack: `signoffs/<stack>.yaml`, or none when the file does not exist.
 * Throws with every problem of an invalid file.
 */
export function loadSignoffs(
  stack: string,
  checklist: Checklist,
  today: string,
  dir: string = signoffsDir,
): Signoff[] {
  const file = signoffsFile(stack, dir);
  if (!fs.existsSync(file)) return [];
  const r = parseSignoffs(fs.readFileSync(file, "utf8"), checklist, today);
  if (!r.ok)
    throw new Error(formatSignoffProblems(path.relative(process.cwd(), file) || file, r.problems));
  return r.signoffs;
}
