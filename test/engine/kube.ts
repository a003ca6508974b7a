/**
 * Helpers for engine tests against the real cluster of scripts/kube-cluster.sh (its env file
 * exports GOLIVE_KUBECONFIG and GOLIVE_KUBECTL): kubectl with a timeout, exec into a pod, wait for
 * rollouts, read objects back from the API, and HTTP(S) requests to a NodePort on 127.0.0.1 with
 * the SNI and Host of a domain. Every call is bounded in time; every request goes to 127.0.0.1 or,
 * from a pod by `kubectl exec`, to an address inside the namespace the test made.
 */
import { spawnSync } from "node:child_process";
import * as http from "node:http";
import * as https from "node:https";
import type * as tls from "node:tls";

export interface KubeResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The cluster's kubeconfig and kubectl, from the cluster's env file; throws when it is missing. */
export function cluster(): { kubeconfig: string; kubectl: string } {
  const kubeconfig = process.env.GOLIVE_KUBECONFIG;
  const kubectl = process.env.GOLIVE_KUBECTL;
  if (!kubeconfig || !kubectl) {
    throw new Error(
      "no cluster: source the env file of scripts/kube-cluster.sh start (GOLIVE_KUBECONFIG, GOLIVE_KUBECTL)",
    );
  }
  return { kubeconfig, kubectl };
}

/** Runs kubectl against the test cluster; never longer than `timeoutSeconds`. */
export function kubectl(
  args: readonly string[],
  opts: { timeoutSeconds?: number; input?: string } = {},
): KubeResult {
  const { kubeconfig, kubectl: bin } = cluster();
  const timeoutSeconds = opts.timeoutSeconds ?? 30;
  const r = spawnSync(bin, [`--request-timeout=${timeoutSeconds}s`, ...args], {
    encoding: "utf8",
    env: { ...process.env, KUBECONFIG: kubeconfig },
    input: opts.input,
    timeout: (timeoutSeconds + 5) * 1000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const stderr = `${r.stderr ?? ""}${r.error ? `\n${String(r.error)}` : ""}`;
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr };
}

/** kubectl that must succeed: its stdout, else an error with what it said. */
export function kubectlOk(
  args: readonly string[],
  opts: { timeoutSeconds?: number; input?: string } = {},
): string {
  const r = kubectl(args, opts);
  if (r.code !== 0) {
    throw new Error(`kubectl ${args.join(" ")} failed (${r.code}): ${r.stderr}${r.stdout}`);
  }
  return r.stdout;
}

/** An object, or a list, read back from the API as JSON. */
export function getJson<T = any>(args: readonly string[], timeoutSeconds = 30): T {
  return JSON.parse(kubectlOk(["get", ...args, "-o", "json"], { timeoutSeconds })) as T;
}

/** The items of a list, or [] when the namespace (or the kind in it) has none. */
export function items<T = any>(kind: string, namespace?: string): T[] {
  const ns = namespace ? ["-n", namespace] : [];
  return getJson<{ items: T[] }>([kind, ...ns]).items;
}

/**
 * A command in a pod (`target`: a pod name or `deploy/<name>`, `sts/<name>`); stdin from `input`.
 * The command runs in the pod's first container unless `container` says which.
 */
export function execIn(
  namespace: string,
  target: string,
  command: readonly string[],
  opts: { container?: string; input?: string; timeoutSeconds?: number } = {},
): KubeResult {
  return kubectl(
    [
      "exec",
      ...(opts.input !== undefined ? ["-i"] : []),
      "-n",
      namespace,
      target,
      ...(opts.container ? ["-c", opts.container] : []),
      "--",
      ...command,
    ],
    { timeoutSeconds: opts.timeoutSeconds ?? 30, input: opts.input },
  );
}

/** execIn that must succeed: its stdout, trimmed. */
export function execOk(
  namespace: string,
  target: string,
  command: readonly string[],
  opts: { container?: string; input?: string; timeoutSeconds?: number } = {},
): string {
  const r = execIn(namespace, target, command, opts);
  if (r.code !== 0) {
    throw new Error(
      `kubectl exec -n ${namespace} ${target} -- ${command.join(" ")} failed (${r.code}): ${r.stderr}${r.stdout}`,
    );
  }
  return r.stdout.trim();
}

/**
 * A GET from inside the namespace, by python3 in a pod that has it (golive's demo app does): the
 * URL names a Service of that namespace. Returns the status and body; status 0 when unreachable.
 */
export function getFromPod(
  namespace: string,
  target: string,
  url: string,
  timeoutSeconds = 10,
): { status: number; body: string; json?: any } {
  const script = [
    "import sys, urllib.request, urllib.error",
    "try:",
    `    r = urllib.request.urlopen(sys.argv[1], timeout=${timeoutSeconds})`,
    "    print(r.status); sys.stdout.write(r.read().decode())",
    "except urllib.error.HTTPError as e:",
    "    print(e.code); sys.stdout.write(e.read().decode())",
    "except Exception as e:",
    "    print(0); sys.stdout.write(str(e))",
  ].join("\n");
  const r = execIn(namespace, target, ["python3", "-c", script, url], {
    timeoutSeconds: timeoutSeconds + 10,
  });
  if (r.code !== 0) return { status: 0, body: `${r.stderr}${r.stdout}` };
  const nl = r.stdout.indexOf("\n");
  const status = Number(r.stdout.slice(0, nl));
  const body = r.stdout.slice(nl + 1);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status, body, json };
}

interface Controller {
  kind: string;
  metadata: { name: string; generation?: number };
  spec: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
  };
}

/**
 * Every Deployment and StatefulSet in the namespace, each with whether the API says it is rolled
 * out and ready: its current generation observed, every wanted replica updated, ready (and, for a
 * Deployment, available).
 */
export function controllers(namespace: string): { name: string; ready: boolean; status: string }[] {
  const list = [
    ...items<Controller>("deployments", namespace).map((c) => ({ ...c, kind: "Deployment" })),
    ...items<Controller>("statefulsets", namespace).map((c) => ({ ...c, kind: "StatefulSet" })),
  ];
  return list
    .map((c) => {
      const want = c.spec.replicas ?? 1;
      const s = c.status ?? {};
      const ready =
        (s.observedGeneration ?? 0) >= (c.metadata.generation ?? 0) &&
        (s.updatedReplicas ?? 0) === want &&
        (s.readyReplicas ?? 0) === want &&
        (c.kind === "StatefulSet" || (s.availableReplicas ?? 0) === want) &&
        (s.replicas ?? 0) === want;
      return {
        name: `${c.kind}/${c.metadata.name}`,
        ready,
        status: `${s.readyReplicas ?? 0}/${want} ready, ${s.updatedReplicas ?? 0} updated`,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** `kubectl rollout status` of one controller (`deploy/<name>`, `sts/<name>`), bounded. */
export function waitRollout(namespace: string, target: string, timeoutSeconds = 120): KubeResult {
  return kubectl(["rollout", "status", "-n", namespace, target, `--timeout=${timeoutSeconds}s`], {
    timeoutSeconds: timeoutSeconds + 10,
  });
}

/** Waits until the namespace is gone (a namespace deletion finalises its contents first). */
export async function waitNamespaceGone(namespace: string, seconds = 180): Promise<boolean> {
  return eventually(
    seconds,
    () =>
      kubectl(["get", "namespace", namespace, "--ignore-not-found", "-o", "name"]).stdout.trim(),
    (v) => v === "",
  ).then((v) => v === "");
}

/**
 * Deletes a namespace and whatever is in it (a previous run's leftovers, retained claims) and
 * waits until it is gone; the claims' volumes go with them (local-path deletes them).
 */
export async function deleteNamespace(namespace: string, seconds = 180): Promise<void> {
  kubectl(["delete", "namespace", namespace, "--ignore-not-found", "--wait=false"]);
  if (!(await waitNamespaceGone(namespace, seconds))) {
    throw new Error(`namespace ${namespace} still exists after ${seconds} s`);
  }
}

/** Polls `probe` every second until `ok` holds or `seconds` pass; returns the last value. */
export async function eventually<T>(
  seconds: number,
  probe: () => T | Promise<T>,
  ok: (v: T) => boolean,
): Promise<T> {
  const end = Date.now() + seconds * 1000;
  let v = await probe();
  while (!ok(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 1000));
    v = await probe();
  }
  return v;
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The certificate the server presented (HTTPS), e.g. its subject's CN. */
  readonly peerCertificate?: tls.PeerCertificate;
}

const insecure = new https.Agent({ rejectUnauthorized: false, keepAlive: false });

/**
 * A GET to a NodePort on 127.0.0.1 as a client of `domain` would send it: over TLS with the
 * domain's SNI (the certificate is not verified: TLS "internal" is self-signed), and the domain as
 * Host. Status 0 and the error's message when it fails.
 */
export function nodePortGet(
  opts: { port: number; domain: string; path: string; tls: boolean },
  timeoutMs = 5000,
): Promise<HttpAnswer> {
  return new Promise((resolve) => {
    const common = {
      host: "127.0.0.1",
      port: opts.port,
      path: opts.path,
      headers: { Host: opts.domain },
      timeout: timeoutMs,
    };
    const onResponse = (res: http.IncomingMessage) => {
      let body = "";
      const peer = opts.tls ? (res.socket as tls.TLSSocket).getPeerCertificate() : undefined;
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          headers: res.headers,
          peerCertificate: peer,
        }),
      );
    };
    const req = opts.tls
      ? https.request({ ...common, servername: opts.domain, agent: insecure }, onResponse)
      : http.request(common, onResponse);
    req.on("error", (e: Error) => resolve({ status: 0, body: e.message, headers: {} }));
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.end();
  });
}
