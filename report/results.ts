/**
 * The results file `golive report --results <file>` renders from: the preview's policy violations,
 * the live check results, the last update's outcome and the environment graph, as JSON. Later the
 * report gathers these itself (Automation API preview, live checks); the file keeps the renderers
 * usable and testable without a running environment. Validated here, once, with every problem
 * named by its path.
 */
import { z } from "zod";
import { checkIds } from "./checklist/checks";
import type { CheckResult, DeploymentResult, EnvironmentGraph, GateResults } from "./model";

const gateEvent = z.strictObject({
  policyName: z.string().min(1),
  resourceUrn: z.string().optional(),
  message: z.string(),
  enforcementLevel: z.enum(["advisory", "mandatory", "remediate", "disabled"]),
});

const resultsSpec = z.strictObject({
  gates: z.strictObject({
    read: z.boolean(),
    reason: z.string().optional(),
    violations: z.array(gateEvent).default([]),
    policies: z.array(z.string()).optional(),
  }),
  checks: z
    .array(
      z.strictObject({
        checkId: z.enum(checkIds, { error: "is not a check ID of report/checklist/checks.ts" }),
        status: z.enum(["pass", "fail", "unknown", "skipped"]),
        message: z.string(),
        seconds: z.number().nonnegative(),
      }),
    )
    .default([]),
  deployment: z
    .strictObject({
      status: z.enum(["succeeded", "failed", "unknown"]),
      message: z.string().optional(),
    })
    .optional(),
  /** The systems of the registry this stack runs (registry `seeds[].system`); all when absent. */
  systems: z.array(z.string()).optional(),
  environment: z
    .strictObject({
      nodes: z.array(
        z.strictObject({
          name: z.string().min(1),
          kind: z.enum(["service", "data", "gateway"]),
          status: z.enum(["pass", "fail", "unknown"]),
        }),
      ),
      edges: z.array(z.strictObject({ from: z.string(), to: z.string() })),
    })
    .optional(),
});

export interface Results {
  readonly gates: GateResults;
  readonly checks: readonly CheckResult[];
  readonly deployment?: DeploymentResult;
  readonly systems?: readonly string[];
  readonly environment?: EnvironmentGraph;
}

function at(path: readonly PropertyKey[]): string {
  return (
    path
      .map((k, i) => (typeof k === "number" ? `[${k}]` : `${i === 0 ? "" : "."}${String(k)}`))
      .join("") || "(file)"
  );
}

/** Parses a results file's text; throws one error naming the file and every problem. */
export function parseResults(text: string, file: string): Results {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`golive: ${file} is not JSON: ${(e as Error).message}`, { cause: e });
  }
  const r = resultsSpec.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  - ${at(i.path)}: ${i.message}`);
    throw new Error(
      `golive: ${file} is invalid (${lines.length} problem${lines.length === 1 ? "" : "s"}):\n${lines.join("\n")}`,
    );
  }
  const env = r.data.environment;
  if (env) {
    const names = new Set(env.nodes.map((n) => n.name));
    const bad = env.edges.flatMap((e, i) =>
      [e.from, e.to]
        .filter((n) => !names.has(n))
        .map((n) => `  - environment.edges[${i}]: ${n} is not a node`),
    );
    if (bad.length > 0)
      throw new Error(`golive: ${file} is invalid (${bad.length} problems):\n${bad.join("\n")}`);
  }
  return r.data;
}
