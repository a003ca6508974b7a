import { label } from "../../policies/lib/contract";
import type { WorkloadSpec } from "./workload";

/** What every runtime needs to know about the environment it deploys into. */
export interface RuntimeContext {
  /** Prefix of every object name: `<project>-<stack>` by default. */
  readonly prefix: string;
  /** The application (`app.kubernetes.io/part-of`). */
  readonly partOf: string;
  readonly tier: "dev" | "staging" | "production";
  /** Labels from the spec, applied to everything. */
  readonly labels: Readonly<Record<string, string>>;
  /** Docker only: host ports on 127.0.0.1 by workload and port name (spec `hostPorts`). */
  readonly hostPorts?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Kubernetes only: the StorageClass of every claim (spec `kubernetes.storageClassName`). */
  readonly storageClassName?: string;
  /** Whether destroy leaves data volumes behind (spec `dataRetention`); true when absent. */
  readonly retainData?: boolean;
  /** Policy waivers by workload name. */
  readonly waivers?: Readonly<
    Record<string, Readonly<Record<string, { reason: string; until: string }>>>
  >;
}

/** The user a workload runs as when its spec names none (Kubernetes and Docker alike). */
export const defaultRunAsUser = 10001;

/** Whether destroy leaves this volume behind: a data volume, unless the spec says delete. */
export function keepsOnDestroy(ctx: RuntimeContext, v: { readonly retain: boolean }): boolean {
  return v.retain && ctx.retainData !== false;
}

/** The recommended `app.kubernetes.io/*` labels, used on every runtime (Docker labels, LXC tags). */
export function standardLabels(ctx: RuntimeContext, w: WorkloadSpec): Record<string, string> {
  return {
    ...ctx.labels,
    [label.name]: w.name,
    [label.instance]: `${ctx.prefix}-${w.name}`,
    [label.component]: w.component,
    [label.partOf]: ctx.partOf,
    [label.version]: imageVersion(w.image),
    [label.managedBy]: "golive",
    [label.tier]: ctx.tier,
    [label.startOrder]: String(w.startOrder),
    // Which variables come from secret Outputs, so the policy pack can tell them from literals.
    ...(Object.keys(w.secretEnv).length > 0
      ? { [label.secretEnv]: Object.keys(w.secretEnv).sort().join(",") }
      : {}),
    ...(w.gpu?.memoryLimitGb !== undefined
      ? { [label.gpuMemoryLimitGb]: String(w.gpu.memoryLimitGb) }
      : {}),
    ...Object.fromEntries(
      Object.entries(ctx.waivers?.[w.name] ?? {}).map(([policy, wv]) => [
        `${label.waiverPrefix}${policy}`,
        `until=${wv.until}; reason=${wv.reason}`,
      ]),
    ),
    ...w.labels,
  };
}

/** The tag or digest of an image reference ("latest" when it has none). */
export function imageVersion(image: string): string {
  const at = image.indexOf("@");
  if (at >= 0) {
    return image.slice(at + 1 + "sha256:".length, at + 1 + "sha256:".length + 12);
  }
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  return colon > slash ? image.slice(colon + 1) : "latest";
}

/** Parses "500m" / "1.5" CPU quantities into cores. */
export function cpuCores(q: string): number {
  return q.endsWith("m") ? Number(q.slice(0, -1)) / 1000 : Number(q);
}

/** Parses "512Mi" / "2Gi" memory quantities into MiB. */
export function memoryMiB(q: string): number {
  const n = Number(q.slice(0, -2));
  switch (q.slice(-2)) {
    case "Ki":
      return Math.ceil(n / 1024);
    case "Mi":
      return n;
    case "Gi":
      return n * 1024;
    case "Ti":
      return n * 1024 * 1024;
    default:
      throw new Error(`not a memory quantity: ${q}`);
  }
}

const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Splits labels into valid Kubernetes label values and the rest, which become annotations. */
export function splitForKubernetes(all: Record<string, string>): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) {
    if (v.length <= 63 && labelValue.test(v)) labels[k] = v;
    else annotations[k] = v;
  }
  return { labels, annotations };
}
