/**
 * The real single-node cluster of scripts/kube-cluster.sh, which the Kubernetes engine tests run
 * against: a real kubelet running real pods in containerd, no mock of the API. Proves what those
 * tests rely on: the node is Ready at the Kubernetes version the provider's schema targets; a pod
 * of an offline test image answers over a ClusterIP Service from another pod through cluster DNS,
 * and over a NodePort on 127.0.0.1; a claim on the default StorageClass binds and a pod writes to
 * it; PodSecurity `restricted` refuses a privileged pod and admits a compliant one. Then `stop`
 * must leave nothing on the host, checked here independently of the script's own check, and a
 * warm start brings the cluster back. Last, every process of the cluster is killed with SIGKILL
 * (a CI job or session cut off): the next start must clean what it left and come up.
 *
 * scripts/test.sh starts the cluster before the engine tests; run alone, this file starts it when
 * `status` fails and stops it at the end.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { figure, repo } from "./harness";

const script = path.join(repo, "scripts", "kube-cluster.sh");
const stateDir = process.env.GOLIVE_STATE_DIR ?? path.join(repo, ".golive");
const envFile = path.join(stateDir, "kube-cluster.env");
const ns = "golive-cluster-test";
const restrictedNs = "golive-cluster-restricted";
const appImage = "golive.local/app:1.0.0";

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

function run(cmd: string, args: readonly string[], timeoutSeconds: number, input?: string): Run {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, [...args], {
    encoding: "utf8",
    input,
    timeout: timeoutSeconds * 1000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const stderr = `${r.stderr ?? ""}${r.error ? `\n${String(r.error)}` : ""}`;
  return { code: r.error ? -1 : (r.status ?? -1), stdout: r.stdout ?? "", stderr, seconds };
}

function cluster(command: string, timeoutSeconds = 900): Run {
  return run("bash", [script, command], timeoutSeconds);
}

/** The facts `start` wrote: kubeconfig, kubectl, node address, StorageClass, … */
function clusterEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of fs.readFileSync(envFile, "utf8").split("\n")) {
    const m = /^export (\w+)="(.*)"$/.exec(line);
    if (m) env[m[1]] = m[2];
  }
  for (const k of ["GOLIVE_KUBECONFIG", "GOLIVE_KUBECTL", "GOLIVE_CLUSTER_DIR"]) {
    assert.ok(env[k], `${envFile} has no ${k}`);
  }
  return env;
}

let env: Record<string, string> = {};

function kubectl(args: readonly string[], input?: string, timeoutSeconds = 60): Run {
  return run(
    env.GOLIVE_KUBECTL,
    ["--kubeconfig", env.GOLIVE_KUBECONFIG, "--request-timeout=30s", ...args],
    timeoutSeconds,
    input,
  );
}

function kubectlOk(args: readonly string[], input?: string, timeoutSeconds = 60): string {
  const r = kubectl(args, input, timeoutSeconds);
  assert.equal(r.code, 0, `kubectl ${args.join(" ")} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

function getJson<T>(args: readonly string[]): T {
  return JSON.parse(kubectlOk([...args, "-o", "json"])) as T;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Polls `check` until it returns a value, at most `seconds`; the last failure in the message. */
function waitFor<T>(what: string, seconds: number, check: () => T | undefined): T {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`timed out after ${seconds}s waiting for ${what}`);
    sleep(500);
  }
}

const securePod = {
  runAsNonRoot: true,
  seccompProfile: { type: "RuntimeDefault" },
};
const secureContainer = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
};
const resources = {
  requests: { cpu: "20m", memory: "32Mi" },
  limits: { cpu: "500m", memory: "128Mi" },
};

/** A process's executable and command line; undefined when it is gone or not readable. */
function processInfo(pid: string): { exe: string; cmdline: string } | undefined {
  try {
    return {
      exe: fs.readlinkSync(`/proc/${pid}/exe`),
      cmdline: fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " "),
    };
  } catch {
    return undefined;
  }
}

/** The processes in the pods' cgroups: a container's processes outlive a killed shim. */
function podProcesses(): string[] {
  const pids: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name === "cgroup.procs")
        pids.push(...fs.readFileSync(path.join(d, e.name), "utf8").split("\n").filter(Boolean));
    }
  };
  for (const h of [
    "/sys/fs/cgroup",
    ...fs.readdirSync("/sys/fs/cgroup").map((h) => `/sys/fs/cgroup/${h}`),
  ]) {
    if (fs.existsSync(`${h}/kubepods`)) walk(`${h}/kubepods`);
  }
  return [...new Set(pids)];
}

/** What the host holds of a running cluster, found without the script: each list empty after stop. */
function hostState(dir: string, bin: string): Record<string, string[]> {
  const links = run("ip", ["-o", "link", "show"], 10).stdout;
  const bridges = ["golive-node0", "golive-cni0"].filter((b) => links.includes(` ${b}:`));
  const chains: string[] = [];
  for (const tool of ["iptables-save", "ip6tables-save"]) {
    for (const table of ["filter", "nat", "mangle"]) {
      const out = run(tool, ["-t", table], 10).stdout;
      for (const m of out.matchAll(/^:((?:KUBE-|CNI-)\S+)/gm))
        chains.push(`${tool} ${table} ${m[1]}`);
    }
  }
  const cgroups = [
    "/sys/fs/cgroup",
    ...fs.readdirSync("/sys/fs/cgroup").map((h) => `/sys/fs/cgroup/${h}`),
  ]
    .map((h) => `${h}/kubepods`)
    .filter((p) => fs.existsSync(p));
  const mounts = fs
    .readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[1] ?? "")
    .filter((m) => m.startsWith(`${dir}/`) || m.startsWith("/run/netns/cni-"));
  const processes: string[] = [];
  for (const p of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    const proc = processInfo(p);
    if (proc && (proc.exe.startsWith(`${bin}/`) || proc.cmdline.includes(`${dir}/`))) {
      processes.push(`${p} ${proc.cmdline.slice(0, 100)}`);
    }
  }
  return { bridges, chains, cgroups, mounts, processes };
}

describe("the single-node cluster", () => {
  let startedHere = false;
  let stopped = false;

  before(() => {
    if (cluster("status", 30).code !== 0) {
      const r = cluster("start");
      assert.equal(r.code, 0, `scripts/kube-cluster.sh start failed:\n${r.stdout}${r.stderr}`);
      startedHere = true;
      figure("cluster-start-seconds", r.seconds.toFixed(1));
      const loaded = /offline test images loaded \((\d+) of (\d+) imported in (\d+)s/.exec(
        r.stdout,
      );
      if (loaded)
        figure(
          "cluster-image-load-seconds",
          `${loaded[3]} (${loaded[1]} of ${loaded[2]} imported)`,
        );
    }
    env = clusterEnv();
    for (const n of [ns, restrictedNs]) {
      kubectl(["delete", "namespace", n, "--ignore-not-found", "--timeout=120s"], undefined, 150);
    }
    kubectlOk(["create", "namespace", ns]);
  });

  after(() => {
    if (stopped) return;
    for (const n of [ns, restrictedNs]) {
      kubectl(["delete", "namespace", n, "--ignore-not-found", "--wait=false"]);
    }
    if (startedHere) {
      const r = cluster("stop", 300);
      assert.equal(r.code, 0, `scripts/kube-cluster.sh stop failed:\n${r.stdout}${r.stderr}`);
    }
  });

  it("has its node Ready at the Kubernetes version the provider's schema targets", () => {
    const versions = fs.readFileSync(path.join(repo, "toolchain", "versions.env"), "utf8");
    const want = `v${/^KUBERNETES_API_VERSION=(.+)$/m.exec(versions)?.[1] ?? "?"}`;
    const node = getJson<{
      status: {
        conditions: { type: string; status: string }[];
        nodeInfo: { kubeletVersion: string; containerRuntimeVersion: string };
        addresses: { type: string; address: string }[];
      };
    }>(["get", "node", env.GOLIVE_CLUSTER_NODE]);
    assert.equal(node.status.conditions.find((c) => c.type === "Ready")?.status, "True");
    assert.equal(node.status.nodeInfo.kubeletVersion, want);
    assert.match(node.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\//);
    assert.deepEqual(
      node.status.addresses.filter((a) => a.type === "InternalIP").map((a) => a.address),
      [env.GOLIVE_CLUSTER_NODE_IP],
    );
    const version = JSON.parse(kubectlOk(["version", "-o", "json"])) as {
      serverVersion: { gitVersion: string };
    };
    assert.equal(version.serverVersion.gitVersion, want);
  });

  it("runs a pod of an offline test image that answers over a ClusterIP Service by DNS name and over a NodePort on 127.0.0.1", () => {
    const manifest = {
      apiVersion: "v1",
      kind: "List",
      items: [
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "web", namespace: ns },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: "web" } },
            template: {
              metadata: { labels: { app: "web" } },
              spec: {
                containers: [
                  {
                    name: "app",
                    image: appImage,
                    imagePullPolicy: "Never",
                    env: [{ name: "APP_COLOR", value: "cluster-green" }],
                    ports: [{ containerPort: 8080 }],
                    readinessProbe: { httpGet: { path: "/health", port: 8080 }, periodSeconds: 1 },
                    resources,
                  },
                ],
              },
            },
          },
        },
        {
          apiVersion: "v1",
          kind: "Service",
          metadata: { name: "web", namespace: ns },
          spec: {
            type: "NodePort",
            selector: { app: "web" },
            ports: [{ port: 80, targetPort: 8080 }],
          },
        },
        {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "client", namespace: ns },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [
              {
                name: "client",
                image: appImage,
                imagePullPolicy: "Never",
                command: ["sleep", "3600"],
                resources,
              },
            ],
          },
        },
      ],
    };
    const start = Date.now();
    kubectlOk(["apply", "-f", "-"], JSON.stringify(manifest));
    kubectlOk(["-n", ns, "rollout", "status", "deployment/web", "--timeout=120s"], undefined, 150);
    figure("cluster-first-pod-ready-seconds", ((Date.now() - start) / 1000).toFixed(1));
    kubectlOk(
      ["-n", ns, "wait", "--for=condition=Ready", "pod/client", "--timeout=120s"],
      undefined,
      150,
    );

    const svc = getJson<{ spec: { clusterIP: string; ports: { nodePort: number }[] } }>([
      "-n",
      ns,
      "get",
      "service",
      "web",
    ]);
    // kube-proxy programs a Service's endpoints a moment after its pod is Ready; until then a
    // connection is refused (curl's 7), as any client of a new Service sees. Waited for, bounded.
    const programmed = Date.now();
    waitFor("kube-proxy to program the Service", 30, () => {
      const r = kubectl([
        "-n",
        ns,
        "exec",
        "client",
        "--",
        "curl",
        "-sf",
        "--max-time",
        "5",
        "http://web/",
      ]);
      return r.code === 0 ? true : undefined;
    });
    figure("cluster-service-programmed-seconds", ((Date.now() - programmed) / 1000).toFixed(1));
    // Cluster DNS: the short name (the pod's search path) and the full name resolve to the ClusterIP.
    for (const name of ["web", `web.${ns}.svc.${env.GOLIVE_CLUSTER_DOMAIN}`]) {
      const hosts = kubectlOk(["-n", ns, "exec", "client", "--", "getent", "hosts", name]);
      assert.equal(hosts.split(/\s+/)[0], svc.spec.clusterIP, `${name} resolves to ${hosts}`);
      const body = kubectlOk([
        "-n",
        ns,
        "exec",
        "client",
        "--",
        "curl",
        "-sf",
        "--max-time",
        "10",
        `http://${name}/`,
      ]);
      assert.equal((JSON.parse(body) as { color: string }).color, "cluster-green");
    }
    // A name the cluster does not know does not resolve (nothing is forwarded off the machine).
    const unknown = kubectl([
      "-n",
      ns,
      "exec",
      "client",
      "--",
      "getent",
      "hosts",
      "no-such-service",
    ]);
    assert.notEqual(unknown.code, 0, `no-such-service resolved: ${unknown.stdout}`);

    const nodePort = svc.spec.ports[0].nodePort;
    const [low, high] = env.GOLIVE_CLUSTER_NODEPORT_RANGE.split("-").map(Number);
    assert.ok(nodePort >= low && nodePort <= high, `node port ${nodePort}`);
    const r = run("curl", ["-sf", "--max-time", "10", `http://127.0.0.1:${nodePort}/`], 15);
    assert.equal(r.code, 0, `NodePort ${nodePort} on 127.0.0.1: ${r.stderr}`);
    assert.equal((JSON.parse(r.stdout) as { color: string }).color, "cluster-green");
    figure("cluster-nodeport", nodePort);
  });

  it("binds a claim on the default StorageClass, and a pod writes to it", () => {
    const sc = getJson<{
      items: { metadata: { name: string; annotations?: Record<string, string> } }[];
    }>(["get", "storageclass"]);
    const defaults = sc.items.filter(
      (s) => s.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true",
    );
    assert.deepEqual(
      defaults.map((s) => s.metadata.name),
      [env.GOLIVE_CLUSTER_STORAGE_CLASS],
    );
    const proof = `written-by-the-test-${Date.now()}`;
    const manifest = {
      apiVersion: "v1",
      kind: "List",
      items: [
        {
          apiVersion: "v1",
          kind: "PersistentVolumeClaim",
          metadata: { name: "data", namespace: ns },
          spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "64Mi" } } },
        },
        {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "writer", namespace: ns },
          spec: {
            restartPolicy: "Never",
            containers: [
              {
                name: "writer",
                image: appImage,
                imagePullPolicy: "Never",
                command: ["sh", "-c", `echo ${proof} > /data/proof && cat /data/proof`],
                volumeMounts: [{ name: "data", mountPath: "/data" }],
                resources,
              },
            ],
            volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }],
          },
        },
      ],
    };
    kubectlOk(["apply", "-f", "-"], JSON.stringify(manifest));
    const phase = waitFor("the writer pod to finish", 120, () => {
      const p = kubectlOk(["-n", ns, "get", "pod", "writer", "-o", "jsonpath={.status.phase}"]);
      return p === "Succeeded" || p === "Failed" ? p : undefined;
    });
    assert.equal(phase, "Succeeded", kubectl(["-n", ns, "logs", "writer"]).stdout);
    assert.equal(kubectlOk(["-n", ns, "logs", "writer"]).trim(), proof);
    const pvc = getJson<{
      spec: { storageClassName: string; volumeName: string };
      status: { phase: string };
    }>(["-n", ns, "get", "pvc", "data"]);
    assert.equal(pvc.status.phase, "Bound");
    assert.equal(pvc.spec.storageClassName, env.GOLIVE_CLUSTER_STORAGE_CLASS);
    // The volume is a folder on the node, made by the provisioner's helper pod: the file is there.
    const pv = getJson<{ spec: { hostPath?: { path: string }; local?: { path: string } } }>([
      "get",
      "pv",
      pvc.spec.volumeName,
    ]);
    const hostDir = pv.spec.hostPath?.path ?? pv.spec.local?.path ?? "";
    assert.ok(hostDir.startsWith(`${env.GOLIVE_CLUSTER_DIR}/storage/`), `volume at ${hostDir}`);
    assert.equal(fs.readFileSync(path.join(hostDir, "proof"), "utf8").trim(), proof);
  });

  it("refuses a privileged pod in a namespace labelled PodSecurity restricted, and admits a compliant one", () => {
    kubectlOk(["create", "namespace", restrictedNs]);
    kubectlOk([
      "label",
      "namespace",
      restrictedNs,
      "pod-security.kubernetes.io/enforce=restricted",
    ]);
    const privileged = (namespace: string) =>
      JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "privileged", namespace },
        spec: {
          containers: [
            {
              name: "app",
              image: appImage,
              imagePullPolicy: "Never",
              securityContext: { privileged: true },
              resources,
            },
          ],
        },
      });
    const refused = kubectl(["create", "--dry-run=server", "-f", "-"], privileged(restrictedNs));
    assert.notEqual(refused.code, 0, "a privileged pod was admitted under restricted");
    assert.match(refused.stderr, /violates PodSecurity "restricted:latest"/);
    assert.match(refused.stderr, /privileged/);
    // The same pod without the label is admitted: the label is what refused it.
    const control = kubectl(["create", "--dry-run=server", "-f", "-"], privileged(ns));
    assert.equal(control.code, 0, `the control pod was refused: ${control.stderr}`);

    const compliant = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "compliant", namespace: restrictedNs },
      spec: {
        securityContext: securePod,
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: "app",
            image: appImage,
            imagePullPolicy: "Never",
            ports: [{ containerPort: 8080 }],
            readinessProbe: { httpGet: { path: "/health", port: 8080 }, periodSeconds: 1 },
            securityContext: secureContainer,
            resources,
          },
        ],
      },
    };
    const admitted = kubectl(["create", "-f", "-"], JSON.stringify(compliant));
    assert.equal(admitted.code, 0, `the compliant pod was refused: ${admitted.stderr}`);
    assert.doesNotMatch(admitted.stderr, /Warning: would violate PodSecurity/);
    kubectlOk(
      ["-n", restrictedNs, "wait", "--for=condition=Ready", "pod/compliant", "--timeout=120s"],
      undefined,
      150,
    );
  });

  it("stops leaving nothing on the host, then starts again warm", () => {
    const dir = env.GOLIVE_CLUSTER_DIR;
    const bin = path.dirname(env.GOLIVE_KUBECTL);
    // While it runs, every detector finds something: an empty list after stop means something.
    const running = hostState(dir, bin);
    for (const [what, found] of Object.entries(running)) {
      assert.ok(found.length > 0, `a running cluster shows no ${what}: the check could not fail`);
    }
    // The host paths the kubelet and the CNI plugins write whatever their flags say: those the
    // cluster made (start records which) must be gone.
    const made = fs
      .readFileSync(path.join(dir, "run", "host-paths"), "utf8")
      .split("\n")
      .filter((l) => l.startsWith("made "))
      .map((l) => l.slice("made ".length));
    const stop = cluster("stop", 300);
    stopped = true;
    assert.equal(
      stop.code,
      0,
      `scripts/kube-cluster.sh stop failed:\n${stop.stdout}${stop.stderr}`,
    );
    figure("cluster-stop-seconds", stop.seconds.toFixed(1));
    assert.deepEqual(hostState(dir, bin), {
      bridges: [],
      chains: [],
      cgroups: [],
      mounts: [],
      processes: [],
    });
    assert.deepEqual(
      made.filter((p) => fs.existsSync(p)),
      [],
    );
    assert.equal(fs.existsSync("/run/golive-kube-cluster"), false, "the host claim is left");
    assert.equal(cluster("leftovers", 60).code, 0);
    assert.notEqual(cluster("status", 30).code, 0, "status reports a stopped cluster as running");
    // Started again, warm, for the next test.
    const start = cluster("start");
    assert.equal(
      start.code,
      0,
      `scripts/kube-cluster.sh start failed:\n${start.stdout}${start.stderr}`,
    );
    stopped = false;
    figure("cluster-warm-start-seconds", start.seconds.toFixed(1));
    assert.equal(cluster("status", 30).code, 0);
    env = clusterEnv();
  });

  it("after every process of the cluster is killed with SIGKILL (a job cut off), the next start cleans the host first and comes up", () => {
    const dir = env.GOLIVE_CLUSTER_DIR;
    const bin = path.dirname(env.GOLIVE_KUBECTL);
    const victims = [
      ...hostState(dir, bin).processes.map((p) => p.split(" ")[0]),
      ...podProcesses(),
    ];
    assert.ok(podProcesses().length > 0, "no pod runs: the kill would leave nothing to clean");
    for (const pid of new Set(victims)) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // gone already
      }
    }
    waitFor("the killed processes to go", 30, () =>
      hostState(dir, bin).processes.length === 0 && podProcesses().length === 0 ? true : undefined,
    );
    // What a killed cluster leaves (cgroups, bridges, chains, mounts, shims' sockets) is found.
    const left = cluster("leftovers", 60);
    assert.notEqual(left.code, 0, "a killed cluster shows no leftovers: the check could not fail");
    assert.notEqual(cluster("status", 30).code, 0, "status reports a killed cluster as running");

    const start = cluster("start");
    assert.equal(
      start.code,
      0,
      `scripts/kube-cluster.sh start after a kill failed:\n${start.stdout}${start.stderr}`,
    );
    assert.match(start.stdout + start.stderr, /half up; stopping it first/);
    figure("cluster-start-after-kill-seconds", start.seconds.toFixed(1));
    assert.equal(cluster("status", 30).code, 0);
    env = clusterEnv();
    kubectlOk(["get", "--raw", "/readyz"]);
    if (!startedHere) return;
    const stop = cluster("stop", 300);
    stopped = true;
    assert.equal(stop.code, 0, `stop failed:\n${stop.stdout}${stop.stderr}`);
    assert.equal(cluster("leftovers", 60).code, 0);
  });
});
