import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { environmentSpec, type EnvironmentSpec } from "./spec";
import { consistencyProblems, type ConsistencyOptions } from "./consistency";

/** The stack config key that holds the environment spec. */
export const specKey = "golive:environment";

/** One problem in the spec: where it is and what was expected there. */
export interface SpecProblem {
  readonly path: string;
  readonly message: string;
}

function configPath(path: readonly PropertyKey[]): string {
  let out = specKey;
  for (const p of path) {
    out += typeof p === "number" ? `[${p}]` : `.${String(p)}`;
  }
  return out;
}

function describe(issue: z.core.$ZodIssue): SpecProblem[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((k) => ({
      path: configPath([...issue.path, k]),
      message: "is not a setting golive knows (misspelt?)",
    }));
  }
  if (issue.code === "invalid_key") {
    const why = issue.issues.map((i) => i.message).join("; ");
    return [{ path: configPath(issue.path), message: `is not a valid name: ${why}` }];
  }
  if (issue.code === "invalid_union") {
    return [{ path: configPath(issue.path), message: "expected one of the documented forms" }];
  }
  return [{ path: configPath(issue.path), message: issue.message }];
}

/**
 * Validates raw config against the spec, collecting every problem: first the structure (zod), then,
 * on a structurally valid spec, every check across fields (consistency.ts: dependencies and their
 * cycles, host ports, routes, migrations, …). A spec it accepts deploys without a component
 * refusing its content.
 */
export function parseSpec(
  raw: unknown,
  options: ConsistencyOptions = {},
): { ok: true; spec: EnvironmentSpec } | { ok: false; problems: SpecProblem[] } {
  if (raw === undefined) {
    return {
      ok: false,
      problems: [{ path: specKey, message: "is missing: set it in Pulumi.<stack>.yaml" }],
    };
  }
  const result = environmentSpec.safeParse(raw);
  if (result.success) {
    // Checks across fields (zod sees one field at a time).
    const problems = consistencyProblems(result.data, options).map(([path, message]) => ({
      path: configPath(path),
      message,
    }));
    return problems.length === 0 ? { ok: true, spec: result.data } : { ok: false, problems };
  }
  return { ok: false, problems: result.error.issues.flatMap(describe) };
}

/** The message golive stops with when the spec is invalid. */
export function formatProblems(problems: readonly SpecProblem[]): string {
  const lines = problems.map((p) => `  - ${p.path}: ${p.message}`);
  return [
    `golive: the stack config is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was deployed:`,
    ...lines,
  ].join("\n");
}

/**
 * Reads and validates `golive:environment` from the stack config. Throws a RunError naming every
 * problem, before any resource is registered.
 */
export function loadSpec(config: pulumi.Config = new pulumi.Config("golive")): EnvironmentSpec {
  let raw: unknown;
  try {
    raw = config.getObject<unknown>("environment");
  } catch (e) {
    throw new pulumi.RunError(
      formatProblems([
        { path: specKey, message: `is not valid JSON/YAML: ${(e as Error).message}` },
      ]),
    );
  }
  // Secret references must name keys the stack sets: requireSecret would throw only once the
  // components run, after other resources were registered.
  const parsed = parseSpec(raw, { hasConfig: (key) => config.getSecret(key) !== undefined });
  if (!parsed.ok) {
    throw new pulumi.RunError(formatProblems(parsed.problems));
  }
  return parsed.spec;
}
