/**
 * Each resource policy: a compliant baseline passes, and each mutation breaks exactly what the
 * policy is about. Props go through the SDK's unknown-checking proxy, as at preview.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alertmanagerDisallowNullReceiver } from "../../../policies/rules/alertmanager-disallow-null-receiver";
import { corsDisallowWildcard } from "../../../policies/rules/cors-disallow-wildcard";
import { elasticsearchConfigureIlm } from "../../../policies/rules/elasticsearch-configure-ilm";
import { elasticsearchEnableSecurity } from "../../../policies/rules/elasticsearch-enable-security";
import { imageDisallowLatestTag } from "../../../policies/rules/image-disallow-latest-tag";
import { loggingDisallowDebugInProduction } from "../../../policies/rules/logging-disallow-debug-in-production";
import { monitoringConfigureAlertRules } from "../../../policies/rules/monitoring-configure-alert-rules";
import { postgresEnableWalArchiving } from "../../../policies/rules/postgres-enable-wal-archiving";
import { postgresEnforceMinVersion } from "../../../policies/rules/postgres-enforce-min-version";
import { rabbitmqDisallowGuest } from "../../../policies/rules/rabbitmq-disallow-guest";
import { rabbitmqEnableManagement } from "../../../policies/rules/rabbitmq-enable-management";
import { rabbitmqEnforceMinVersion } from "../../../policies/rules/rabbitmq-enforce-min-version";
import { redisConfigureEviction } from "../../../policies/rules/redis-configure-eviction";
import { redisEnablePersistence } from "../../../policies/rules/redis-enable-persistence";
import { secretsDisallowPlainConfigFiles } from "../../../policies/rules/secrets-disallow-plain-config-files";
import { secretsDisallowPlainEnv } from "../../../policies/rules/secrets-disallow-plain-env";
import { secretsEnforceMinLength } from "../../../policies/rules/secrets-enforce-min-length";
import { tlsEnforceCertificateValidity } from "../../../policies/rules/tls-enforce-certificate-validity";
import { tlsRequirePublicEndpoints } from "../../../policies/rules/tls-require-public-endpoints";
import { workloadDisallowPrivileged } from "../../../policies/rules/workload-disallow-privileged";
import { workloadEnforceNonRoot } from "../../../policies/rules/workload-enforce-non-root";
import { workloadMissingHealthcheck } from "../../../policies/rules/workload-missing-healthcheck";
import { workloadMissingLabels } from "../../../policies/rules/workload-missing-labels";
import { workloadMissingResourceLimits } from "../../../policies/rules/workload-missing-resource-limits";
import {
  dockerApp,
  dockerLabels,
  k8sDeployment,
  runResource,
  runStack,
  unknown,
  type Res,
} from "./harness";

/** A stack policy run over one resource: its messages. */
const stackOf = (p: Parameters<typeof runStack>[0], r: Res) =>
  runStack(p, [r]).map((f) => f.message);

const none = (found: string[]) => assert.deepEqual(found, []);
const one = (found: string[], pattern: RegExp) => {
  assert.equal(found.length, 1, found.join("\n"));
  assert.match(found[0], pattern);
};

const redis = (args: string[], files: { file: string; content: string }[] = []): Res => ({
  type: "docker:index/container:Container",
  name: "redis",
  props: {
    name: "golive-prod-redis",
    image: "redis:7.2",
    command: ["redis-server", "/usr/local/etc/redis/golive-auth.conf", ...args],
    uploads: files,
    labels: dockerLabels({
      "app.kubernetes.io/name": "redis",
      "app.kubernetes.io/component": "cache",
      "golive.dev/redis-version": "7.2",
    }),
  },
});
const redisArgs = [
  "--appendonly",
  "yes",
  "--save",
  "900 1 300 10",
  "--maxmemory",
  "384mb",
  "--maxmemory-policy",
  "allkeys-lru",
];

const rabbit = (labels: Record<string, string>, files: Record<string, string>): Res => ({
  type: "docker:index/container:Container",
  name: "rabbitmq",
  props: {
    image: "rabbitmq:3.13-management",
    uploads: Object.entries(files).map(([file, content]) => ({ file, content })),
    labels: dockerLabels({
      "app.kubernetes.io/name": "rabbitmq",
      "golive.dev/rabbitmq-version": "3.13",
      "golive.dev/rabbitmq-users": "admin,app",
      ...labels,
    }),
  },
});
const rabbitFiles = {
  "/etc/rabbitmq/conf.d/90-golive.conf":
    "load_definitions = /etc/rabbitmq/definitions.d\nloopback_users.guest = true\n",
  "/etc/rabbitmq/enabled_plugins": "[rabbitmq_management,rabbitmq_prometheus].\n",
};

describe("resource policies: baseline passes, one mutation fails", () => {
  it("image-disallow-latest-tag", () => {
    none(runResource(imageDisallowLatestTag, dockerApp()));
    none(
      runResource(
        imageDisallowLatestTag,
        dockerApp({ image: "acme/api@sha256:" + "a".repeat(64) }),
      ),
    );
    one(
      runResource(imageDisallowLatestTag, dockerApp({ image: "acme/api:latest" })),
      /is no version/,
    );
    one(runResource(imageDisallowLatestTag, dockerApp({ image: "acme/api" })), /acme\/api/);
    one(
      runResource(imageDisallowLatestTag, k8sDeployment({ image: "acme/api:latest" })),
      /kubernetes workload "api"/,
    );
  });

  it("workload-missing-healthcheck (jobs exempt)", () => {
    none(runResource(workloadMissingHealthcheck, dockerApp()));
    one(
      runResource(workloadMissingHealthcheck, dockerApp({ healthcheck: undefined })),
      /no liveness or readiness check/,
    );
    none(
      runResource(workloadMissingHealthcheck, dockerApp({ healthcheck: undefined, attach: true })),
    );
    one(
      runResource(workloadMissingHealthcheck, k8sDeployment({ readinessProbe: undefined })),
      /no readiness check/,
    );
  });

  it("workload-missing-resource-limits", () => {
    none(runResource(workloadMissingResourceLimits, dockerApp()));
    one(
      runResource(workloadMissingResourceLimits, dockerApp({ memory: undefined })),
      /memory limit/,
    );
    one(
      runResource(
        workloadMissingResourceLimits,
        k8sDeployment({ resources: { limits: { cpu: "1", memory: "1Gi" } } }),
      ),
      /CPU request, memory request/,
    );
  });

  it("secrets-disallow-plain-env: literals flagged, secret references and golive's secret env pass", () => {
    none(runResource(secretsDisallowPlainEnv, dockerApp()));
    none(runResource(secretsDisallowPlainEnv, k8sDeployment()));
    one(
      runResource(secretsDisallowPlainEnv, dockerApp({ envs: ["DB_PASSWORD=hunter2"] })),
      /DB_PASSWORD as a plain value/,
    );
    one(
      runResource(
        secretsDisallowPlainEnv,
        k8sDeployment({ env: [{ name: "API_TOKEN", value: "abc" }] }),
      ),
      /API_TOKEN/,
    );
  });

  it("secrets-disallow-plain-env still runs when another variable is unknown at preview", () => {
    const found = runResource(
      secretsDisallowPlainEnv,
      dockerApp({ envs: [unknown, "DB_PASSWORD=hunter2"] }),
    );
    one(found, /DB_PASSWORD/);
  });

  it("secrets-disallow-plain-config-files", () => {
    none(
      runResource(
        secretsDisallowPlainConfigFiles,
        dockerApp({ uploads: [{ file: "/etc/app.conf", content: "log_level = info\n" }] }),
      ),
    );
    one(
      runResource(secretsDisallowPlainConfigFiles, {
        type: "kubernetes:core/v1:ConfigMap",
        props: { data: { "app.ini": "db_password = s3cret\n" } },
      }),
      /looks like a secret/,
    );
    one(
      runResource(
        secretsDisallowPlainConfigFiles,
        dockerApp({ uploads: [{ file: "/k.pem", content: "-----BEGIN RSA PRIVATE KEY-----\n" }] }),
      ),
      /k\.pem/,
    );
    // A secret upload (mode 0600) is a secret in state, not a file in clear, even when `up`
    // shows the policy its value; the same content with a plain mode is refused.
    const auth = {
      file: "/usr/local/etc/redis/golive-auth.conf",
      content: "requirepass s3cretvalue\n",
    };
    none(
      runResource(
        secretsDisallowPlainConfigFiles,
        dockerApp({ uploads: [{ ...auth, permissions: "0600" }] }),
      ),
    );
    one(
      runResource(
        secretsDisallowPlainConfigFiles,
        dockerApp({ uploads: [{ ...auth, permissions: "0644" }] }),
      ),
      /golive-auth\.conf holds what looks like a secret/,
    );
  });

  it("secrets-enforce-min-length: literal and generated", () => {
    none(runResource(secretsEnforceMinLength, dockerApp()));
    one(
      runResource(secretsEnforceMinLength, dockerApp({ envs: ["JWT_SECRET=short"] })),
      /5 characters; at least 32/,
    );
    one(
      runResource(secretsEnforceMinLength, {
        type: "pulumi-nodejs:dynamic/golive:GeneratedSecret",
        name: "key",
        props: { length: 16 },
      }),
      /generates 16 characters/,
    );
    none(
      runResource(secretsEnforceMinLength, dockerApp({ envs: ["JWT_SECRET=short"] }), {
        minLength: 4,
      }),
    );
  });

  it("cors-disallow-wildcard", () => {
    none(runResource(corsDisallowWildcard, dockerApp()));
    one(
      runResource(corsDisallowWildcard, dockerApp({ envs: ["CORS_ORIGINS=*"] })),
      /allows every origin/,
    );
    one(
      runResource(
        corsDisallowWildcard,
        dockerApp({}, { "golive.dev/cors-origins": "https://a.example *" }),
      ),
      /golive\.dev\/cors-origins/,
    );
  });

  it("tls-require-public-endpoints", () => {
    const ingress = (tls: unknown): Res => ({
      type: "kubernetes:networking.k8s.io/v1:Ingress",
      props: { spec: { rules: [{ host: "erp.example.com" }], tls } },
    });
    none(
      runResource(
        tlsRequirePublicEndpoints,
        ingress([{ hosts: ["erp.example.com"], secretName: "t" }]),
      ),
    );
    one(runResource(tlsRequirePublicEndpoints, ingress([])), /erp\.example\.com has no TLS entry/);
    one(
      runResource(
        tlsRequirePublicEndpoints,
        dockerApp({ ports: [{ internal: 8080, external: 8080, ip: "0.0.0.0" }] }),
      ),
      /published on 0\.0\.0\.0/,
    );
    none(
      runResource(
        tlsRequirePublicEndpoints,
        dockerApp({ ports: [{ internal: 8080, external: 18080, ip: "127.0.0.1" }] }),
      ),
    );
    one(
      runResource(tlsRequirePublicEndpoints, {
        type: "kubernetes:core/v1:Service",
        name: "api",
        props: { spec: { type: "LoadBalancer" } },
      }),
      /LoadBalancer/,
    );
  });

  it("tls-enforce-certificate-validity", () => {
    process.env.GOLIVE_TODAY = "2026-11-21";
    none(
      runResource(
        tlsEnforceCertificateValidity,
        dockerApp({}, { "golive.dev/tls-not-after": "2027-06-01T00:00:00.000Z" }),
      ),
    );
    one(
      runResource(
        tlsEnforceCertificateValidity,
        dockerApp({}, { "golive.dev/tls-not-after": "2026-12-10T00:00:00.000Z" }),
      ),
      /19 days/,
    );
    delete process.env.GOLIVE_TODAY;
  });

  it("workload-disallow-privileged", () => {
    none(runResource(workloadDisallowPrivileged, dockerApp()));
    one(runResource(workloadDisallowPrivileged, dockerApp({ privileged: true })), /privileged/);
    one(
      runResource(workloadDisallowPrivileged, dockerApp({ networkMode: "host" })),
      /host network/,
    );
    one(
      runResource(
        workloadDisallowPrivileged,
        dockerApp({
          volumes: [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }],
        }),
      ),
      /Docker socket/,
    );
    one(
      runResource(workloadDisallowPrivileged, k8sDeployment({}, {}, { hostNetwork: true })),
      /host network/,
    );
  });

  it("workload-enforce-non-root", () => {
    none(runResource(workloadEnforceNonRoot, k8sDeployment()));
    one(
      runResource(workloadEnforceNonRoot, k8sDeployment({}, {}, { securityContext: {} })),
      /whatever user its image sets/,
    );
    one(
      runResource(workloadEnforceNonRoot, k8sDeployment({ securityContext: { runAsUser: 0 } })),
      /runs as root/,
    );
  });

  it("workload-missing-labels, with remediation", () => {
    none(runResource(workloadMissingLabels, k8sDeployment()));
    const bare = k8sDeployment();
    bare.props.metadata = { name: "api" };
    one(runResource(workloadMissingLabels, bare), /Missing labels: app\.kubernetes\.io\/name/);
    const fixed = workloadMissingLabels.remediateResource!({
      type: bare.type,
      props: bare.props,
      name: "api",
    } as any) as Record<string, any>;
    assert.equal(fixed.metadata.labels["app.kubernetes.io/part-of"], "golive");
    none(runResource(workloadMissingLabels, { ...bare, props: fixed }));
  });

  it("postgres-enforce-min-version", () => {
    none(runResource(postgresEnforceMinVersion, dockerApp({ image: "postgres:16" })));
    one(
      runResource(postgresEnforceMinVersion, dockerApp({ image: "postgres:14.9" })),
      /PostgreSQL 14; at least 15/,
    );
    none(
      runResource(postgresEnforceMinVersion, dockerApp({ image: "postgres:14.9" }), {
        minimumMajor: 14,
      }),
    );
  });

  it("postgres-enable-wal-archiving", () => {
    const pg = (command: string[]) =>
      dockerApp({ image: "postgres:16", command }, { "golive.dev/postgres-role": "primary" });
    none(
      runResource(
        postgresEnableWalArchiving,
        pg(["postgres", "-c", "archive_mode=on", "-c", "archive_command=cp %p /a/%f"]),
      ),
    );
    one(
      runResource(postgresEnableWalArchiving, pg(["postgres", "-c", "wal_level=replica"])),
      /does not archive its WAL/,
    );
  });

  it("redis-enable-persistence and redis-configure-eviction", () => {
    none(runResource(redisEnablePersistence, redis(redisArgs)));
    none(runResource(redisConfigureEviction, redis(redisArgs)));
    one(
      runResource(redisEnablePersistence, redis(redisArgs.map((a) => (a === "yes" ? "no" : a)))),
      /without AOF/,
    );
    one(
      runResource(
        redisEnablePersistence,
        redis(redisArgs.map((a) => (a === "900 1 300 10" ? '""' : a))),
      ),
      /without RDB/,
    );
    one(
      runResource(
        redisConfigureEviction,
        redis(redisArgs.map((a) => (a === "allkeys-lru" ? "noeviction" : a))),
      ),
      /evicts with noeviction/,
    );
  });

  it("rabbitmq: version, management plugin, no guest", () => {
    none(runResource(rabbitmqEnforceMinVersion, rabbit({}, rabbitFiles)));
    one(
      runResource(rabbitmqEnforceMinVersion, {
        ...rabbit({}, rabbitFiles),
        props: { ...rabbit({}, rabbitFiles).props, image: "rabbitmq:3.10.8" },
      }),
      /3\.10\.8 is older than 3\.12/,
    );
    none(stackOf(rabbitmqEnableManagement, rabbit({}, rabbitFiles)));
    one(
      // Neither a -management image nor the plugin in enabled_plugins.
      stackOf(rabbitmqEnableManagement, {
        ...rabbit(
          {},
          { ...rabbitFiles, "/etc/rabbitmq/enabled_plugins": "[rabbitmq_prometheus].\n" },
        ),
        props: {
          ...rabbit(
            {},
            { ...rabbitFiles, "/etc/rabbitmq/enabled_plugins": "[rabbitmq_prometheus].\n" },
          ).props,
          image: "rabbitmq:3.13",
        },
      }),
      /rabbitmq_management/,
    );
    none(stackOf(rabbitmqDisallowGuest, rabbit({}, rabbitFiles)));
    one(
      stackOf(
        rabbitmqDisallowGuest,
        rabbit({ "golive.dev/rabbitmq-users": "admin,guest" }, rabbitFiles),
      ),
      /user named guest/,
    );
    one(
      stackOf(
        rabbitmqDisallowGuest,
        rabbit(
          {},
          { ...rabbitFiles, "/etc/rabbitmq/conf.d/90-golive.conf": "load_definitions = /x\n" },
        ),
      ),
      /loopback/,
    );
  });

  it("elasticsearch: security and ILM", () => {
    const es = (env: string[], labels: Record<string, string> = {}) =>
      dockerApp(
        { image: "elasticsearch:8.15.0", envs: env },
        {
          "golive.dev/elasticsearch-version": "8.15.0",
          "golive.dev/ilm-policies": "logs",
          ...labels,
        },
      );
    none(runResource(elasticsearchEnableSecurity, es(["xpack.security.enabled=true"])));
    one(
      runResource(elasticsearchEnableSecurity, es(["xpack.security.enabled=false"])),
      /without security/,
    );
    none(runResource(elasticsearchConfigureIlm, es([])));
    one(
      runResource(elasticsearchConfigureIlm, es([], { "golive.dev/ilm-policies": "" })),
      /no ILM policy/,
    );
  });

  it("monitoring-configure-alert-rules and alertmanager-disallow-null-receiver", () => {
    const prom = (rules: string) =>
      dockerApp(
        { uploads: [{ file: "/etc/prometheus/rules/golive.yml", content: rules }] },
        { "app.kubernetes.io/component": "monitoring" },
      );
    none(
      stackOf(
        monitoringConfigureAlertRules,
        prom("groups:\n- rules:\n  - alert: HighErrorRate\n  - alert: HighLatencyP95\n"),
      ),
    );
    one(
      stackOf(monitoringConfigureAlertRules, prom("groups:\n- rules:\n  - alert: HighErrorRate\n")),
      /HighLatencyP95/,
    );
    const am = (receiver: string, config: string) =>
      dockerApp(
        { uploads: [{ file: "/etc/alertmanager/alertmanager.yml", content: config }] },
        { "app.kubernetes.io/component": "alerting", "golive.dev/alert-receiver": receiver },
      );
    none(
      stackOf(
        alertmanagerDisallowNullReceiver,
        am("webhook", "receivers:\n  - name: golive\n    webhook_configs:\n      - url: x\n"),
      ),
    );
    one(
      stackOf(alertmanagerDisallowNullReceiver, am("null", "receivers:\n  - name: golive\n")),
      /null sink/,
    );
    one(
      stackOf(alertmanagerDisallowNullReceiver, am("webhook", "receivers:\n  - name: golive\n")),
      /no webhook/,
    );
  });

  it("logging-disallow-debug-in-production", () => {
    none(runResource(loggingDisallowDebugInProduction, dockerApp()));
    one(
      runResource(loggingDisallowDebugInProduction, dockerApp({ envs: ["LOG_LEVEL=DEBUG"] })),
      /logs at DEBUG/,
    );
  });
});
