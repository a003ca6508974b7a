/**
 * A table of malformed environment specs: each must be refused with the config path of the
 * mistake and what was expected there, all problems reported together.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSpec } from "../../components/config/load";

const base = () => ({
  runtime: "docker",
  tier: "dev",
  services: {
    api: {
      image: "acme/api:1.0.0",
      ports: [{ name: "http", port: 8080, public: true }],
      healthCheck: { path: "/health" },
    },
  },
});

type Spec = ReturnType<typeof base> & Record<string, any>;
type Case = [title: string, mutate: (s: Spec) => unknown, path: string, expected: RegExp];

const cases: Case[] = [
  [
    "host port for an unknown workload",
    (s) => ({ ...s, hostPorts: { postgress: { postgres: 25432 } } }),
    "hostPorts.postgress.postgres",
    /no workload "postgress" here \(workloads: api\)/,
  ],
  [
    "host port for an unknown port name",
    (s) => ({ ...s, hostPorts: { api: { https: 28443 } } }),
    "hostPorts.api.https",
    /workload "api" has no port "https" \(its ports: http\)/,
  ],
  [
    "host ports outside Docker",
    (s) => ({ ...s, runtime: "kubernetes", hostPorts: { api: { http: 28080 } } }),
    "hostPorts",
    /Docker runtime only, not kubernetes/,
  ],
  [
    "data retention misspelt",
    (s) => ({ ...s, dataRetention: "keep" }),
    "dataRetention",
    /expected one of "retain"\|"delete"/,
  ],
  ["unknown runtime", (s) => ({ ...s, runtime: "nomad" }), "runtime", /expected one of/],
  ["missing runtime", (s) => ({ ...s, runtime: undefined }), "runtime", /expected one of|expected/],
  ["unknown tier", (s) => ({ ...s, tier: "prod" }), "tier", /expected one of/],
  ["no services", (s) => ({ ...s, services: {} }), "services", /at least one service/],
  [
    "service name with capitals",
    (s) => ({ ...s, services: { API: s.services.api } }),
    "services.API",
    /lowercase name/,
  ],
  [
    "image not a string",
    (s) => ((s.services.api.image = 42 as any), s),
    "services.api.image",
    /expected string/,
  ],
  [
    "image with spaces",
    (s) => ((s.services.api.image = "acme api:1"), s),
    "services.api.image",
    /image reference/,
  ],
  [
    "port out of range",
    (s) => ((s.services.api.ports[0].port = 70000), s),
    "services.api.ports[0].port",
    /<=65535|too big/i,
  ],
  [
    "port not whole",
    (s) => ((s.services.api.ports[0].port = 80.5), s),
    "services.api.ports[0].port",
    /int/i,
  ],
  [
    "port name invalid",
    (s) => ((s.services.api.ports[0].name = "HTTP"), s),
    "services.api.ports[0].name",
    /lowercase name/,
  ],
  [
    "replicas negative",
    (s) => ({ ...s, services: { api: { ...s.services.api, replicas: -1 } } }),
    "services.api.replicas",
    />=0|too small/i,
  ],
  [
    "replicas a string",
    (s) => ({ ...s, services: { api: { ...s.services.api, replicas: "two" } } }),
    "services.api.replicas",
    /expected number/,
  ],
  [
    "cpu quantity malformed",
    (s) => ({
      ...s,
      services: {
        api: { ...s.services.api, resources: { limits: { cpu: "one", memory: "1Gi" } } },
      },
    }),
    "services.api.resources.limits.cpu",
    /CPU quantity/,
  ],
  [
    "memory without unit",
    (s) => ({
      ...s,
      services: { api: { ...s.services.api, resources: { limits: { cpu: "1", memory: "512" } } } },
    }),
    "services.api.resources.limits.memory",
    /memory quantity/,
  ],
  [
    "limits missing memory",
    (s) => ({
      ...s,
      services: { api: { ...s.services.api, resources: { limits: { cpu: "1" } } } },
    }),
    "services.api.resources.limits.memory",
    /expected string/,
  ],
  [
    "health check without path or command",
    (s) => ({ ...s, services: { api: { ...s.services.api, healthCheck: { port: 8080 } } } }),
    "services.api.healthCheck",
    /path \(HTTP\) or a command/,
  ],
  [
    "health path relative",
    (s) => ({ ...s, services: { api: { ...s.services.api, healthCheck: { path: "health" } } } }),
    "services.api.healthCheck.path",
    /start with "\/"|starts with/i,
  ],
  [
    "misspelt service key",
    (s) => ({ ...s, services: { api: { ...s.services.api, healthcheck: {} } } }),
    "services.api.healthcheck",
    /not a setting golive knows/,
  ],
  [
    "misspelt top-level key",
    (s) => ({ ...s, sevices: {} }),
    "sevices",
    /not a setting golive knows/,
  ],
  [
    "env value not a string",
    (s) => ({ ...s, services: { api: { ...s.services.api, env: { LOG_LEVEL: 1 } } } }),
    "services.api.env.LOG_LEVEL",
    /expected string/,
  ],
  [
    "secret ref of unknown form",
    (s) => ({ ...s, services: { api: { ...s.services.api, secretEnv: { KEY: "plain" } } } }),
    "services.api.secretEnv.KEY",
    /documented forms/,
  ],
  [
    "generated secret too short",
    (s) => ({
      ...s,
      services: { api: { ...s.services.api, secretEnv: { KEY: { generate: { length: 8 } } } } },
    }),
    "services.api.secretEnv.KEY.generate.length",
    />=16/,
  ],
  [
    "dependency on nothing",
    (s) => ({ ...s, services: { api: { ...s.services.api, dependsOn: ["redis"] } } }),
    "services.api.dependsOn[0]",
    /neither a service nor a data service/,
  ],
  [
    "gpu count zero",
    (s) => ({ ...s, services: { api: { ...s.services.api, gpu: { count: 0 } } } }),
    "services.api.gpu.count",
    />=1|too small/i,
  ],
  [
    "postgres version not a number",
    (s) => ({ ...s, postgres: { version: "sixteen" } }),
    "postgres.version",
    /version such as/,
  ],
  [
    "postgres storage zero",
    (s) => ({ ...s, postgres: { storageGb: 0 } }),
    "postgres.storageGb",
    />=1|too small/i,
  ],
  ["lxc runtime without lxc block", (s) => ({ ...s, runtime: "lxc" }), "lxc", /needs an lxc block/],
  [
    "lxc node without host",
    (s) => ({ ...s, runtime: "lxc", lxc: { node: {} } }),
    "lxc.node.host",
    /expected string/,
  ],
  [
    "lxc CT-ID below 100",
    (s) => ({ ...s, runtime: "lxc", lxc: { node: { host: "pve" }, ids: { api: 42 } } }),
    "lxc.ids.api",
    />=100|too small/i,
  ],
  [
    "host cores zero",
    (s) => ({ ...s, host: { cpuCores: 0, memoryGb: 16, diskGb: 100 } }),
    "host.cpuCores",
    />=1|too small/i,
  ],
  [
    "gateway domain with scheme",
    (s) => ({ ...s, gateway: { domain: "https://x.example", tls: { source: "internal" } } }),
    "gateway.domain",
    /host name/,
  ],
  [
    "gateway tls source unknown",
    (s) => ({ ...s, gateway: { domain: "x.example", tls: { source: "vault" } } }),
    "gateway.tls.source",
    /expected one of|Invalid/,
  ],
  [
    "acme without email",
    (s) => ({ ...s, gateway: { domain: "x.example", tls: { source: "acme" } } }),
    "gateway.tls.email",
    /expected string/,
  ],
  [
    "acme with haproxy",
    (s) => ({
      ...s,
      gateway: {
        domain: "x.example",
        proxy: "haproxy",
        tls: { source: "acme", email: "a@b.example" },
      },
    }),
    "gateway.tls.source",
    /HAProxy cannot obtain ACME/,
  ],
  [
    "CORS origin with a path",
    (s) => ({
      ...s,
      gateway: {
        domain: "x.example",
        tls: { source: "internal" },
        cors: { origins: ["https://x.example/app"] },
      },
    }),
    "gateway.cors.origins[0]",
    /an origin such as/,
  ],
  [
    "route to an unknown service",
    (s) => ({
      ...s,
      gateway: { domain: "x.example", tls: { source: "internal" }, routes: { "/": "web" } },
    }),
    "gateway.routes./",
    /not a service of this environment/,
  ],
  [
    "rate limit zero",
    (s) => ({
      ...s,
      gateway: {
        domain: "x.example",
        tls: { source: "internal" },
        rateLimit: { requestsPerSecond: 0 },
      },
    }),
    "gateway.rateLimit.requestsPerSecond",
    />=1|too small/i,
  ],
  [
    "feature flag not boolean",
    (s) => ({ ...s, features: { rag: "yes" } }),
    "features.rag",
    /expected boolean/,
  ],
  [
    "feature flag name with capitals",
    (s) => ({ ...s, features: { RAG: true } }),
    "features.RAG",
    /lowercase flag name/,
  ],
  ["license without file", (s) => ({ ...s, license: {} }), "license.file", /expected string/],
];

describe("malformed environment specs are refused with their config path", () => {
  it(`the table has at least 30 cases (${cases.length})`, () => {
    assert.ok(cases.length >= 30);
  });
  for (const [title, mutate, path, expected] of cases) {
    it(title, () => {
      const r = parseSpec(mutate(structuredClone(base()) as Spec));
      assert.ok(!r.ok, "the spec must be refused");
      const problem = r.problems.find((p) => p.path === `golive:environment.${path}`);
      assert.ok(
        problem,
        `expected a problem at golive:environment.${path}, got:\n${r.problems.map((p) => `${p.path}: ${p.message}`).join("\n")}`,
      );
      assert.match(problem.message, expected);
    });
  }
});
