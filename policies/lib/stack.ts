/** Helpers for stack policies: the environment's facts, workloads by name, and what they wait for. */
import type { PolicyResource } from "@pulumi/policy";
import { factsType, labelsOf } from "./resources";

export interface Facts {
  tier: string;
  runtime: string;
  host?: {
    cpuCores: number;
    memoryGb: number;
    diskGb: number;
    freeDiskGb?: number;
    nodes: number;
    gpu?: { model: string; memoryGb: number };
  };
  features: Record<string, boolean>;
  license?: {
    file: string;
    customer: string;
    modules: string[];
    expires: string;
    requiredModules: string[];
  };
  licenseProblems: string[];
  /** Blue/green services (absent in state written before golive recorded them here). */
  blueGreen?: Record<
    string,
    {
      active: "blue" | "green";
      weights: { blue: number; green: number };
      releases: { blue: string; green: string };
    }
  >;
}

export function factsOf(
  resources: readonly PolicyResource[],
): { facts: Facts; urn: string } | undefined {
  const r = resources.find((x) => x.type === factsType);
  return r ? { facts: r.props as Facts, urn: r.urn } : undefined;
}

/** A deployed workload: the resource that realises it, with golive's labels. */
export interface DeployedWorkload {
  readonly name: string;
  readonly component: string;
  readonly resource: PolicyResource;
  readonly labels: Record<string, string>;
}

const realising =
  /^(docker:index\/container:Container|kubernetes:apps\/v1:(Deployment|StatefulSet)|kubernetes:batch\/v1:Job|command:remote:Command)$/;

/** Workloads golive made, by app.kubernetes.io/name (LXC: the container command carries the labels). */
export function workloads(resources: readonly PolicyResource[]): DeployedWorkload[] {
  const out: DeployedWorkload[] = [];
  for (const r of resources) {
    if (!realising.test(r.type)) continue;
    // On LXC the container command carries the workload; its service and job commands don't count.
    if (
      r.type === "command:remote:Command" &&
      r.props.environment?.GOLIVE_CT_HOSTNAME === undefined
    )
      continue;
    const labels = labelsOf(r.type, r.props);
    const name = labels["app.kubernetes.io/name"];
    if (!name) continue;
    out.push({ name, component: labels["app.kubernetes.io/component"] ?? "", resource: r, labels });
  }
  return out;
}

/** Everything a resource waits for: its dependencies and its ancestors' dependencies, transitively. */
export function waitsFor(r: PolicyResource): Set<string> {
  const seen = new Set<string>();
  const stack: PolicyResource[] = [r];
  while (stack.length > 0) {
    const cur = stack.pop()!;
    for (const next of [...cur.dependencies, ...(cur.parent ? [cur.parent] : [])]) {
      if (!seen.has(next.urn)) {
        seen.add(next.urn);
        stack.push(next);
      }
    }
  }
  return seen;
}
