/**
 * Reading golive's facts off any resource: labels, generated files and the environment facts,
 * whatever the runtime. Unknown values (at preview) read as absent here; gates that must decide
 * on a value use the views of lib/workloads.ts, which keep "unknown" apart from "absent".
 */
import { dockerContainer, isLxcService, k8sConfigMap } from "./kinds";
import { known } from "./unknowns";
import { workloadsOf } from "./workloads";

export { labelsOf } from "./workloads";

/** Paths of files a resource delivers in clear whose content is unknown at preview. */
export function unreadFilesOf(type: string, props: Props): string[] {
  if (type === k8sConfigMap) {
    const data = known(() => ({ ...(props.data ?? {}) })) ?? {};
    return Object.keys(data).filter((k) => typeof known(() => data[k]) !== "string");
  }
  if (type === dockerContainer || isLxcService(type, props)) {
    return workloadsOf(type, props).flatMap((w) => [...(w.unreadFiles ?? [])]);
  }
  return [];
}

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
