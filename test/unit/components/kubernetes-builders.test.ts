/**
 * The Kubernetes runtime's pure builders (pod.ts, manifests.ts, ingress.ts), without mocks: each
 * takes a WorkloadSpec (or an IngressSpec) and the runtime context and returns plain objects,
 * snapshotted as YAML. Secret values are Outputs and appear as `<Output>`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { gatewaySpec } from "../../../components/config/spec";
import {
  ingressAnnotations,
  ingressSpec,
  maintenancePage,
  tlsSecretData,
  tlsSecretName,
} from "../../../components/runtime/kubernetes/ingress";
import {
  claimRetentionPolicy,
  serviceSpec,
  workloadObjects,
} from "../../../components/runtime/kubernetes/manifests";
import {
  container,
  filesName,
  podSecurityContext,
  podSpec,
  resources,
} from "../../../components/runtime/kubernetes/pod";
import type { RuntimeContext } from "../../../components/runtime/labels";
import {
  workload,
  type IngressSpec,
  type WorkloadSpec,
} from "../../../components/runtime/workload";
import { withLength } from "../../../components/secrets/lengths";
import { matchSnapshot } from "../snapshot";

const ctx: RuntimeContext = {
  prefix: "golive-staging",
  partOf: "golive",
  tier: "staging",
  labels: { team: "erp" },
  waivers: {
    ocr: { "workload-enforce-replicas-pdb": { reason: "one GPU node", until: "2027-01-31" } },
  },
};

/** Plain data for a snapshot: Outputs (secret values) as `<Output>`, undefined fields left out. */
function plain(v: unknown): unknown {
  if (pulumi.Output.isInstance(v)) return "<Output>";
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => [k, plain(x)]),
    );
  }
  return v;
}

const toYaml = (v: unknown) => yaml.dump(plain(v), { lineWidth: 100, noRefs: true });

const base = {
  env: {},
  secretEnv: {},
  ports: [],
  volumes: [],
  files: [],
  resources: { limits: { cpu: "500m", memory: "256Mi" } },
  replicas: 1,
  startOrder: 50,
  stateful: false,
  labels: {},
} satisfies Partial<WorkloadSpec>;

const secretKey = withLength(pulumi.secret("s".repeat(48)), 48);

/** A typical app service: replicated, routed, health-checked, plain and secret env. */
const app: WorkloadSpec = {
  ...base,
  name: "api",
  component: "app",
  image: "registry.example.com/acme/api:1.4.2",
  command: ["/opt/api", "--port", "8080"],
  env: { LOG_LEVEL: "INFO", DATABASE_HOST: "postgres" },
  secretEnv: { SECRET_KEY: secretKey },
  ports: [{ name: "http", port: 8080, public: true }],
  healthCheck: {
    path: "/health",
    intervalSeconds: 10,
    timeoutSeconds: 3,
    retries: 3,
    startPeriodSeconds: 15,
  },
  resources: {
    requests: { cpu: "250m", memory: "256Mi" },
    limits: { cpu: "1", memory: "512Mi" },
  },
  replicas: 2,
};

/** A stateful data service: a StatefulSet with a kept volume, a config file, its own user. */
const postgres: WorkloadSpec = {
  ...base,
  name: "postgres",
  component: "database",
  image: "postgres:16.4",
  command: ["postgres", "-c", "config_file=/etc/postgresql/postgresql.conf"],
  ports: [{ name: "postgres", port: 5432, public: false }],
  volumes: [
    { name: "data", mountPath: "/var/lib/postgresql/data", sizeGb: 10, retain: true },
    { name: "wal-archive", mountPath: "/var/lib/postgresql/wal", sizeGb: 5, retain: false },
  ],
  files: [
    { path: "/etc/postgresql/postgresql.conf", content: "wal_level = replica\n", secret: false },
  ],
  healthCheck: {
    command: ["pg_isready", "-U", "app"],
    intervalSeconds: 5,
    timeoutSeconds: 3,
    retries: 5,
    startPeriodSeconds: 30,
  },
  startOrder: 10,
  stateful: true,
  kubernetes: { runAsUser: 999 },
};

/** A job: the migration, run once to completion in the app's image. */
const migration: WorkloadSpec = {
  ...base,
  name: "api-migration",
  component: "migration",
  image: "registry.example.com/acme/api:1.4.2",
  command: ["alembic", "upgrade", "head"],
  secretEnv: { SECRET_KEY: secretKey },
  startOrder: 40,
  job: {},
};

/** A GPU worker: no ports, a health command, an nvidia.com/gpu limit, a waiver. */
const ocr: WorkloadSpec = {
  ...base,
  name: "ocr",
  component: "worker",
  image: "acme/ocr-worker:2.0.1",
  entrypoint: ["python", "-m"],
  command: ["ocr.worker"],
  healthCheck: {
    command: ["python", "-m", "ocr.health"],
    intervalSeconds: 30,
    timeoutSeconds: 5,
    retries: 3,
    startPeriodSeconds: 60,
  },
  resources: { limits: { cpu: "4", memory: "8Gi" } },
  gpu: { count: 1, memoryLimitGb: 20 },
};

/** The spec's securityContext: root and privileged, as a user may write it (the pack judges). */
const privileged: WorkloadSpec = {
  ...app,
  name: "legacy",
  replicas: 1,
  secretEnv: {},
  kubernetes: { runAsUser: 4242 },
  securityContext: { runAsUser: 0, privileged: true },
};

/** Secret env and secret files (Redis's requirepass), and a Deployment with its own claim. */
const redis: WorkloadSpec = {
  ...base,
  name: "redis",
  component: "cache",
  image: "redis:7.2.5",
  command: ["redis-server", "/usr/local/etc/redis/redis.conf"],
  secretEnv: { REDIS_PASSWORD: secretKey },
  ports: [{ name: "redis-with-a-long-port-name", port: 6379, public: false }],
  volumes: [{ name: "data", mountPath: "/data", sizeGb: 2, retain: true }],
  files: [
    { path: "/usr/local/etc/redis/redis.conf", content: "appendonly yes\n", secret: false },
    {
      path: "/usr/local/etc/redis/secret.conf",
      content: pulumi.interpolate`requirepass ${secretKey}\n`,
      secret: true,
    },
  ],
  securityContext: { runAsUser: 999, privileged: false },
};

const podOf = (o: ReturnType<typeof workloadObjects>) => {
  const c = o.controller;
  return (c.spec.template as { spec: ReturnType<typeof podSpec> }).spec;
};

describe("Kubernetes builders (pure, no mocks)", () => {
  it("an app service is a Deployment with a Service, probes, requests, limits, spread and a PDB", () => {
    const o = workloadObjects(app, ctx);
    matchSnapshot("kubernetes-app.yaml", toYaml(o));
    assert.equal(o.controller.kind, "Deployment");
    const c = container(app);
    assert.deepEqual(c.readinessProbe, {
      httpGet: { path: "/health", port: 8080 },
      periodSeconds: 10,
      timeoutSeconds: 3,
      failureThreshold: 3,
    });
    // Liveness asks only whether the process listens: a failing /health (its database down)
    // takes the pod out of the Service without restarting it.
    assert.deepEqual(c.livenessProbe, {
      tcpSocket: { port: 8080 },
      periodSeconds: 10,
      timeoutSeconds: 3,
      failureThreshold: 3,
      initialDelaySeconds: 15,
    });
    assert.deepEqual(c.resources, {
      requests: { cpu: "250m", memory: "256Mi", "ephemeral-storage": "128Mi" },
      limits: { cpu: "1", memory: "512Mi", "ephemeral-storage": "1Gi" },
    });
    const pod = podSpec(app, ctx);
    assert.deepEqual(pod.topologySpreadConstraints, [
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: {
          matchLabels: {
            "app.kubernetes.io/name": "api",
            "app.kubernetes.io/instance": "golive-staging-api",
          },
        },
      },
    ]);
    assert.deepEqual(pod.securityContext, {
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    });
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.restartPolicy, undefined, "a Deployment's pods restart");
    assert.ok(o.controller.kind === "Deployment" && o.controller.podDisruptionBudget);
    assert.equal(o.controller.podDisruptionBudget.minAvailable, 1);
    assert.equal(o.annotations["golive.dev/secret-lengths"], "SECRET_KEY=48");
  });

  it("a stateful data service is a StatefulSet with a headless Service and a claim per volume", () => {
    const o = workloadObjects(postgres, ctx);
    matchSnapshot("kubernetes-stateful.yaml", toYaml(o));
    assert.ok(o.controller.kind === "StatefulSet");
    assert.equal(o.controller.service.clusterIP, "None");
    assert.equal(o.controller.podDisruptionBudget, undefined, "one replica: no PDB");
    assert.deepEqual(
      (o.controller.spec.volumeClaimTemplates as any[]).map((t) => [
        t.metadata.name,
        t.spec.resources.requests.storage,
      ]),
      [
        ["data", "10Gi"],
        ["wal-archive", "5Gi"],
      ],
    );
    assert.deepEqual(o.controller.spec.persistentVolumeClaimRetentionPolicy, {
      whenDeleted: "Retain",
      whenScaled: "Retain",
    });
    assert.equal(
      claimRetentionPolicy(postgres, { ...ctx, retainData: false }).whenDeleted,
      "Delete",
      "dataRetention delete lets the claims go",
    );
    assert.equal(
      claimRetentionPolicy({ ...postgres, volumes: [postgres.volumes[1]] }, ctx).whenDeleted,
      "Delete",
      "scratch volumes only: nothing to keep",
    );
    // The claim templates provide the volumes; the pod itself has only the files' ConfigMap.
    assert.deepEqual(podSpec(postgres, ctx).volumes, [
      { name: "files", configMap: { name: filesName(postgres) } },
    ]);
    assert.match(filesName(postgres), /^postgres-files-[0-9a-f]{10}$/);
    assert.equal(podSecurityContext(postgres).runAsUser, 999, "the workload's runAsUser");
    assert.equal(podSecurityContext(postgres).runAsGroup, 999, "a UID golive picks, its group");
    // An image's own user keeps the group the image's /etc/passwd gives it (Grafana's is 472:0).
    const grafana = { ...postgres, kubernetes: undefined, imageUser: 472 };
    assert.equal(podSecurityContext(grafana).runAsUser, 472);
    assert.equal(podSecurityContext(grafana).runAsGroup, undefined);
    assert.deepEqual(o.files?.data, {
      "etc_postgresql_postgresql.conf": "wal_level = replica\n",
    });
  });

  it("a workload without ports gets a headless Service, which the API server accepts", () => {
    assert.equal(
      serviceSpec(app, ctx).clusterIP,
      undefined,
      "a Deployment with ports: a cluster IP",
    );
    const loop = { ...app, name: "postgres-backup", ports: [] };
    const o = workloadObjects(loop, ctx);
    assert.ok(o.controller.kind === "Deployment");
    assert.equal(o.controller.service.clusterIP, "None");
    assert.deepEqual(o.controller.service.ports, []);
  });

  it("a command health check is readiness; liveness its port, or the command without ports", () => {
    const c = container(postgres);
    const timing = { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 5 };
    assert.deepEqual(c.readinessProbe, {
      exec: { command: ["pg_isready", "-U", "app"] },
      ...timing,
    });
    // Not pg_isready: a server replaying its WAL after a crash refuses connections but listens.
    assert.deepEqual(c.livenessProbe, {
      tcpSocket: { port: 5432 },
      ...timing,
      initialDelaySeconds: 30,
    });
    const loop = container({ ...postgres, ports: [] });
    const check = { exec: { command: ["pg_isready", "-U", "app"] }, ...timing };
    assert.deepEqual(loop.readinessProbe, check);
    assert.deepEqual(loop.livenessProbe, { ...check, initialDelaySeconds: 30 });
  });

  it("a job is a Job that runs once, never restarted, without a Service", () => {
    const o = workloadObjects(migration, ctx);
    matchSnapshot("kubernetes-job.yaml", toYaml(o));
    assert.ok(o.controller.kind === "Job");
    assert.equal(o.controller.spec.backoffLimit, 0);
    assert.equal(podSpec(migration, ctx).restartPolicy, "Never");
    assert.equal("service" in o.controller, false);
    assert.deepEqual(container(migration).args, ["alembic", "upgrade", "head"]);
    assert.equal(container(migration).command, undefined, "the image's entrypoint runs");
  });

  it("a job with a volume claims it and mounts the claim (the pre-migration dump's)", () => {
    const dump = {
      ...migration,
      name: "api-pre-migration-backup",
      volumes: [{ name: "dumps", mountPath: "/dumps", sizeGb: 5, retain: true }],
    };
    const o = workloadObjects(dump, ctx);
    assert.ok(o.controller.kind === "Job");
    assert.deepEqual(
      o.controller.claims.map((c) => [c.key, c.name, c.retainOnDelete]),
      [["dumps", "api-pre-migration-backup-dumps", true]],
    );
    assert.deepEqual(podSpec(dump, ctx).volumes, [
      { name: "dumps", persistentVolumeClaim: { claimName: "api-pre-migration-backup-dumps" } },
    ]);
    assert.deepEqual(container(dump).volumeMounts, [{ name: "dumps", mountPath: "/dumps" }]);
  });

  it("a GPU worker asks for nvidia.com/gpu in its limits and states its GPU memory", () => {
    const o = workloadObjects(ocr, ctx);
    matchSnapshot("kubernetes-gpu.yaml", toYaml(o));
    const c = container(ocr);
    assert.deepEqual(c.resources, resources(ocr));
    assert.deepEqual(resources(ocr), {
      requests: { cpu: "4", memory: "8Gi", "ephemeral-storage": "128Mi" },
      limits: { cpu: "4", memory: "8Gi", "ephemeral-storage": "1Gi", "nvidia.com/gpu": "1" },
    });
    assert.deepEqual(c.command, ["python", "-m"]);
    assert.deepEqual(c.args, ["ocr.worker"]);
    assert.deepEqual(c.ports, []);
    assert.equal(o.labels["golive.dev/gpu-memory-limit-gb"], "20");
    // A waiver's value is no label value: it travels as an annotation.
    assert.equal(
      o.annotations["golive.dev/waive.workload-enforce-replicas-pdb"],
      "until=2027-01-31; reason=one GPU node",
    );
    assert.equal(o.labels["golive.dev/waive.workload-enforce-replicas-pdb"], undefined);
  });

  it("the spec's securityContext wins: UID 0 without runAsNonRoot, privileged alone", () => {
    const o = workloadObjects(privileged, ctx);
    matchSnapshot("kubernetes-security-context.yaml", toYaml(o));
    assert.deepEqual(podSpec(privileged, ctx).securityContext, {
      runAsUser: 0,
      fsGroup: 0,
      seccompProfile: { type: "RuntimeDefault" },
    });
    // Kubernetes refuses privileged with allowPrivilegeEscalation false.
    assert.deepEqual(container(privileged).securityContext, { privileged: true });
    const unprivileged = container({ ...privileged, securityContext: undefined });
    assert.deepEqual(unprivileged.securityContext, {
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ["ALL"] },
    });
    assert.equal(
      podSecurityContext({ ...privileged, securityContext: undefined }).runAsUser,
      4242,
      "without a securityContext, the workload's runAsUser",
    );
  });

  it("an image that writes only to its volumes runs with a read-only root filesystem", () => {
    assert.deepEqual(
      container(app).securityContext,
      { allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"] } },
      "by default, a writable root filesystem",
    );
    const exporter = { ...app, kubernetes: { readOnlyRootFilesystem: true } };
    assert.deepEqual(container(exporter).securityContext, {
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
    });
    // A privileged container gets only that, as above.
    const both = { ...privileged, kubernetes: { readOnlyRootFilesystem: true } };
    assert.deepEqual(container(both).securityContext, { privileged: true });
  });

  it("secret env and secret files reach the pod only by reference, their values as given", () => {
    const o = workloadObjects(redis, ctx);
    matchSnapshot("kubernetes-secrets.yaml", toYaml(o));
    const c = container(redis);
    assert.deepEqual(c.env, [
      {
        name: "REDIS_PASSWORD",
        valueFrom: { secretKeyRef: { name: "redis-env", key: "REDIS_PASSWORD" } },
      },
    ]);
    // The Secrets hold the spec's Outputs themselves: never copied into a plain value.
    assert.equal(o.envSecret?.name, "redis-env");
    assert.equal(o.envSecret?.data.REDIS_PASSWORD, secretKey);
    assert.equal(o.secretFiles?.name, "redis-secret-files");
    assert.equal(o.secretFiles?.data["usr_local_etc_redis_secret.conf"], redis.files[1].content);
    assert.deepEqual(Object.keys(o.files?.data ?? {}), ["usr_local_etc_redis_redis.conf"]);
    assert.equal(o.files?.name, filesName(redis));
    assert.deepEqual(c.volumeMounts, [
      { name: "data", mountPath: "/data" },
      {
        name: "files",
        mountPath: "/usr/local/etc/redis/redis.conf",
        subPath: "usr_local_etc_redis_redis.conf",
      },
      {
        name: "secret-files",
        mountPath: "/usr/local/etc/redis/secret.conf",
        subPath: "usr_local_etc_redis_secret.conf",
        readOnly: true,
      },
    ]);
    // A Deployment mounts its own claim; the secret files are readable by the pod's user only.
    assert.deepEqual(podOf(o).volumes, [
      { name: "files", configMap: { name: o.files?.name } },
      { name: "secret-files", secret: { secretName: "redis-secret-files", defaultMode: 0o400 } },
      { name: "data", persistentVolumeClaim: { claimName: "redis-data" } },
    ]);
    assert.ok(o.controller.kind === "Deployment");
    assert.deepEqual(
      o.controller.claims.map((cl) => [cl.key, cl.name, cl.retainOnDelete]),
      [["data", "redis-data", true]],
    );
    assert.deepEqual(c.ports, [{ name: "redis-with-a-lo", containerPort: 6379 }]);
    assert.equal(workloadObjects(app, ctx).secretFiles, undefined, "no secret files: no Secret");
  });
});

const ingress = (over: Partial<IngressSpec> = {}): IngressSpec => ({
  gateway: gatewaySpec.parse({
    domain: "erp.example.com",
    tls: { source: "acme", email: "ops@example.com" },
    cors: { origins: ["https://erp.example.com"] },
    rateLimit: { requestsPerSecond: 20 },
    compression: { gzip: true, brotli: true },
    healthPath: "/health",
  }),
  routes: [
    { pathPrefix: "/", service: "web", port: 3000 },
    { pathPrefix: "/api", service: "api", port: 8080 },
  ],
  maintenance: { enabled: false, message: "Planned maintenance" },
  ...over,
});

describe("Kubernetes ingress builders (pure, no mocks)", () => {
  it("the Ingress carries TLS, CORS, rate limit and compression as annotations", () => {
    const spec = ingress({ notAfter: "2027-01-01T00:00:00.000Z" });
    matchSnapshot(
      "kubernetes-ingress.yaml",
      toYaml({ annotations: ingressAnnotations(spec), spec: ingressSpec(spec) }),
    );
    assert.equal(ingressAnnotations(spec)["cert-manager.io/cluster-issuer"], "letsencrypt");
    assert.equal(ingressAnnotations(spec)["golive.dev/compression"], "br,gzip");
    assert.equal(tlsSecretName(spec), "gateway-tls");
    assert.equal(tlsSecretData(spec), undefined, "cert-manager writes the Secret");
    const own = ingress({
      gateway: { ...spec.gateway, tls: { source: "secret", secretName: "erp-tls" } },
    });
    assert.equal(tlsSecretName(own), "erp-tls");
    assert.equal(tlsSecretData(own), undefined);
    // A certificate from the spec: golive's own TLS Secret, the key as the Output it was given.
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const file = ingress({
      gateway: { ...spec.gateway, tls: { source: "file", certificate: pem, keyConfig: "tlsKey" } },
      tlsKey: secretKey,
    });
    assert.equal(tlsSecretName(file), "gateway-tls");
    assert.deepEqual(tlsSecretData(file), { "tls.crt": pem, "tls.key": secretKey });
    assert.equal(ingressAnnotations(file)["cert-manager.io/cluster-issuer"], undefined);
  });

  it("maintenance mode routes the health path to the app and everything else to a 503 page", () => {
    const spec = ingress({
      maintenance: { enabled: true, message: 'Back at "06:00"' },
      imageRegistry: "mirror.example.com/",
    });
    matchSnapshot(
      "kubernetes-maintenance.yaml",
      toYaml({
        annotations: ingressAnnotations(spec),
        spec: ingressSpec(spec),
        page: workloadObjects(maintenancePage(spec), ctx),
      }),
    );
    const paths = (ingressSpec(spec).rules as any[])[0].http.paths.map(
      (p: any) => `${p.path} -> ${p.backend.service.name}:${p.backend.service.port.number}`,
    );
    assert.deepEqual(paths, [
      "/health -> web:3000",
      "/ -> maintenance:8080",
      "/api -> maintenance:8080",
    ]);
    assert.equal(ingressAnnotations(spec)["nginx.ingress.kubernetes.io/custom-http-errors"], "503");
    assert.equal(
      maintenancePage(spec).image,
      "mirror.example.com/nginxinc/nginx-unprivileged:1.27",
    );
    assert.equal(
      maintenancePage({ ...spec, imageRegistry: undefined }).image,
      "nginxinc/nginx-unprivileged:1.27",
    );
    assert.match(
      maintenancePage(spec).files[0].content as string,
      /return 503 "Back at \\"06:00\\"";/,
    );
  });

  it("names the files' ConfigMap by their content, so a changed file rolls the pods", () => {
    const base = workload({
      name: "gateway",
      component: "gateway",
      image: "haproxy:2.6",
      resources: { limits: { cpu: "1", memory: "256Mi" } },
      startOrder: 90,
      files: [
        { path: "/usr/local/etc/haproxy/haproxy.cfg", content: "weight 100\n", secret: false },
      ],
    });
    const changed = {
      ...base,
      files: [{ ...base.files[0], content: "weight 50\n" }],
    };
    assert.equal(filesName(base), filesName({ ...base }), "the same files, the same name");
    assert.notEqual(filesName(base), filesName(changed), "another content, another name");
    assert.notEqual(
      JSON.stringify(podSpec(base, ctx).volumes),
      JSON.stringify(podSpec(changed, ctx).volumes),
      "the pod template changes with it: a rollout",
    );
    const secretOnly = { ...base, files: [{ ...base.files[0], secret: true }] };
    assert.equal(
      filesName(secretOnly),
      filesName({ ...secretOnly, files: [{ ...secretOnly.files[0], content: "other" }] }),
      "secret files are not part of the plain files' name",
    );
  });
});
