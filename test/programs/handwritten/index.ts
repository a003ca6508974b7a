/**
 * Resources written by hand, as a user of upstream Pulumi providers writes them: no golive
 * component, no golive label. Each one breaks one checklist item (its name says which) or, named
 * `ok-…`, breaks none of the items its neighbours test. test/engine/gate-matrix.test.ts previews
 * this program through the policy pack and expects each gate to name exactly the resources it
 * should.
 */
import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

const sound = {
  healthcheck: { tests: ["CMD", "true"] },
  memory: 256,
  cpus: "0.5",
  user: "10001",
};
const c = (name: string, args: Partial<docker.ContainerArgs>) =>
  new docker.Container(name, { name, image: "acme/api:1.4.2", ...sound, ...args });

// Docker
c("redis-no-aof", { image: "redis:7.2", user: "999" });
c("redis-floating-tag", {
  image: "redis:alpine",
  user: "999",
  command: [
    "redis-server",
    "--appendonly",
    "yes",
    "--maxmemory",
    "100mb",
    "--maxmemory-policy",
    "allkeys-lru",
  ],
});
c("ok-redis", {
  image: "redis:7.2.5",
  user: "999",
  command: [
    "redis-server",
    "--appendonly",
    "yes",
    "--maxmemory",
    "100mb",
    "--maxmemory-policy",
    "allkeys-lru",
  ],
});
c("postgres-13-no-archive", { image: "postgres:13.4", user: "999" });
c("debug-by-argument", { command: ["serve", "--log-level=debug"] });
c("debug-by-env", { envs: ["APP_LOG_LEVEL=DEBUG"] });
c("cors-wildcard", { envs: ["CORS_ALLOWED_ORIGINS=*"] });
c("plain-short-secret", { envs: ["SECRET_KEY=short"] });
c("privileged", { privileged: true });
c("root-user", { user: "root" });
c("image-user", { user: undefined });
c("no-healthcheck", { healthcheck: undefined });
c("no-limits", { memory: undefined, cpus: undefined });
c("published-port", { ports: [{ internal: 8080, external: 18080 }] });
c("rabbitmq-defaults", { image: "rabbitmq:3.13", user: "999" });
c("rabbitmq-old", {
  image: "rabbitmq:3.11-management",
  user: "999",
  envs: ["RABBITMQ_DEFAULT_USER=ops"],
});
c("elasticsearch-7", { image: "elasticsearch:7.17.0", user: "1000" });
c("prometheus-no-rules", { image: "prom/prometheus:v2.53.0", user: "65534" });
c("alertmanager-no-config", { image: "prom/alertmanager:v0.27.0", user: "65534" });
// Computed whole from another resource: the gate cannot read it at preview.
const other = new docker.Network("computed-net", { name: "computed-net" });
c("env-unknown-at-preview", { envs: [pulumi.interpolate`LOG_LEVEL=${other.id}`] });

// Kubernetes, rendered (no cluster needed for a preview).
const render = new k8s.Provider("render", { renderYamlToDirectory: "rendered" });
const opts = { provider: render };
const probe = { httpGet: { path: "/health", port: 8080 } };
const resources = {
  requests: { cpu: "100m", memory: "128Mi" },
  limits: { cpu: "1", memory: "256Mi" },
};
const pod = (
  containers: k8s.types.input.core.v1.Container[],
  extra: Partial<k8s.types.input.core.v1.PodSpec> = {},
) => ({
  securityContext: { runAsNonRoot: true, runAsUser: 10001 },
  containers: containers.map((x) => ({
    livenessProbe: probe,
    readinessProbe: probe,
    resources,
    ...x,
  })),
  ...extra,
});
const deployment = (name: string, replicas: number, spec: ReturnType<typeof pod>) =>
  new k8s.apps.v1.Deployment(
    name,
    {
      metadata: { name },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec },
      },
    },
    opts,
  );
deployment("k8s-single-replica", 1, pod([{ name: "api", image: "acme/api:1.4.2" }]));
deployment(
  "k8s-redis-appendonly-no",
  1,
  pod([
    {
      name: "redis",
      image: "redis:7.2.5",
      args: ["--appendonly", "no", "--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"],
    },
  ]),
);
deployment(
  "ok-k8s-init-without-probes",
  2,
  pod([{ name: "api", image: "acme/api:1.4.2" }], {
    initContainers: [{ name: "wait", image: "busybox:1.36.1", command: ["true"], resources }],
  }),
);
new k8s.policy.v1.PodDisruptionBudget(
  "ok-k8s-init-without-probes-pdb",
  {
    metadata: { name: "pdb" },
    spec: { maxUnavailable: 1, selector: { matchLabels: { app: "ok-k8s-init-without-probes" } } },
  },
  opts,
);
deployment(
  "k8s-root",
  2,
  pod([{ name: "api", image: "acme/api:1.4.2", securityContext: { runAsUser: 0 } }]),
);
new k8s.apps.v1.StatefulSet(
  "k8s-postgres-14",
  {
    metadata: { name: "pg" },
    spec: {
      serviceName: "pg",
      selector: { matchLabels: { app: "pg" } },
      template: {
        metadata: { labels: { app: "pg" } },
        spec: pod(
          [
            {
              name: "postgres",
              image: "postgres:14.11",
              args: ["-c", "archive_mode=on", "-c", "archive_command=true"],
            },
          ],
          {
            securityContext: { runAsNonRoot: true, runAsUser: 999 },
          },
        ),
      },
    },
  },
  opts,
);
new k8s.core.v1.Service(
  "k8s-loadbalancer",
  {
    metadata: { name: "lb" },
    spec: { type: "LoadBalancer", ports: [{ port: 80 }], selector: { app: "x" } },
  },
  opts,
);
new k8s.networking.v1.Ingress(
  "k8s-ingress-no-tls",
  { metadata: { name: "ing" }, spec: { rules: [{ host: "app.example.com" }] } },
  opts,
);
new k8s.core.v1.ConfigMap(
  "k8s-configmap-password",
  { metadata: { name: "cm" }, data: { DB_PASSWORD: "hunter2hunter2" } },
  opts,
);

// More Kubernetes, one defect each.
const one = (name: string, container: Partial<k8s.types.input.core.v1.Container>, replicas = 2) =>
  deployment(name, replicas, pod([{ name: "main", image: "acme/api:1.4.2", ...container }]));
one("k8s-debug-arg", { args: ["--loglevel", "DEBUG"] });
one("k8s-cors", { env: [{ name: "CORS_ORIGIN", value: "*" }] });
one("k8s-plain-short-secret", { env: [{ name: "JWT_SECRET", value: "short" }] });
one("k8s-privileged", { securityContext: { privileged: true } });
one("k8s-no-probes", { livenessProbe: undefined, readinessProbe: undefined });
one("k8s-no-limits", { resources: undefined });
one("k8s-floating-tag", { image: "nginx:stable" });
one("k8s-redis-noeviction", { image: "redis:7.2.5", args: ["--appendonly", "yes"] }, 1);
one("k8s-postgres-16-no-archive", { image: "postgres:16.4" }, 1);
one(
  "k8s-rabbitmq-guest",
  { image: "rabbitmq:3.13-management", env: [{ name: "RABBITMQ_DEFAULT_USER", value: "guest" }] },
  1,
);
one(
  "k8s-elasticsearch-insecure",
  { image: "elasticsearch:8.15.0", env: [{ name: "xpack.security.enabled", value: "false" }] },
  1,
);
one("k8s-alertmanager", { image: "prom/alertmanager:v0.27.0" }, 1);
new k8s.core.v1.ConfigMap(
  "k8s-alertmanager-null-config",
  {
    metadata: { name: "am" },
    data: { "alertmanager.yml": 'route:\n  receiver: "null"\nreceivers:\n  - name: "null"\n' },
  },
  opts,
);
new k8s.batch.v1.CronJob(
  "k8s-backup-weekly",
  {
    metadata: { name: "backup" },
    spec: {
      schedule: "0 3 * * 0",
      jobTemplate: {
        spec: {
          template: {
            spec: {
              restartPolicy: "Never",
              securityContext: { runAsNonRoot: true, runAsUser: 999 },
              containers: [
                {
                  name: "dump",
                  image: "postgres:16.4",
                  command: ["sh", "-c", "pg_dump -h pg app > /backup/app.sql"],
                  resources,
                },
              ],
            },
          },
        },
      },
    },
  },
  opts,
);
// Talks to a database container by its name, without waiting for it.
c("app-no-wait", { envs: ["DATABASE_URL=postgres://app@postgres-13-no-archive:5432/app"] });

// A TLS certificate supplied as a Kubernetes Secret (the test passes one that expires soon).
const cert = new pulumi.Config().get("tlsCert");
if (cert) {
  new k8s.core.v1.Secret(
    "k8s-tls-expiring",
    {
      metadata: { name: "tls" },
      type: "kubernetes.io/tls",
      stringData: { "tls.crt": cert, "tls.key": "placeholder" },
    },
    opts,
  );
}

// RabbitMQ 3.11 without the management plugin; an app that talks to PostgreSQL without waiting.
one(
  "k8s-rabbitmq-old",
  { image: "rabbitmq:3.11.28", env: [{ name: "RABBITMQ_DEFAULT_USER", value: "ops" }] },
  1,
);
one("k8s-app-no-wait", {
  env: [{ name: "DATABASE_URL", value: "postgres://app@postgres:5432/app" }],
});
