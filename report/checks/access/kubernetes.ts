/**
 * Kubernetes: through kubectl with the kubeconfig `pulumi up` uses (golive's provider names none of
 * its own, so it is $KUBECONFIG or ~/.kube/config, at its current context), in the namespace the
 * stack's outputs name. Commands by `kubectl exec` into a running pod of the workload (the pods
 * carry `app.kubernetes.io/name: <workload>`), ports by `kubectl port-forward` to the workload's
 * Service and its named port, health from the pods' phase and Ready condition.
 */
import { spawn } from "node:child_process";
import { label, type LiveEnvironment } from "../../../policies/lib/contract";
import { run } from "../probe";
import { atLeast, type InstanceState, type RuntimeAccess } from ".";

/** PodSecurity admission, which golive's namespaces rely on, is stable from 1.25 on. */
export const minimumKubernetes = [1, 25] as const;

/** The kubectl golive runs: GOLIVE_KUBECTL, else kubectl on PATH. */
export function kubectlBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.GOLIVE_KUBECTL || "kubectl";
}

export interface Pod {
  readonly metadata: {
    readonly name: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly deletionTimestamp?: string;
  };
  readonly status?: {
    readonly phase?: string;
    readonly conditions?: readonly { readonly type: string; readonly status: string }[];
    readonly containerStatuses?: readonly {
      readonly name: string;
      readonly ready: boolean;
      readonly restartCount?: number;
      readonly state?: {
        readonly waiting?: { readonly reason?: string };
        readonly terminated?: { readonly reason?: string };
      };
    }[];
  };
}

/** `kubectl exec` of a command in a pod. */
export function execArgs(
  namespace: string,
  pod: string,
  command: readonly string[],
  stdin = false,
): string[] {
  return ["exec", ...(stdin ? ["-i"] : []), "-n", namespace, pod, "--", ...command];
}

/**
 * `kubectl port-forward` to a Service's named port, on a free port of 127.0.0.1. A Service without
 * a running pod fails within seconds (kubectl's own wait for one is a minute, longer than a check).
 */
export function portForwardArgs(namespace: string, service: string, port: string): string[] {
  return [
    "port-forward",
    "-n",
    namespace,
    `svc/${service}`,
    `:${port}`,
    "--address",
    "127.0.0.1",
    "--pod-running-timeout=5s",
  ];
}

/** The local port out of port-forward's `Forwarding from 127.0.0.1:<port> -> <target>` line. */
export function forwardedPort(output: string): number | undefined {
  const m = /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(output);
  return m ? Number(m[1]) : undefined;
}

/** The pods of a workload (golive labels each with its workload's name), finished ones left out. */
export function podsOf(pods: readonly Pod[], workload: string): Pod[] {
  return pods.filter(
    (p) => p.metadata.labels?.[label.name] === workload && p.status?.phase !== "Succeeded",
  );
}

/** A pod as an instance: ok when Running, not being deleted, and Ready. */
export function podState(workload: string, pod: Pod): InstanceState {
  const phase = pod.status?.phase ?? "Unknown";
  const ready = (pod.status?.conditions ?? []).some(
    (c) => c.type === "Ready" && c.status === "True",
  );
  const reasons = (pod.status?.containerStatuses ?? []).flatMap((c) => {
    const why = c.state?.waiting?.reason ?? c.state?.terminated?.reason;
    return why ? [`${c.name} ${why}`] : [];
  });
  const deleting = pod.metadata.deletionTimestamp !== undefined;
  const ok = phase === "Running" && ready && !deleting;
  const state = ok
    ? "running ready"
    : [deleting ? "terminating" : phase, ready ? "ready" : "not ready", ...reasons].join(", ");
  return { workload, instance: pod.metadata.name, ok, state };
}

/** Every workload's pods as instances; a workload without a pod is one entry saying so. */
export function podStates(
  workloads: readonly string[],
  pods: readonly Pod[],
  namespace: string,
): InstanceState[] {
  return workloads.flatMap((w) => {
    const mine = podsOf(pods, w);
    return mine.length === 0
      ? [{ workload: w, ok: false, state: `no pod in namespace ${namespace}` }]
      : mine.map((p) => podState(w, p));
  });
}

/** The pod a command runs in: a ready one, else any running one. */
export function execPod(pods: readonly Pod[], workload: string): Pod | undefined {
  const mine = podsOf(pods, workload).filter((p) => p.metadata.deletionTimestamp === undefined);
  return (
    mine.find((p) => podState(workload, p).ok) ?? mine.find((p) => p.status?.phase === "Running")
  );
}

/** The cluster has a node offering NVIDIA GPUs (the device plugin's `nvidia.com/gpu`). */
export function offersGpus(
  nodes: readonly { status?: { allocatable?: Readonly<Record<string, string>> } }[],
): boolean {
  return nodes.some((n) => Number(n.status?.allocatable?.["nvidia.com/gpu"] ?? 0) > 0);
}

/** Runs `kubectl port-forward` until `use` is done; the port it listens on goes to `use`. */
async function portForward<T>(
  kubectl: string,
  args: readonly string[],
  use: (port: number) => Promise<T>,
  timeoutSeconds = 15,
): Promise<T> {
  const child = spawn(kubectl, [...args], { stdio: ["ignore", "pipe", "pipe"] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      let err = "";
      const timer = setTimeout(
        () =>
          reject(
            new Error(`kubectl ${args.join(" ")}: no forward within ${timeoutSeconds} s ${err}`),
          ),
        timeoutSeconds * 1000,
      );
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        const p = forwardedPort(out);
        if (p !== undefined) {
          clearTimeout(timer);
          resolve(p);
        }
      });
      child.stderr.on("data", (c: Buffer) => (err += c.toString()));
      child.on("error", (e) => {
        clearTimeout(timer);
        reject(new Error(`kubectl: ${e.message}`));
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`kubectl ${args.join(" ")} exited ${code}: ${err.trim()}`));
      });
    });
    return await use(port);
  } finally {
    child.kill();
  }
}

export function kubernetesAccess(env: LiveEnvironment): RuntimeAccess {
  const k = env.kubernetes;
  const ns = k?.namespace ?? "";
  const kubectl = kubectlBinary();
  const problem = !k
    ? "the stack's outputs name no Kubernetes namespace (goliveEnvironment.kubernetes): run pulumi up with this version of golive first"
    : k.renderedTo !== undefined
      ? `the stack renders its manifests to ${k.renderedTo} instead of applying them: no cluster runs them to check`
      : undefined;
  const get = async <T>(args: readonly string[]): Promise<T> =>
    JSON.parse(
      await run(kubectl, ["--request-timeout=10s", "get", ...args, "-o", "json"], {
        timeoutSeconds: 15,
      }),
    ) as T;
  const pods = async () => (await get<{ items: Pod[] }>(["pods", "-n", ns])).items;
  return {
    runtime: "kubernetes",
    ...(problem ? { problem } : {}),
    where: (w) => `${w} in namespace ${ns}`,
    exec: async (w, command, opts) => {
      const pod = execPod(await pods(), w);
      if (!pod) throw new Error(`no running pod of ${w} in namespace ${ns}`);
      return run(kubectl, execArgs(ns, pod.metadata.name, command), {
        timeoutSeconds: opts?.timeoutSeconds ?? 15,
      });
    },
    command: async (w, command, opts) => {
      const pod = execPod(await pods(), w);
      if (!pod) throw new Error(`no running pod of ${w} in namespace ${ns}`);
      return { file: kubectl, args: execArgs(ns, pod.metadata.name, command, opts?.stdin) };
    },
    unreachable: () => problem,
    forward: (w, port, use) => portForward(kubectl, portForwardArgs(ns, w, port), use),
    instances: async (workloads) => podStates(workloads, await pods(), ns),
    engine: async () => {
      const v = JSON.parse(
        await run(kubectl, ["--request-timeout=10s", "version", "-o", "json"], {
          timeoutSeconds: 15,
        }),
      ) as { serverVersion?: { gitVersion?: string } };
      const version = v.serverVersion?.gitVersion;
      if (!version) throw new Error("kubectl version answered no serverVersion.gitVersion");
      return {
        name: "Kubernetes API server",
        version,
        minimum: minimumKubernetes.join("."),
        ok: atLeast(version, minimumKubernetes),
      };
    },
    gpuProblem: async () =>
      offersGpus((await get<{ items: [] }>(["nodes"])).items)
        ? undefined
        : "no node of the cluster offers nvidia.com/gpu",
  };
}
