/**
 * The stack's spec as a document the release changes: `golive:environment` in Pulumi.<stack>.yaml,
 * or the file `golive:specFile` names. Changed in place (YAML's document model keeps the comments,
 * the order and every other key), so that after a release the stack file says what runs, as a
 * person would have written it, and the next `up` through the Automation API reads it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { specFileKey, specKey } from "../components/config/load";

/**
 * A value as a YAML node: a string YAML would read as something else (a version `2.0`, `1e3`,
 * `true`) is double-quoted, so that the stack config hands the program the string it was.
 */
function node(d: YAML.Document, value: unknown): unknown {
  if (typeof value !== "string") return value;
  const n = d.createNode(value);
  if (typeof YAML.parse(value) !== "string" || value.trim() !== value) n.type = "QUOTE_DOUBLE";
  return n;
}

export class SpecDocument {
  /** The file that holds the spec, and where in it the spec starts. */
  public readonly file: string;
  private readonly prefix: readonly string[];

  constructor(dir: string, stack: string) {
    const stackFile = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile))
      throw new Error(
        `golive release: Pulumi.${stack}.yaml does not exist in ${dir}: no such stack`,
      );
    const config = (
      YAML.parse(fs.readFileSync(stackFile, "utf8")) as {
        config?: Record<string, unknown>;
      } | null
    )?.config;
    const specFile = config?.[specFileKey];
    if (config?.[specKey] === undefined && typeof specFile === "string") {
      this.file = path.join(dir, specFile);
      this.prefix = [];
    } else {
      this.file = stackFile;
      this.prefix = ["config", specKey];
    }
  }

  private doc(): YAML.Document {
    return YAML.parseDocument(fs.readFileSync(this.file, "utf8"));
  }

  /** The raw spec (what parseSpec validates). */
  public raw(): unknown {
    const d = this.doc().toJS() as Record<string, unknown> | null;
    return this.prefix.length === 0 ? d : (d?.config as Record<string, unknown>)?.[specKey];
  }

  /** The value at `at` (a path inside the spec), undefined where there is none. */
  public get(at: readonly (string | number)[]): unknown {
    const v = this.doc().getIn([...this.prefix, ...at]);
    return YAML.isNode(v) ? v.toJSON() : v;
  }

  /**
   * Sets each path to its value (undefined deletes it), in one write; returns whether anything
   * changed.
   */
  public set(changes: readonly [readonly (string | number)[], unknown][]): boolean {
    const d = this.doc();
    const before = d.toString();
    for (const [at, value] of changes) {
      const full = [...this.prefix, ...at];
      if (value === undefined) {
        if (d.hasIn(full)) d.deleteIn(full);
      } else d.setIn(full, node(d, value));
    }
    const after = d.toString();
    if (after === before) return false;
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, after);
    fs.renameSync(tmp, this.file);
    return true;
  }
}
