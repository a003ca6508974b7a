/**
 * Reading golive's facts off any resource: labels, generated files and the environment facts,
 * whatever the runtime. Unknown values (at preview) read as absent here; gates that must decide
 * on a value use the views of lib/workloads.ts, which keep "unknown" apart from "absent".
 */
import { types } from "./contract";
import { dockerContainer, isLxcService, k8sConfigMap } from "./kinds";
import { known } from "./unknowns";
import { workloadsOf } from "./workloads";

export { labelsOf } from "./workloads";

type Props = Record<string, any>;

/** Files a resource delivers in clear: Docker uploads, ConfigMap data, LXC GOLIVE_FILE_*. */
export function filesOf(type: string, props: Props): { path: string; content: string }[] {
  if (type === k8sConfigMap) {
    const data = known(() => ({ ...(props.data ?? {}) })) ?? {};
    const out: { path: string; content: string }[] = [];
    for (const k of Object.keys(data)) {
      const v = known(() => data[k]);
      if (typeof v === "string") out.push({ path: k, content: v });
    }
    return out;
  }
  if (type === dockerContainer || isLxcService(type, props)) {
    return workloadsOf(type, props).flatMap((w) => [...w.files]);
  }
  return [];
}

/** Whether a resource carries a workload's files: a Docker container, a ConfigMap, an LXC service. */
export function carriesFiles(type: string, props: Props): boolean {
  return type === dockerContainer || type === k8sConfigMap || isLxcService(type, props);
}

/** The type token of golive's environment facts resource. */
export const factsType = types.facts;
