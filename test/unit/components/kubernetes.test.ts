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
    // The same services behind an Ingress (gateway.kubernetes.mode "ingress"), and a blue/green
    // service split 30/70 behind HAProxy on a NodePort, in a throw-away dev namespace.
    new Environment("golive-ingress", {
      spec: specFor({
        runtime: "kubernetes",
        tier: "staging",
        kubernetes: { namespace: "golive-ingress" },
        gateway: {
          domain: "erp.example.com",
          tls: { source: "secret", secretName: "erp-tls" },
          cors: { origins: ["https://erp.example.com"] },
          rateLimit: { requestsPerSecond: 20 },
          kubernetes: { mode: "ingress" },
        },
      }),
    });
    new Environment("golive-split", {
      spec: specFor({
        runtime: "kubernetes",
        tier: "dev",
        dataRetention: "delete",
        maintenance: { enabled: true, message: "Back at 06:00" },
        kubernetes: { namespace: "golive-split", storageClassName: "local-path" },
        gateway: {
          domain: "erp.example.com",
          proxy: "haproxy",
          tls: { source: "internal" },
          kubernetes: { nodePorts: { http: 30080, https: 30443 } },
        },
        services: {
          api: {
            image: "acme/api:1.4.2",
            ports: [{ name: "http", port: 8080, public: true }],
            resources: { limits: { cpu: "1", memory: "512Mi" } },
            healthCheck: { path: "/health", port: 8080 },
            blueGreen: {
              active: "green",
              blue: "1.4.2",
              green: "1.4.3",
              weights: { blue: 30, green: 70 },
            },
          },
        },
      }),
    });
    await settle();
  });

  it("makes a namespace under PodSecurity restricted: enforced, audited and warned", () => {
    const ns = one(recorded, "kubernetes:core/v1:Namespace", "golive-test-kubernetes-namespace");
    const labels = ns.inputs.metadata.labels;
    for (const mode of ["enforce", "audit", "warn"]) {
      assert.equal(labels[`pod-security.kubernetes.io/${mode}`], "restricted", mode);
      assert.equal(labels[`pod-security.kubernetes.io/${mode}-version`], "v1.33", mode);
    }
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
    assert.deepEqual(
      byType(recorded, "kubernetes:policy/v1:PodDisruptionBudget")
        .map((r) => r.name)
        .filter((n) => n.startsWith("golive-test-"))
        .sort(),
      ["golive-test-api-pdb", "golive-test-gateway-pdb"],
      "only the replicated app and the gateway (two replicas in staging)",
    );
  });

  it("drains a served pod before it stops: preStop sleep, grace period, no unavailable replica", () => {
    const d = one(recorded, "kubernetes:apps/v1:Deployment", "golive-test-api-deployment");
    const pod = d.inputs.spec.template.spec;
    assert.deepEqual(pod.containers[0].lifecycle, { preStop: { sleep: { seconds: 5 } } });
    assert.equal(pod.terminationGracePeriodSeconds, 30);
    assert.deepEqual(d.inputs.spec.strategy.rollingUpdate, { maxUnavailable: 0, maxSurge: 1 });
    // A release that never gets ready fails the up within Docker's bound per replica, not after
    // Kubernetes' and the provider's 600 s.
    assert.equal(d.inputs.spec.progressDeadlineSeconds, 180);
    assert.equal(
      d.inputs.metadata.annotations["pulumi.com/timeoutSeconds"],
      String(180 * d.inputs.spec.replicas),
    );
    const svc = one(recorded, "kubernetes:core/v1:Service", "golive-test-api-service");
    assert.equal(
      svc.inputs.metadata.annotations["pulumi.com/timeoutSeconds"],
      String(180 * d.inputs.spec.replicas),
    );
    // A worker serves nothing: it stops at once.
    const ocr = one(recorded, "kubernetes:apps/v1:Deployment", "golive-test-ocr-deployment");
    assert.equal(ocr.inputs.spec.template.spec.containers[0].lifecycle, undefined);
  });

  it("requests a GPU for the worker", () => {
    const d = one(recorded, "kubernetes:apps/v1:Deployment", "golive-test-ocr-deployment");
    assert.equal(d.inputs.spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"], "1");
  });

  it("runs the gateway as golive's own Caddy: a Deployment behind a LoadBalancer, TLS from the Secret", () => {
    const d = one(recorded, "kubernetes:apps/v1:Deployment", "golive-test-gateway-deployment");
    assert.equal(d.inputs.spec.replicas, 2);
    assert.deepEqual(d.inputs.spec.strategy.rollingUpdate, { maxUnavailable: 0, maxSurge: 1 });
    const pod = d.inputs.spec.template.spec;
    const c = pod.containers[0];
    assert.equal(c.image, "caddy:2.8");
    assert.deepEqual(c.readinessProbe.httpGet, { path: "/health/gateway", port: 8081 });
    assert.deepEqual(c.lifecycle, { preStop: { sleep: { seconds: 5 } } });
    assert.equal(pod.terminationGracePeriodSeconds, 30);
    assert.deepEqual(pod.securityContext.sysctls, [
      { name: "net.ipv4.ip_unprivileged_port_start", value: "0" },
    ]);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.deepEqual(c.securityContext.capabilities, { drop: ["ALL"] });
    // No claims: Caddy's state is per pod, the certificate comes from the TLS Secret.
    assert.deepEqual(
      pod.volumes.map((v: any) => [v.name, Object.keys(v).find((k) => k !== "name")]),
      [
        ["files", "configMap"],
        ["data", "emptyDir"],
        ["config", "emptyDir"],
        ["tls", "secret"],
      ],
    );
    assert.deepEqual(pod.volumes[3].secret.items, [
      { key: "tls.crt", path: "cert.pem" },
      { key: "tls.key", path: "key.pem" },
    ]);
    assert.match(
      d.inputs.spec.template.metadata.annotations["golive.dev/config-hash"],
      /^[0-9a-f]{16}$/,
    );
    const cm = one(recorded, "kubernetes:core/v1:ConfigMap", "golive-test-gateway-files");
    const caddyfile = cm.inputs.data.etc_caddy_Caddyfile;
    assert.match(caddyfile, /\tgrace_period 20s\n/);
    assert.match(caddyfile, /\ttls \/etc\/golive\/tls\/cert.pem \/etc\/golive\/tls\/key.pem\n/);
    assert.match(caddyfile, /reverse_proxy api:8080/);
    const svc = one(recorded, "kubernetes:core/v1:Service", "golive-test-gateway-service");
    assert.equal(svc.inputs.spec.type, "LoadBalancer", "staging's default");
    assert.deepEqual(
      svc.inputs.spec.ports.map((p: any) => [p.name, p.port, p.nodePort]),
      [
        ["http", 80, undefined],
        ["https", 443, undefined],
      ],
    );
    // The facts the policy pack reads, on the Deployment and its Service.
    for (const r of [d, svc]) {
      const facts = { ...r.inputs.metadata.labels, ...r.inputs.metadata.annotations };
      assert.equal(facts["app.kubernetes.io/component"], "gateway");
      assert.equal(facts["golive.dev/tls-source"], "secret");
      assert.equal(facts["golive.dev/gateway-domain"], "erp.example.com");
      assert.equal(facts["golive.dev/maintenance"], "false");
      assert.equal(facts["golive.dev/cors-origins"], "https://erp.example.com");
    }
    assert.equal(
      recorded.filter((r) => r.type.endsWith("Ingress") && r.name.startsWith("golive-test")).length,
      0,
      "no Ingress in proxy mode",
    );
  });

  it("with gateway.kubernetes.mode ingress, routes public services through an Ingress with TLS, CORS and rate limits", () => {
    const ing = one(recorded, "kubernetes:networking.k8s.io/v1:Ingress", "golive-ingress-gateway");
    assert.deepEqual(ing.inputs.spec.tls, [{ hosts: ["erp.example.com"], secretName: "erp-tls" }]);
    assert.equal(ing.inputs.spec.rules[0].http.paths[0].backend.service.name, "api");
    const a = ing.inputs.metadata.annotations;
    assert.equal(a["nginx.ingress.kubernetes.io/cors-allow-origin"], "https://erp.example.com");
    assert.equal(a["nginx.ingress.kubernetes.io/limit-rps"], "20");
    assert.equal(
      recorded.filter((r) => r.name === "golive-ingress-gateway-deployment").length,
      0,
      "no proxy Deployment in ingress mode",
    );
  });

  it("splits blue/green by the spec's weights in haproxy.cfg, rolled by the config hash, soft-stopped", () => {
    const cm = one(recorded, "kubernetes:core/v1:ConfigMap", "golive-split-gateway-files");
    const cfg: string = cm.inputs.data["usr_local_etc_haproxy_haproxy.cfg"];
    assert.match(cfg, /server api_blue_8080 api-blue:8080 check .* weight 30 init-addr libc\n/);
    assert.match(cfg, /server api_green_8080 api-green:8080 check .* weight 70 init-addr libc\n/);
    assert.doesNotMatch(cfg, /stats socket|server-state|resolvers/, "no runtime API on Kubernetes");
    assert.match(cfg, /\thard-stop-after 20s\n/);
    // Maintenance: HAProxy answers 503 itself, health stays routed; no page, no Ingress.
    assert.match(
      cfg,
      /http-request return status 503 .*"Back at 06:00" unless \{ path_beg \/health \}/,
    );
    assert.equal(recorded.filter((r) => r.name === "golive-split-maintenance").length, 0);
    assert.equal(
      recorded.filter(
        (r) => r.type === "command:local:Command" && r.name.startsWith("golive-split"),
      ).length,
      0,
      "no switch command: the weights are in the config",
    );
    const d = one(recorded, "kubernetes:apps/v1:Deployment", "golive-split-gateway-deployment");
    assert.equal(d.inputs.spec.replicas, 1, "dev's default");
    const pod = d.inputs.spec.template.spec;
    // The pause, then SIGTERM, which the shell around HAProxy turns into its soft stop (SIGUSR1):
    // no hook that outlives the container (the kubelet reports such a hook as failed).
    assert.deepEqual(pod.containers[0].lifecycle, { preStop: { sleep: { seconds: 5 } } });
    const run = pod.containers[0].args.join(" ");
    assert.match(run, /^sh -c mkdir -p \/etc\/golive\/tls && /);
    assert.match(
      run,
      /\|\| exit 1; haproxy -W -db -f \/usr\/local\/etc\/haproxy\/haproxy\.cfg & pid=\$!; trap 'kill -USR1 "\$pid"' TERM; /,
    );
    assert.equal(pod.terminationGracePeriodSeconds, 30);
    assert.deepEqual(
      pod.volumes.filter((v: any) => v.emptyDir).map((v: any) => v.name),
      ["tmp", "tls"],
      "a scratch folder for the self-signed certificate",
    );
    const svc = one(recorded, "kubernetes:core/v1:Service", "golive-split-gateway-service");
    assert.equal(svc.inputs.spec.type, "NodePort", "dev's default");
    assert.deepEqual(
      svc.inputs.spec.ports.map((p: any) => [p.port, p.nodePort]),
      [
        [80, 30080],
        [443, 30443],
      ],
    );
    // Both colours run, each labelled with its colour, each behind its own Service.
    for (const colour of ["blue", "green"]) {
      const cd = one(
        recorded,
        "kubernetes:apps/v1:Deployment",
        `golive-split-api-${colour}-deployment`,
      );
      assert.equal(cd.inputs.metadata.labels["golive.dev/color"], colour);
      assert.deepEqual(cd.inputs.spec.template.spec.containers[0].lifecycle, {
        preStop: { sleep: { seconds: 5 } },
      });
      one(recorded, "kubernetes:core/v1:Service", `golive-split-api-${colour}-service`);
    }
  });

  it("changes the config hash, and only it, when the weights change", async () => {
    const { gatewayConfigHash } = await import("../../../components/gateway");
    const { haproxyProxy } = await import("../../../components/gateway/haproxy");
    const { gatewaySpec } = await import("../../../components/config/spec");
    const g = gatewaySpec.parse({
      domain: "erp.example.com",
      proxy: "haproxy",
      tls: { source: "internal" },
    });
    const routes = (blue: number) => [
      {
        pathPrefix: "/",
        upstreams: [
          { address: "api-blue:8080", weight: blue, colour: "blue" as const },
          { address: "api-green:8080", weight: 100 - blue, colour: "green" as const },
        ],
      },
    ];
    const off = { enabled: false, message: "" };
    const hash = (blue: number) =>
      gatewayConfigHash(g, haproxyProxy(g, routes(blue), off, undefined, "kubernetes").files);
    assert.equal(hash(50), hash(50));
    assert.notEqual(hash(50), hash(100));
    // In a container the weights are not in the file: the switch sets them live.
    const container = (blue: number) =>
      gatewayConfigHash(g, haproxyProxy(g, routes(blue), off, undefined).files);
    assert.equal(container(50), container(100));
  });

  it("runs HAProxy on Kubernetes under the shell that makes SIGTERM its soft stop, for every TLS source; Docker keeps its command", async () => {
    const { haproxyProxy, haproxySoftStopOnTerm } =
      await import("../../../components/gateway/haproxy");
    const { gatewaySpec } = await import("../../../components/config/spec");
    const off = { enabled: false, message: "" };
    const g = (tls: unknown) =>
      gatewaySpec.parse({ domain: "erp.example.com", proxy: "haproxy", tls });
    const secret = g({ source: "secret", secretName: "erp-tls" });
    const onK8s = haproxyProxy(secret, [], off, undefined, "kubernetes");
    assert.deepEqual(onK8s.command, ["sh", "-c", haproxySoftStopOnTerm]);
    assert.deepEqual(onK8s.kubernetes?.preStop, { sleepSeconds: 5 });
    assert.equal(haproxyProxy(secret, [], off, undefined).command, undefined, "the image's own");
    const internal = haproxyProxy(g({ source: "internal" }), [], off, undefined).command;
    assert.match(
      internal![2],
      /&& exec haproxy -W -db -f \/usr\/local\/etc\/haproxy\/haproxy\.cfg$/,
    );
  });

  it("claims storage from the spec's StorageClass, else the cluster's default, claims kept on destroy unless dataRetention is delete", () => {
    const split = one(
      recorded,
      "kubernetes:apps/v1:StatefulSet",
      "golive-split-postgres-statefulset",
    );
    assert.equal(split.inputs.spec.volumeClaimTemplates[0].spec.storageClassName, "local-path");
    assert.equal(split.inputs.spec.persistentVolumeClaimRetentionPolicy.whenDeleted, "Delete");
    const test = one(
      recorded,
      "kubernetes:apps/v1:StatefulSet",
      "golive-test-postgres-statefulset",
    );
    assert.equal(test.inputs.spec.volumeClaimTemplates[0].spec.storageClassName, undefined);
    assert.equal(test.inputs.spec.persistentVolumeClaimRetentionPolicy.whenDeleted, "Retain");
    const backups = one(
      recorded,
      "kubernetes:core/v1:PersistentVolumeClaim",
      "golive-test-postgres-backup-backups",
    );
    assert.equal(backups.inputs.spec.storageClassName, undefined);
  });
});
