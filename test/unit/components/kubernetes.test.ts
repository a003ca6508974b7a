import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { byType, isSecret, one, recordResources, settle, type Recorded } from "../mocks";
import { specFor } from "./fixtures";

const recorded: Recorded[] = recordResources();
pulumi.runtime.setAllConfig({ "golive:openaiKey": "sk-test" }, ["golive:openaiKey"]);

describe("the Kubernetes runtime", () => {
  before(async () => {
    const { Environment } = await import("../../../components/environment");
    new Environment("golive-test", {
      spec: specFor({
        runtime: "kubernetes",
        tier: "staging",
        gateway: {
          domain: "erp.example.com",
          tls: { source: "secret", secretName: "erp-tls" },
          cors: { origins: ["https://erp.example.com"] },
          rateLimit: { requestsPerSecond: 20 },
        },
      }),
    });
    await settle();
  });

  it("makes a namespace with a same-namespace NetworkPolicy", () => {
    const ns = one(recorded, "kubernetes:core/v1:Namespace", "golive-test-kubernetes-namespace");
    assert.equal(ns.inputs.metadata.name, "golive-test");
    const np = one(
      recorded,
      "kubernetes:networking.k8s.io/v1:NetworkPolicy",
      "golive-test-kubernetes-same-namespace",
    );
    assert.deepEqual(np.inputs.spec.policyTypes, ["Ingress"]);
  });

  it("runs PostgreSQL as a StatefulSet with a volume claim template and a headless Service", () => {
    const sts = one(recorded, "kubernetes:apps/v1:StatefulSet", "golive-test-postgres-statefulset");
    assert.equal(sts.inputs.spec.volumeClaimTemplates[0].spec.resources.requests.storage, "10Gi");
    const c = sts.inputs.spec.template.spec.containers[0];
    assert.deepEqual(c.readinessProbe.exec.command, ["pg_isready", "-U", "app", "-d", "app"]);
    const svc = one(recorded, "kubernetes:core/v1:Service", "golive-test-postgres-service");
    assert.equal(svc.inputs.spec.clusterIP, "None");
  });

  it("runs the app as a Deployment: probes, requests and limits, secretKeyRef, non-root, spread", () => {
    const d = one(recorded, "kubernetes:apps/v1:Deployment", "golive-test-api-deployment");
    assert.equal(d.inputs.spec.replicas, 2);
    const pod = d.inputs.spec.template.spec;
    const c = pod.containers[0];
    assert.equal(c.image, "acme/api:1.4.2");
    assert.deepEqual(c.readinessProbe.httpGet, { path: "/health", port: 8080 });
    assert.deepEqual(c.livenessProbe.tcpSocket, { port: 8080 });
    assert.deepEqual(c.resources.requests, {
      cpu: "250m",
      memory: "256Mi",
      "ephemeral-storage": "128Mi",
    });
    assert.deepEqual(c.resources.limits, { cpu: "1", memory: "512Mi", "ephemeral-storage": "1Gi" });
    const secretEnv = c.env.find((e: { name: string }) => e.name === "SECRET_KEY");
    assert.deepEqual(secretEnv.valueFrom, { secretKeyRef: { name: "api-env", key: "SECRET_KEY" } });
    assert.equal(c.env.find((e: { name: string }) => e.name === "SECRET_KEY").value, undefined);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(c.securityContext.privileged, false);
    assert.equal(pod.topologySpreadConstraints[0].topologyKey, "kubernetes.io/hostname");
    assert.equal(d.inputs.spec.template.metadata.labels["app.kubernetes.io/part-of"], "golive");
  });

  it("keeps secret values in a Secret whose data is secret", () => {
    const s = one(recorded, "kubernetes:core/v1:Secret", "golive-test-api-env");
    assert.ok(isSecret(s.inputs.stringData) || isSecret(s.inputs.stringData.SECRET_KEY));
  });

  it("protects replicated workloads with a PodDisruptionBudget", () => {
    const pdb = one(recorded, "kubernetes:policy/v1:PodDisruptionBudget", "golive-test-api-pdb");
    assert.equal(pdb.inputs.spec.minAvailable, 1);
    assert.equal(
      byType(recorded, "kubernetes:policy/v1:PodDisruptionBudget").length,
      1,
      "only the replicated app",
    );
  });

  it("requests a GPU for the worker", () => {
    const d = one(recorded, "kubernetes:apps/v1:Deployment", "golive-test-ocr-deployment");
    assert.equal(d.inputs.spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"], "1");
  });

  it("routes public services through an Ingress with TLS, CORS and rate limits", () => {
    const ing = one(recorded, "kubernetes:networking.k8s.io/v1:Ingress", "golive-test-gateway");
    assert.deepEqual(ing.inputs.spec.tls, [{ hosts: ["erp.example.com"], secretName: "erp-tls" }]);
    assert.equal(ing.inputs.spec.rules[0].http.paths[0].backend.service.name, "api");
    const a = ing.inputs.metadata.annotations;
    assert.equal(a["nginx.ingress.kubernetes.io/cors-allow-origin"], "https://erp.example.com");
    assert.equal(a["nginx.ingress.kubernetes.io/limit-rps"], "20");
  });
});
