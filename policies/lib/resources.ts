/**
 * Reading golive's facts off any resource: labels (Docker labels, Kubernetes labels and
 * annotations, LXC GOLIVE_LABELS), environment variables and generated files, whatever the
 * runtime. Unknown values (at preview) read as absent.
 */
import { known } from "./unknowns";

type Props = Record<string, any>;

/** Labels and annotations of a resource, merged (pod template labels included). */
export function labelsOf(type: string, props: Props): Record<string, string> {
  const out: Record<string, string> = {};
  if (
    type === "docker:index/container:Container" ||
    type === "docker:index/network:Network" ||
    type === "docker:index/volume:Volume"
  ) {
    for (const l of known(() => (props.labels ?? []) as { label: string; value: string }[]) ?? []) {
      const pair = known(() => [l.label, l.value] as const);
      if (pair) out[pair[0]] = pair[1];
    }
    return out;
  }
  if (type.startsWith("kubernetes:")) {
    Object.assign(
      out,
      known(() => ({ ...(props.metadata?.labels ?? {}) })) ?? {},
      known(() => ({ ...(props.metadata?.annotations ?? {}) })) ?? {},
      known(() => ({ ...(props.spec?.template?.metadata?.labels ?? {}) })) ?? {},
    );
    return out;
  }
  if (type === "command:remote:Command") {
    const raw = known(() => props.environment?.GOLIVE_LABELS as string | undefined);
    if (raw) {
      try {
        Object.assign(out, JSON.parse(raw));
      } catch {
        // not golive's
      }
    }
  }
  return out;
}

/** Files a resource delivers: Docker uploads, ConfigMap data, LXC GOLIVE_FILE_* (plain ones only). */
export function filesOf(type: string, props: Props): { path: string; content: string }[] {
  if (type === "docker:index/container:Container") {
    const uploads = known(() => (props.uploads ?? []) as Props[]) ?? [];
    const files: { path: string; content: string }[] = [];
    for (let i = 0; i < uploads.length; i++) {
      const f = known(() => ({
        path: uploads[i].file as string,
        content: uploads[i].content as string,
        permissions: uploads[i].permissions as string | undefined,
      }));
      // A secret upload (golive's runtime gives those, and only those, mode 0600) is no file in
      // clear: its content is a secret in state. Policies see secrets unwrapped at `up`, so the
      // mode is what tells them apart (at preview a generated value is still unknown).
      if (f && typeof f.content === "string" && f.permissions !== "0600") {
        files.push({ path: f.path, content: f.content });
      }
    }
    return files;
  }
  if (type === "kubernetes:core/v1:ConfigMap") {
    const data = known(() => ({ ...(props.data ?? {}) })) ?? {};
    return Object.entries(data).flatMap(([k, v]) =>
      typeof v === "string" ? [{ path: k, content: v }] : [],
    );
  }
  if (type === "command:remote:Command") {
    return Object.entries(knownEntries(props, "environment"))
      .filter(([k, v]) => k.startsWith("GOLIVE_FILE_") && typeof v === "string")
      .map(([k, v]) => ({ path: k, content: v as string }));
  }
  return [];
}

/**
 * The known entries of a map-valued property, read key by key: one unknown value (a generated
 * secret at preview) must not hide the others.
 */
export function knownEntries(props: Props, key: string): Record<string, unknown> {
  const map = known(() => props[key] as Record<string, unknown> | undefined);
  if (!map) return {};
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(map)) {
    const v = known(() => map[k]);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Whether a resource carries a workload's files: a Docker container, a ConfigMap, an LXC service. */
export function carriesFiles(type: string, props: Props): boolean {
  return (
    type === "docker:index/container:Container" ||
    type === "kubernetes:core/v1:ConfigMap" ||
    (type === "command:remote:Command" &&
      known(() => props.environment?.GOLIVE_CT_HOSTNAME) === undefined)
  );
}

/** The command line a workload runs (Docker command, Kubernetes container command, LXC unit). */
export function commandsOf(type: string, props: Props): string[][] {
  if (type === "docker:index/container:Container") {
    const c = known(() => [...((props.command ?? []) as string[])]);
    return c ? [c] : [];
  }
  const pod =
    known(() => props.spec?.template?.spec) ??
    (type === "kubernetes:core/v1:Pod" ? known(() => props.spec) : undefined);
  if (type.startsWith("kubernetes:") && pod) {
    const containers = known(() => [...(pod.containers ?? [])] as Props[]) ?? [];
    return containers.flatMap((c) => {
      const cmd = known(() => [
        ...((c.command ?? []) as string[]),
        ...((c.args ?? []) as string[]),
      ]);
      return cmd ? [cmd] : [];
    });
  }
  if (type === "command:remote:Command") {
    const unit = known(() => props.environment?.GOLIVE_UNIT as string | undefined);
    const exec = unit ? /^ExecStart=(.*)$/m.exec(unit)?.[1] : undefined;
    return exec ? [[exec]] : [];
  }
  return [];
}

/** The type token of golive's environment facts resource. */
export const factsType = "pulumi-nodejs:dynamic/golive:EnvironmentFacts";

const k8sWorkloads =
  /^kubernetes:(apps\/v1:(Deployment|StatefulSet|DaemonSet)|batch\/v1:(Job|CronJob)|core\/v1:Pod)$/;

/**
 * Whether a resource runs a workload's process with its command and files: a Docker container, a
 * Kubernetes workload, or an LXC service/job command (not the `pct` container command, which
 * carries the container's facts).
 */
export function isWorkloadResource(type: string, props: Props): boolean {
  if (type === "docker:index/container:Container" || k8sWorkloads.test(type)) return true;
  if (type !== "command:remote:Command") return false;
  return known(() => props.environment?.GOLIVE_CT_HOSTNAME) === undefined;
}
