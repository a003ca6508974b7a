/**
 * The checklist registry: items.yaml parsed and validated once, with what follows from it (each
 * heading's sub-items, whether an item counts). Everything in report/ reads the checklist through
 * this module.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { z } from "zod";
import { checkIds } from "./checks";

export const registryFile = path.join(__dirname, "items.yaml");

/** The classes of the coverage matrix, weakest first (the heading rule takes the weakest). */
export const itemClasses = ["manual", "verified", "declared", "gate"] as const;
export type ItemClass = (typeof itemClasses)[number];

/** `<system>.<slug>`, lower case: the slug of the German text when the item was first listed. */
const itemId = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)+$/, "expected <system>.<slug>");

const seedSpec = z.strictObject({
  file: z.string().regex(/^\d{3}_[0-9a-f]+\.txt$/),
  system: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string().min(1),
  where: z.string().min(1),
  /** The file is UTF-8 that was read as Mac Roman and saved again; its text is repaired. */
  mojibake: z.boolean(),
  /** Said in the coverage document about a seed with no checkbox. */
  intro: z.string().optional(),
});

const common = {
  id: itemId,
  seed: z.string(),
  line: z.number().int().positive(),
  text: z.string().min(1),
  gloss: z.string().min(1).optional(),
  parent: itemId.optional(),
  mandatory: z.boolean().optional(),
  note: z.string().min(1),
};

const checkId = z.enum(checkIds);

const itemSpec = z.discriminatedUnion("class", [
  z.strictObject({
    ...common,
    class: z.literal("gate"),
    policies: z
      .array(z.string().regex(/^[a-z0-9-]+$/))
      .min(1)
      .optional(),
  }),
  z.strictObject({
    ...common,
    class: z.literal("declared"),
    components: z
      .array(z.string().regex(/^components\//))
      .min(1)
      .optional(),
    specKeys: z.array(z.string().min(1)).min(1).optional(),
  }),
  z.strictObject({
    ...common,
    class: z.literal("verified"),
    checks: z.union([z.array(checkId).min(1), z.literal("none")]).optional(),
    why: z.string().min(1).optional(),
  }),
  z.strictObject({
    ...common,
    class: z.literal("manual"),
    signoff: z.string().min(1).optional(),
  }),
]);

const registrySpec = z.strictObject({
  seeds: z.array(seedSpec).min(1),
  items: z.array(itemSpec).min(1),
});

export type SeedInfo = z.infer<typeof seedSpec>;
export type ChecklistItem = z.infer<typeof itemSpec>;

export interface Checklist {
  readonly seeds: readonly SeedInfo[];
  /** In seed order: by file, then by line. */
  readonly items: readonly ChecklistItem[];
  readonly byId: ReadonlyMap<string, ChecklistItem>;
  /** A heading item's sub-items, by the heading's ID. */
  readonly children: ReadonlyMap<string, readonly ChecklistItem[]>;
}

/** `000_a75db8db1bb96064.txt:23`: where the item's checkbox is today. */
export function itemRef(item: Pick<ChecklistItem, "seed" | "line">): string {
  return `${item.seed}:${item.line}`;
}

/** A heading item is listed above sub-items and is done only when they are. */
export function isHeading(checklist: Checklist, item: ChecklistItem): boolean {
  return checklist.children.has(item.id);
}

/** Whether the item counts: the seed's *optional* items do not (`mandatory: false`). */
export function isMandatory(item: ChecklistItem): boolean {
  return item.mandatory ?? true;
}

/**
 * What in the registry is wrong beyond its shape, each as `items[i].field: message`: duplicate
 * IDs or seed lines, a parent that is not listed before its sub-item, an item of a seed that is
 * not declared, a non-heading item without what decides it (policies, component or spec key,
 * checks or the reason there is none, sign-off role), a heading with one, and a heading whose
 * class is not the weakest of its mandatory sub-items.
 */
export function registryProblems(raw: z.infer<typeof registrySpec>): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const refs = new Set<string>();
  const seeds = new Set(raw.seeds.map((s) => s.file));
  const parents = new Set(raw.items.flatMap((i) => (i.parent ? [i.parent] : [])));
  raw.items.forEach((item, i) => {
    const at = `items[${i}]`;
    if (seen.has(item.id))
      problems.push(`${at}.id: ${item.id} is also items[${seen.get(item.id)}]`);
    seen.set(item.id, i);
    if (!seeds.has(item.seed)) problems.push(`${at}.seed: ${item.seed} is not in seeds`);
    const ref = itemRef(item);
    if (refs.has(ref)) problems.push(`${at}.line: ${ref} is listed twice`);
    refs.add(ref);
    if (item.parent !== undefined && !seen.has(item.parent))
      problems.push(`${at}.parent: ${item.parent} is not an item listed before it`);
    const heading = parents.has(item.id);
    const decider = deciderField(item);
    if (heading && decider !== undefined)
      problems.push(`${at}.${decider}: a heading is decided by its sub-items, not by its own`);
    if (!heading) problems.push(...deciderProblems(item).map((p) => `${at}.${p}`));
  });
  for (const [i, item] of raw.items.entries()) {
    if (!parents.has(item.id)) continue;
    const kids = raw.items.filter((k) => k.parent === item.id && (k.mandatory ?? true));
    if (kids.length === 0) {
      problems.push(`items[${i}]: a heading needs at least one mandatory sub-item`);
      continue;
    }
    const weakest = itemClasses[Math.min(...kids.map((k) => itemClasses.indexOf(k.class)))];
    if (item.class !== weakest)
      problems.push(
        `items[${i}].class: a heading takes the weakest class of its mandatory sub-items: ${weakest}, not ${item.class}`,
      );
  }
  return problems;
}

function deciderField(item: ChecklistItem): string | undefined {
  switch (item.class) {
    case "gate":
      return item.policies ? "policies" : undefined;
    case "declared":
      return item.components ? "components" : item.specKeys ? "specKeys" : undefined;
    case "verified":
      return item.checks ? "checks" : item.why ? "why" : undefined;
    case "manual":
      return item.signoff ? "signoff" : undefined;
  }
}

function deciderProblems(item: ChecklistItem): string[] {
  switch (item.class) {
    case "gate":
      return item.policies ? [] : ["policies: a gate names the policies that decide it"];
    case "declared":
      return item.components || item.specKeys
        ? []
        : ["components: a declared item names its component or spec keys"];
    case "verified":
      if (item.checks === undefined) return ["checks: a verified item names its checks, or none"];
      if (item.checks === "none" && !item.why) return ["why: `checks: none` needs the reason"];
      if (item.checks !== "none" && item.why) return ["why: only `checks: none` has a reason"];
      return [];
    case "manual":
      return item.signoff ? [] : ["signoff: a manual item names the role that signs it off"];
  }
}

/** Parses and validates registry text; throws one error listing every problem. */
export function parseChecklist(text: string, file = registryFile): Checklist {
  const parsed = registrySpec.safeParse(YAML.parse(text));
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) =>
        `  - ${i.path
          .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
          .join("")
          .replace(/^\./, "")}: ${i.message}`,
    );
    throw new Error(`${file}: the checklist registry is invalid:\n${lines.join("\n")}`);
  }
  const problems = registryProblems(parsed.data);
  if (problems.length > 0)
    throw new Error(
      `${file}: the checklist registry is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  const items = parsed.data.items;
  const children = new Map<string, ChecklistItem[]>();
  for (const item of items) {
    if (item.parent)
      (children.get(item.parent) ?? children.set(item.parent, []).get(item.parent)!).push(item);
  }
  return {
    seeds: parsed.data.seeds,
    items,
    byId: new Map(items.map((i) => [i.id, i])),
    children,
  };
}

let cached: Checklist | undefined;

/** The registry of this repository (items.yaml), read once. */
export function loadChecklist(): Checklist {
  cached ??= parseChecklist(fs.readFileSync(registryFile, "utf8"));
  return cached;
}
