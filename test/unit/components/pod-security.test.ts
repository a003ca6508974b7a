/**
 * PodSecurity `restricted` on every pod golive renders: the staging stack, VALERO's staging and
 * production configs, the offline configs of the live cluster test and a maintenance page behind
 * an Ingress, each built under mocks and every pod template (Deployments, StatefulSets, Jobs)
 * judged by the checker of the profile's documented rules (test/unit/pod-security.ts). The
 * checker itself must refuse each rule's violation, and golive's pods for a spec that asks for
 * privileged mode or root: the pack refuses those at preview, admission at `up`.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import * as YAML from "yaml";
import * as pulumi from "@pulumi/pulumi";
import { parseSpec } from "../../../components/config/load";
import { cpuCores } from "../../../components/runtime/labels";
import { recordResources, settle, type Recorded } from "../mocks";
import { podTemplates, restrictedViolations } from "../pod-security";
import { specFor } from "./fixtures";

const recorded: Recorded[] = recordResources();
pulumi.runtime.setAllConfig({ "golive:openaiKey": "sk-test" }, ["golive:openaiKey"]);

const repo = path.resolve(__dirname, "..", "..", "..");

/** The stacks judged, by the prefix of their resources' names. */
const stacks: Record<string, string> = {
  "golive-staging": "Pulumi.staging.yaml",
  "valero-staging": "systems/valero-neuroerp.staging.yaml",
  "valero-production": "systems/valero-neuroerp.production.yaml",
  "offline-staging": "test/scenarios/k8s-staging-offline.yaml",
  "offline-valero-staging": "test/scenarios/k8s-valero-staging-offline.yaml",
  "offline-valero-production": "test/scenarios/k8s-valero-production-offline.yaml",
  "offline-bluegreen": "test/scenarios/k8s-bluegreen-offline.yaml",
};

function stackSpec(file: string) {
  const doc = YAML.parse(fs.readFileSync(path.join(repo, file), "utf8"));
  const parsed = parseSpec(doc.config["golive:environment"]);
  if (!parsed.ok) throw new Error(`${file}: ${JSON.stringify(parsed.problems)}`);
  return parsed.spec;
}

const kindOf = (type: string) => /^kubernetes:[\w.]+\/v1:(\w+)$/.exec(type)?.[1] ?? "";

/** Every pod template a stack's resources carry. */
function pods(prefix: string) {
  return recorded
    .filter((r) => r.name.startsWith(`${prefix}-`))
    .flatMap((r) => {
      const t = podTemplates(kindOf(r.type), r.inputs);
      return t
        ? [{ name: r.name, kind: kindOf(r.type), replicas: r.inputs.spec?.replicas, ...t }]
        : [];
    });
}

describe("PodSecurity restricted: every pod golive renders is admitted", () => {
  before(async () => {
    const { Environment } = await import("../../../components/environment");
    for (const [prefix, file] of Object.entries(stacks)) {
      new Environment(prefix, { spec: stackSpec(file), root: repo });
    }
    // The maintenance page behind an Ingress, and a spec asking for privileged mode and root.
    new Environment("maintenance", {
      spec: specFor({
        runtime: "kubernetes",
        tier: "staging",
        maintenance: { enabled: true },
        gateway: {
          domain: "erp.example.com",
          tls: { source: "secret", secretName: "erp-tls" },
          kubernetes: { mode: "ingress" },
        },
      }),
    });
    new Environment("rooted", {
      spec: specFor({
        runtime: "kubernetes",
        tier: "staging",
        services: {
          api: {
            image: "acme/api:1.4.2",
            replicas: 2,
            resources: { limits: { cpu: "1", memory: "512Mi" } },
            securityContext: { runAsUser: 0, privileged: true },
          },
        },
      }),
    });
    await settle();
  });

  for (const [prefix, file] of Object.entries(stacks)) {
    it(`${file}: every pod template passes the restricted profile`, () => {
      const found = pods(prefix);
      assert.ok(found.length >= 5, `${prefix}: ${found.length} pod templates`);
      const kinds = new Set(found.map((p) => p.kind));
      assert.ok(kinds.has("Deployment") && kinds.has("StatefulSet"), [...kinds].join(", "));
      const gateway = found.find((p) => p.name === `${prefix}-gateway-deployment`);
      assert.ok(gateway, `${prefix}: the gateway is a Deployment`);
      const problems = found.flatMap((p) =>
        restrictedViolations(p.pod, p.annotations).map((v) => `${p.name}: ${v}`),
      );
      assert.deepEqual(problems, []);
    });
  }

  it("covers migrations' Jobs, node-exporter, exporters, backups and the maintenance page", () => {
    const names = Object.keys(stacks).flatMap((prefix) => pods(prefix).map((p) => p.name));
    for (const expected of [
      "valero-production-fibu-service-migration-job",
      "valero-production-postgres-backup-deployment",
      "offline-staging-node-exporter-deployment",
      "offline-valero-staging-postgres-exporter-deployment",
    ]) {
      assert.ok(names.includes(expected), `${expected} among ${names.length} pod templates`);
    }
    const page = pods("maintenance").find((p) => p.name === "maintenance-maintenance-deployment");
    assert.ok(page);
    assert.deepEqual(restrictedViolations(page.pod), []);
  });

  it("a spec asking for privileged mode and root renders a pod the profile refuses", () => {
    const api = pods("rooted").find((p) => p.name === "rooted-api-deployment");
    assert.ok(api);
    const v = restrictedViolations(api.pod);
    assert.ok(v.includes("Privileged containers: container api"), v.join("\n"));
    assert.ok(v.includes("Running as Non-root user: pod"), v.join("\n"));
    assert.ok(v.includes("Privilege escalation: container api"), v.join("\n"));
  });

  it("the offline configs request what a 2-core node schedules beside its own pods", (t) => {
    for (const prefix of Object.keys(stacks).filter((p) => p.startsWith("offline-"))) {
      const cores = pods(prefix)
        .filter((p) => p.kind !== "Job")
        .reduce(
          (sum, p) =>
            sum +
            (p.replicas ?? 1) *
              p.pod.containers.reduce(
                (s: number, c: any) => s + cpuCores(c.resources?.requests?.cpu ?? "0"),
                0,
              ),
          0,
        );
      // kube-proxy, CoreDNS and local-path-provisioner need a little; a migration Job runs alone.
      t.diagnostic(`${prefix}: ${cores.toFixed(2)} cores requested by its long-running pods`);
      assert.ok(cores <= 1.6, `${prefix} requests ${cores.toFixed(2)} cores`);
    }
  });
});

describe("the restricted checker refuses each rule's violation", () => {
  const compliant = () => ({
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    },
    volumes: [{ name: "data", persistentVolumeClaim: { claimName: "d" } }],
    containers: [
      {
        name: "app",
        ports: [{ containerPort: 8080 }],
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
      },
    ],
  });
  const cases: [string, (p: any) => void, RegExp][] = [
    ["hostNetwork", (p) => (p.hostNetwork = true), /Host namespaces: hostNetwork/],
    ["hostPID", (p) => (p.hostPID = true), /Host namespaces: hostPID/],
    [
      "a hostPath volume",
      (p) => p.volumes.push({ name: "h", hostPath: { path: "/" } }),
      /HostPath volumes: h/,
    ],
    ["a hostPort", (p) => (p.containers[0].ports[0].hostPort = 80), /Host ports/],
    [
      "privileged",
      (p) => (p.containers[0].securityContext.privileged = true),
      /Privileged containers/,
    ],
    [
      "no allowPrivilegeEscalation: false",
      (p) => delete p.containers[0].securityContext.allowPrivilegeEscalation,
      /Privilege escalation/,
    ],
    [
      "capabilities not dropped",
      (p) => (p.containers[0].securityContext.capabilities = {}),
      /^Capabilities: /,
    ],
    [
      "NET_ADMIN added",
      (p) => (p.containers[0].securityContext.capabilities.add = ["NET_ADMIN"]),
      /Capabilities \(baseline\)/,
    ],
    [
      "no runAsNonRoot",
      (p) => delete p.securityContext.runAsNonRoot,
      /Running as Non-root: container app/,
    ],
    [
      "UID 0 in a container",
      (p) => (p.containers[0].securityContext.runAsUser = 0),
      /Running as Non-root user: container app/,
    ],
    [
      "seccomp Unconfined",
      (p) => (p.securityContext.seccompProfile = { type: "Unconfined" }),
      /Seccomp \(baseline\): pod/,
    ],
    [
      "no seccomp profile",
      (p) => delete p.securityContext.seccompProfile,
      /^Seccomp: container app/,
    ],
    [
      "an unsafe sysctl",
      (p) => (p.securityContext.sysctls = [{ name: "kernel.msgmax", value: "1" }]),
      /Sysctls: kernel.msgmax/,
    ],
    [
      "an init container breaking a rule",
      (p) => (p.initContainers = [{ name: "init", securityContext: {} }]),
      /Privilege escalation: container init/,
    ],
    [
      "a non-default /proc mount",
      (p) => (p.containers[0].securityContext.procMount = "Unmasked"),
      /\/proc Mount Type/,
    ],
  ];
  it("accepts the compliant baseline pod, and the safe sysctl golive's gateway sets", () => {
    assert.deepEqual(restrictedViolations(compliant()), []);
    const p: any = compliant();
    p.securityContext.sysctls = [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }];
    p.volumes.push({ name: "tmp", emptyDir: {} }, { name: "s", secret: { secretName: "x" } });
    assert.deepEqual(restrictedViolations(p), []);
  });
  for (const [what, mutate, expected] of cases) {
    it(`refuses ${what}`, () => {
      const p: any = compliant();
      mutate(p);
      const v = restrictedViolations(p);
      assert.ok(
        v.some((m) => expected.test(m)),
        v.join("\n") || "(nothing refused)",
      );
    });
  }
});
