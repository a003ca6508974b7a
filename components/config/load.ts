import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import type { z } from "zod";
import { releaseWorkloads } from "../release/bluegreen";
import { environmentSpec, type EnvironmentSpec } from "./spec";
import { consistencyProblems, type ConsistencyOptions } from "./consistency";

/** The stack config key that holds the environment spec. */
export const specKey = "golive:environment";

/**
 * The stack config key naming a file (relative to the project root, YAML or JSON) that holds
 * exactly what `golive:environment` would: for a spec too large for the stack config, which
 * reaches the program in one environment variable (Linux limits one to 128 KiB).
 */
export const specFileKey = "golive:specFile";

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
    return problems.length === 0
      ? { ok: true, spec: withHostPorts(result.data) }
      : { ok: false, problems };
  }
  return { ok: false, problems: result.error.issues.flatMap(describe) };
}

/**
 * The spec with every host port in one place, `hostPorts` by workload and port name (what the
 * Docker runtime publishes): a service port's `hostPort` for each of the service's workloads (both
 * colours of a blue/green one) and the gateway's `hostPorts`, under the spec's own entries, which
 * win. The other two keys stay valid config; they are checked with their own config paths before
 * this (consistency.ts), and removed here so that nothing reads them past the boundary.
 */
export function withHostPorts(spec: EnvironmentSpec): EnvironmentSpec {
  const hostPorts: Record<string, Record<string, number>> = {};
  const publish = (workload: string, port: string, hostPort: number | undefined) => {
    if (hostPort !== undefined) (hostPorts[workload] ??= {})[port] = hostPort;
  };
  const services = Object.fromEntries(
    Object.entries(spec.services).map(([svc, s]) => {
      for (const w of releaseWorkloads(svc, s)) {
        for (const p of s.ports) publish(w, p.name, p.hostPort);
      }
      return [svc, { ...s, ports: s.ports.map(({ hostPort: _, ...p }) => p) }];
    }),
  );
  let gateway = spec.gateway;
  if (gateway) {
    const { hostPorts: published, ...rest } = gateway;
    publish("gateway", "http", published?.http);
    publish("gateway", "https", published?.https);
    gateway = rest;
  }
  for (const [w, ports] of Object.entries(spec.hostPorts)) {
    hostPorts[w] = { ...hostPorts[w], ...ports };
  }
  return { ...spec, services, gateway, hostPorts };
}

/** The message golive stops with when the spec is invalid. */
export function formatProblems(problems: readonly SpecProblem[]): string {
  const lines = problems.map((p) => `  - ${p.path}: ${p.message}`);
  return [
    `golive: the stack config is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was deployed:`,
    ...lines,
  ].join("\n");
}

/** Stops the run with `problems`, before any resource is registered. */
function stop(problems: readonly SpecProblem[]): never {
  throw new pulumi.RunError(formatProblems(problems));
}

/** A problem's path inside the spec file rather than the config: `systems/big.yaml: services.api`. */
function inFile(problem: SpecProblem, file: string): SpecProblem {
  if (!problem.path.startsWith(specKey)) return problem;
  const rest = problem.path.slice(specKey.length).replace(/^\./, "");
  return { path: rest === "" ? file : `${file}: ${rest}`, message: problem.message };
}

/** The raw spec in the file `golive:specFile` names, relative to `root`. */
function readSpecFile(file: string, root: string): unknown {
  if (file.trim() === "") {
    stop([{ path: specFileKey, message: "is empty: name a YAML or JSON file of the project" }]);
  }
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(root, file), "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "does not exist" : `cannot be read (${code ?? String(e)})`;
    stop([{ path: specFileKey, message: `${file} ${why} (relative to the project root)` }]);
  }
  try {
    return file.endsWith(".json") ? (JSON.parse(text) as unknown) : YAML.parse(text);
  } catch (e) {
    const kind = file.endsWith(".json") ? "JSON" : "YAML";
    const why = (e as Error).message.split("\n")[0];
    stop([{ path: specFileKey, message: `${file} is not valid ${kind}: ${why}` }]);
  }
}

/**
 * Reads and validates the environment spec: `golive:environment` from the stack config, or the
 * file `golive:specFile` names (relative to `root`, the project folder), never both. Throws a
 * RunError naming every problem (in a file: the file and the path inside it), before any resource
 * is registered.
 */
export function loadSpec(
  config: pulumi.Config = new pulumi.Config("golive"),
  root: string = process.cwd(),
): EnvironmentSpec {
  let raw: unknown;
  try {
    raw = config.getObject<unknown>("environment");
  } catch (e) {
    stop([{ path: specKey, message: `is not valid JSON/YAML: ${(e as Error).message}` }]);
  }
  const file = config.get("specFile");
  if (file !== undefined && raw !== undefined) {
    stop([
      {
        path: `${specKey} and ${specFileKey}`,
        message: "are both set: keep the environment in one of them",
      },
    ]);
  }
  if (file === undefined && raw === undefined) {
    stop([
      {
        path: specKey,
        message: `is missing: set it in Pulumi.<stack>.yaml, or ${specFileKey} to a file holding it`,
      },
    ]);
  }
  if (file !== undefined) raw = readSpecFile(file, root);
  // Secret references must name keys the stack sets: requireSecret would throw only once the
  // components run, after other resources were registered.
  const parsed = parseSpec(raw, { hasConfig: (key) => config.getSecret(key) !== undefined });
  if (!parsed.ok) {
    stop(file === undefined ? parsed.problems : parsed.problems.map((p) => inFile(p, file)));
  }
  return parsed.spec;
}
