/** Helpers for stack policies: the environment's facts, workloads by name, and what they wait for. */
import type { PolicyResource } from "@pulumi/policy";
import { label, types, type EnvironmentFactsShape } from "./contract";
import { realisesWorkload, runsProcess } from "./kinds";
import { labelsOf, workloadsOf, type WorkloadView } from "./workloads";

export type Facts = EnvironmentFactsShape;

export function factsOf(
  resources: readonly PolicyResource[],
): { facts: Facts; urn: string } | undefined {
  const r = resources.find((x) => x.type === types.facts);
  return r ? { facts: r.props as Facts, urn: r.urn } : undefined;
}

/** A deployed workload: the resource that realises it, with its labels. */
export interface DeployedWorkload {
  /** label app.kubernetes.io/name, else the container's (or resource's) name. */
  readonly name: string;
  readonly component: string;
  readonly resource: PolicyResource;
  readonly labels: Record<string, string>;
}

/**
 * Workloads by the resource that realises them (Docker container, Kubernetes pod controller,
 * LXC container command), golive's or not: unnamed ones are named by their container.
 */
export function workloads(resources: readonly PolicyResource[]): DeployedWorkload[] {
  const out: DeployedWorkload[] = [];
  for (const r of resources) {
    if (!realisesWorkload(r.type, r.props)) continue;
    const labels = labelsOf(r.type, r.props);
    const view = workloadsOf(r.type, r.props)[0];
    const name = labels[label.name] ?? view?.container ?? r.name;
    out.push({ name, component: labels[label.component] ?? "", resource: r, labels });
  }
  return out;
}

/** A process-running resource with its views (LXC: the service command, not the container). */
export interface RunningWorkload {
  readonly resource: PolicyResource;
  readonly views: WorkloadView[];
}

export function running(resources: readonly PolicyResource[]): RunningWorkload[] {
  return resources
    .filter((r) => runsProcess(r.type, r.props))
    .map((r) => ({ resource: r, views: workloadsOf(r.type, r.props) }));
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
