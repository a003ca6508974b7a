/**
 * Settings the policy pack guards, written in the spec and realised on every runtime: a service's
 * securityContext (user, privileged mode) and Prometheus' alert rules (added, or a default
 * dropped). A spec can say the wrong thing on purpose, so the gates meet a user's real bad value;
 * a service without the setting keeps golive's defaults.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { byType, one, recordResources, reveal, settle, type Recorded } from "../mocks";
import { specFor } from "./fixtures";

const recorded: Recorded[] = recordResources();
pulumi.runtime.setAllConfig({ "golive:openaiKey": "sk-test" }, ["golive:openaiKey"]);

/** The fixtures' api and ocr, plus a service that asks for root and privileged mode. */
const extra = (runtime: string) => ({
  runtime,
  tier: "production",
  ...(runtime === "lxc" ? { lxc: { node: { host: "pve1" }, firstId: 300 } } : {}),
  monitoring: {
    receiver: { kind: "webhook", url: "https://alerts.example.com/hook" },
    disableDefaultRules: ["HighErrorRate"],
    alertRules: [
      {
        name: "QueueBacklog",
        expr: 'sum(rabbitmq_queue_messages{queue="jobs"}) > 1000',
        for: "10m",
        summary: "jobs: more than 1000 messages waiting",
      },
    ],
  },
  services: {
    api: {
      image: "acme/api:1.4.2",
      ports: [{ name: "http", port: 8080, public: true }],
      healthCheck: { path: "/health", port: 8080 },
      dependsOn: ["postgres"],
    },
    agent: {
      image: "acme/agent:1.0.0",
      worker: true,
      command: ["agent", "run"],
      healthCheck: { command: ["agent", "health"] },
      securityContext: { runAsUser: 0, privileged: true },
    },
  },
});

const names = (rules: string) => [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]);

describe("securityContext and alert rules from the spec", () => {
  before(async () => {
    const { Environment } = await import("../../../components/environment");
    for (const runtime of ["docker", "kubernetes", "lxc"]) {
      new Environment(`golive-${runtime}`, { spec: specFor(extra(runtime)) });
    }
    await settle();
  });

  it("Docker runs the service as the spec's user, privileged; others as before", () => {
    const agent = one(recorded, "docker:index/container:Container", "golive-docker-agent");
    assert.equal(agent.inputs.user, "0");
    assert.equal(agent.inputs.privileged, true);
    const api = one(recorded, "docker:index/container:Container", "golive-docker-api");
    assert.equal(api.inputs.user, "10001", "golive's default user, stated");
    assert.equal(api.inputs.privileged, undefined);
  });

  it("Kubernetes runs the pod as root without runAsNonRoot, the container privileged", () => {
    const agent = one(
      recorded,
      "kubernetes:apps/v1:Deployment",
      "golive-kubernetes-agent-deployment",
    );
    const pod = agent.inputs.spec.template.spec;
    assert.equal(pod.securityContext.runAsUser, 0);
    assert.equal(pod.securityContext.fsGroup, 0);
    assert.equal(pod.securityContext.runAsNonRoot, undefined);
    assert.deepEqual(pod.containers[0].securityContext, { privileged: true });
    const api = one(recorded, "kubernetes:apps/v1:Deployment", "golive-kubernetes-api-deployment");
    assert.deepEqual(api.inputs.spec.template.spec.securityContext, {
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    });
    assert.deepEqual(api.inputs.spec.template.spec.containers[0].securityContext, {
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ["ALL"] },
    });
  });

  it("LXC makes a privileged container, replaced when that changes, and a unit with User=0", () => {
    const ct = one(recorded, "command:remote:Command", "golive-lxc-agent-ct");
    assert.match(ct.inputs.create, /--unprivileged 0 /);
    assert.equal(ct.inputs.environment.GOLIVE_CT_UNPRIVILEGED, "0");
    assert.deepEqual(ct.inputs.triggers, ["privileged"]);
    const unit = String(
      one(recorded, "command:remote:Command", "golive-lxc-agent-service").inputs.environment
        .GOLIVE_UNIT,
    );
    assert.match(unit, /^User=0$/m);
    assert.doesNotMatch(unit, /DynamicUser/);
    const api = one(recorded, "command:remote:Command", "golive-lxc-api-ct");
    assert.match(api.inputs.create, /--unprivileged 1 /);
    assert.equal(api.inputs.environment.GOLIVE_CT_UNPRIVILEGED, "1");
    assert.equal(api.inputs.triggers, undefined);
  });

  it("Prometheus loads golive's rules less HighErrorRate, plus the team's rule, on every runtime", () => {
    const docker = one(recorded, "docker:index/container:Container", "golive-docker-prometheus");
    const uploads = reveal<{ file: string; content: string }[]>(docker.inputs.uploads);
    const dockerRules = uploads.find((u) => u.file.endsWith("/rules/golive.yml"))!.content;
    const configMaps = byType(recorded, "kubernetes:core/v1:ConfigMap").map((c) =>
      Object.values(c.inputs.data ?? {}).join("\n"),
    );
    const k8sRules = configMaps.find((d) => /groups:/.test(d))!;
    const lxcEnv = one(recorded, "command:remote:Command", "golive-lxc-prometheus-service").inputs
      .environment as Record<string, unknown>;
    const lxcRules = Object.values(lxcEnv)
      .map((v) => String(reveal(v)))
      .find((v) => /groups:/.test(v))!;
    for (const rules of [dockerRules, k8sRules, lxcRules]) {
      assert.deepEqual(names(rules), [
        "ServiceDown",
        "HighLatencyP95",
        "HighHandoffRate",
        "PostgresReplicaLag",
        "DiskSpaceLow",
        "QueueBacklog",
      ]);
      assert.match(rules, /expr: "sum\(rabbitmq_queue_messages\{queue=\\"jobs\\"\}\) > 1000"/);
    }
  });
});
