/**
 * Reading golive's facts off any resource: labels, generated files and the environment facts,
 * whatever the runtime. Unknown values (at preview) read as absent here; gates that must decide
 * on a value use the views of lib/workloads.ts, which keep "unknown" apart from "absent".
 */
import { dockerContainer, isLxcService, k8sConfigMap } from "./kinds";
import { known } from "./unknowns";
import { workloadsOf } from "./workloads";

export { labelsOf } from "./workloads";

/** A ConfigMap's data keys; undefined when its data as a whole is unknown at preview. */
function configMapKeys(props: Props): string[] | undefined {
  return known(() => Object.keys(props.data ?? {}));
}

/** Paths of files a resource delivers in clear whose content is unknown at preview. */
export function unreadFilesOf(type: string, props: Props): string[] {
  if (type === k8sConfigMap) {
    const keys = configMapKeys(props);
    if (keys === undefined) return ["data"];
    return keys.filter((k) => typeof known(() => props.data[k]) !== "string");
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
    // Entry by entry: one entry unknown at preview leaves the others to be read.
    const out: { path: string; content: string }[] = [];
    for (const k of configMapKeys(props) ?? []) {
      const v = known(() => props.data[k]);
      if (typeof v === "string") out.push({ path: k, content: v });
    }
    return out;
  }
  if (type === dockerContainer || isLxcService(type, props)) {
    return workloadsOf(type, props).flatMap((w) => [...w.files]);
  }
  return [];
}
