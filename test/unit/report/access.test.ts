/**
 * The runtime access of the live checks, its pure parts: the kubectl and psql command lines, the
 * port port-forward listens on, pods and Docker containers read as instances, version minimums.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { atLeast } from "../../../report/checks/access";
import { containersOf, dockerStates } from "../../../report/checks/access/docker";
import {
  execArgs,
  execPod,
  forwardedPort,
  kubectlBinary,
  offersGpus,
  podStates,
  portForwardArgs,
  type Pod,
} from "../../../report/checks/access/kubernetes";
import {
  healthScript,
  healthStates,
  pctExec,
  pveVersion,
  shq,
  sshArgs,
} from "../../../report/checks/access/lxc";
import { psqlArgs, psqlRows } from "../../../report/checks/probe";

const pod = (
  name: string,
  workload: string,
  phase: string,
  ready: boolean,
  extra: Partial<Pod["status"]> & { deleting?: boolean } = {},
): Pod => ({
  metadata: {
    name,
    labels: { "app.kubernetes.io/name": workload },
    ...(extra.deleting ? { deletionTimestamp: "2026-12-02T10:00:00Z" } : {}),
  },
  status: {
    phase,
    conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
    ...(extra.containerStatuses ? { containerStatuses: extra.containerStatuses } : {}),
  },
});

describe("the checks' runtime access", () => {
  it("builds kubectl exec and port-forward command lines for a namespace", () => {
    assert.deepEqual(execArgs("golive-staging", "postgres-0", ["ls", "-1", "/x"]), [
      "exec",
      "-n",
      "golive-staging",
      "postgres-0",
      "--",
      "ls",
      "-1",
      "/x",
    ]);
    assert.deepEqual(portForwardArgs("golive-staging", "gateway", "https"), [
      "port-forward",
      "-n",
      "golive-staging",
      "svc/gateway",
      ":https",
      "--address",
      "127.0.0.1",
      "--pod-running-timeout=5s",
    ]);
    assert.equal(kubectlBinary({ GOLIVE_KUBECTL: "/opt/k/kubectl" }), "/opt/k/kubectl");
    assert.equal(kubectlBinary({}), "kubectl");
  });

  it("reads the local port out of port-forward's output", () => {
    assert.equal(
      forwardedPort("Forwarding from 127.0.0.1:40123 -> 8443\nHandling connection for 40123\n"),
      40123,
    );
    assert.equal(forwardedPort("error: unable to forward port"), undefined);
  });

  it("reads pods as instances: running and Ready is healthy, anything else says what it is", () => {
    const pods = [
      pod("postgres-0", "postgres", "Running", true),
      pod("postgres-replica-1-0", "postgres-replica-1", "Running", false, {
        containerStatuses: [
          { name: "postgres", ready: false, state: { waiting: { reason: "CrashLoopBackOff" } } },
        ],
      }),
      pod("api-7c9-abcde", "api", "Running", true, { deleting: true }),
      pod("api-migrate-xyz", "api-migrate", "Succeeded", false),
    ];
    assert.deepEqual(podStates(["postgres", "postgres-replica-1", "api", "redis"], pods, "ns"), [
      { workload: "postgres", instance: "postgres-0", ok: true, state: "running ready" },
      {
        workload: "postgres-replica-1",
        instance: "postgres-replica-1-0",
        ok: false,
        state: "Running, not ready, postgres CrashLoopBackOff",
      },
      { workload: "api", instance: "api-7c9-abcde", ok: false, state: "terminating, ready" },
      { workload: "redis", ok: false, state: "no pod in namespace ns" },
    ]);
    // A finished Job's pod is not an instance of a long-running workload.
    assert.deepEqual(podStates(["api-migrate"], pods, "ns")[0].instance, undefined);
  });

  it("runs a command in a ready pod, else a running one, never one being deleted", () => {
    const pods = [
      pod("api-1", "api", "Running", true, { deleting: true }),
      pod("api-2", "api", "Running", false),
      pod("api-3", "api", "Running", true),
    ];
    assert.equal(execPod(pods, "api")?.metadata.name, "api-3");
    assert.equal(execPod(pods.slice(0, 2), "api")?.metadata.name, "api-2");
    assert.equal(execPod(pods.slice(0, 1), "api"), undefined);
  });

  it("sees a GPU only on a node that offers nvidia.com/gpu", () => {
    assert.equal(offersGpus([{ status: { allocatable: { cpu: "2" } } }]), false);
    assert.equal(offersGpus([{ status: { allocatable: { "nvidia.com/gpu": "1" } } }]), true);
  });

  it("reads docker inspect lines as instances, and a workload's replica containers", () => {
    assert.deepEqual(
      dockerStates("postgres", "/p-postgres running healthy\n/p-postgres-2 exited none\n"),
      [
        { workload: "postgres", instance: "p-postgres", ok: true, state: "healthy" },
        { workload: "postgres", instance: "p-postgres-2", ok: false, state: "exited" },
      ],
    );
    assert.deepEqual(dockerStates("api", "/p-api running starting")[0].ok, false);
    assert.deepEqual(dockerStates("api", "/p-api running none")[0], {
      workload: "api",
      instance: "p-api",
      ok: true,
      state: "running",
    });
    assert.deepEqual(containersOf(["p-api-1", "p-api-2", "p-api-gateway", "p-api"], "p-api"), [
      "p-api-1",
      "p-api-2",
      "p-api",
    ]);
  });

  it("compares engine versions with golive's minimums", () => {
    assert.equal(atLeast("20.10.5", [20, 10]), true);
    assert.equal(atLeast("20.9.0", [20, 10]), false);
    assert.equal(atLeast("27.1.1", [20, 10]), true);
    assert.equal(atLeast("v1.33.1", [1, 25]), true);
    assert.equal(atLeast("v1.24.9-eks", [1, 25]), false);
  });

  it("builds psql's arguments and reads its unaligned rows", () => {
    assert.deepEqual(psqlArgs({ user: "app", database: "db" }, "select 1"), [
      "-U",
      "app",
      "-d",
      "db",
      "-XAtq",
      "-c",
      "select 1",
    ]);
    assert.deepEqual(
      psqlArgs({ user: "app", database: "db" }, "select 1", {
        host: "127.0.0.1",
        port: 5432,
      }).slice(0, 4),
      ["-h", "127.0.0.1", "-p", "5432"],
    );
    assert.deepEqual(psqlRows("a|t|streaming|0.1\nb|f|none|0\n"), [
      ["a", "t", "streaming", "0.1"],
      ["b", "f", "none", "0"],
    ]);
  });

  it("builds the ssh command line to the Proxmox node, with the key and a tunnel", () => {
    const node = { host: "pve.example", port: 2222, user: "root" };
    assert.deepEqual(sshArgs(node, { keyFile: "/k/id" }), [
      "-i",
      "/k/id",
      "-o",
      "IdentitiesOnly=yes",
      "-p",
      "2222",
      "-o",
      "BatchMode=yes",
      "-o",
      "ConnectTimeout=10",
      "-o",
      "StrictHostKeyChecking=accept-new",
      "-o",
      "LogLevel=ERROR",
      "root@pve.example",
    ]);
    const tunnel = sshArgs(node, { forward: "127.0.0.1:40000:10.0.0.210:5432" });
    assert.deepEqual(tunnel.slice(-6), [
      "-N",
      "-o",
      "ExitOnForwardFailure=yes",
      "-L",
      "127.0.0.1:40000:10.0.0.210:5432",
      "root@pve.example",
    ]);
  });

  it("quotes pct exec's command for the node's shell, so a query arrives as one word", () => {
    assert.equal(pctExec(210, ["ls", "-1", "/var/lib/x"]), "pct exec 210 -- ls -1 /var/lib/x");
    const line = pctExec(210, ["psql", "-c", "select 'a' || current_user"]);
    assert.equal(line, "pct exec 210 -- psql -c 'select '\\''a'\\'' || current_user'");
    // The shell reads it back as the words given.
    const words = spawnSync(
      "sh",
      ["-c", `printf '%s\\n' ${line.slice("pct exec 210 -- ".length)}`],
      {
        encoding: "utf8",
      },
    ).stdout;
    assert.equal(words, "psql\n-c\nselect 'a' || current_user\n");
    assert.equal(shq("a b"), "'a b'");
  });

  it("reads the node's health lines: the CT running and its golive unit active", () => {
    const out = [
      "postgres 210 running postgresql@15-main.service active",
      "postgres-replica-1 213 stopped - -",
      "api 250 running golive-api.service failed",
      "redis 220 missing - -",
      "gateway 200 running - no-unit",
    ].join("\n");
    assert.deepEqual(
      healthStates(["postgres", "postgres-replica-1", "api", "redis", "gateway", "other"], out),
      [
        {
          workload: "postgres",
          instance: "CT 210",
          ok: true,
          state: "running, postgresql@15-main.service active",
        },
        { workload: "postgres-replica-1", instance: "CT 213", ok: false, state: "stopped" },
        {
          workload: "api",
          instance: "CT 250",
          ok: false,
          state: "running, golive-api.service failed",
        },
        { workload: "redis", ok: false, state: "no container 220" },
        { workload: "gateway", instance: "CT 200", ok: false, state: "running, no golive unit" },
        { workload: "other", ok: false, state: "no CT-ID in the stack's outputs" },
      ],
    );
    const script = healthScript({ postgres: 210 });
    assert.match(script, /pct status 210/);
    assert.match(script, /pct exec 210 -- sh -c '.*golive-\$w\.service.*' sh postgres/);
    // The script is valid shell.
    assert.equal(spawnSync("sh", ["-n", "-c", script]).status, 0);
  });

  it("reads Proxmox VE's version out of pveversion", () => {
    assert.equal(
      pveVersion("pve-manager/8.2.4/faa83925c9641325 (running kernel: 6.8.8-2-pve)"),
      "8.2.4",
    );
    assert.equal(pveVersion("bash: pveversion: command not found"), undefined);
  });
});
