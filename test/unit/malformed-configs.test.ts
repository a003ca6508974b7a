/**
 * A table of malformed environment specs: each must be refused with the config path of the
 * mistake and what was expected there, all problems reported together.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSpec } from "../../components/config/load";
import { minimalSpec } from "./minimal-spec";

const base = minimalSpec;

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
  [
    "pgBouncer's user by name, which would be resolved on the machine running Pulumi",
    (s) => ({ ...s, postgres: { version: "16", pgbouncer: { user: "postgres" } } }),
    "postgres.pgbouncer.user",
    /a numeric UID \(the user pgBouncer runs as in its image, e\.g\. 1001\)/,
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
    "a GPU workload on LXC, which passes no GPU into containers",
    (s) => ({
      ...s,
      runtime: "lxc",
      lxc: { node: { host: "pve" } },
      services: { api: { ...s.services.api, gpu: { count: 1 } } },
    }),
    "services.api.gpu",
    /passes no GPU into a container/,
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
  [
    "alert rule duration without unit",
    (s) => ({
      ...s,
      monitoring: {
        receiver: { kind: "null" },
        alertRules: [{ name: "QueueBacklog", expr: "a > 1", for: "10", summary: "x" }],
      },
    }),
    "monitoring.alertRules[0].for",
    /a Prometheus duration such as "5m"/,
  ],
  [
    "alert rule without expression",
    (s) => ({
      ...s,
      monitoring: {
        receiver: { kind: "null" },
        alertRules: [{ name: "QueueBacklog", summary: "x" }],
      },
    }),
    "monitoring.alertRules[0].expr",
    /expected string/,
  ],
  [
    "disabling a default rule golive does not have",
    (s) => ({
      ...s,
      monitoring: { receiver: { kind: "null" }, disableDefaultRules: ["HighLatency"] },
    }),
    "monitoring.disableDefaultRules[0]",
    /expected one of .*"HighLatencyP95"/,
  ],
  [
    "a negative UID",
    (s) => ({ ...s, services: { api: { ...s.services.api, securityContext: { runAsUser: -1 } } } }),
    "services.api.securityContext.runAsUser",
    />=0|too small/i,
  ],
  [
    "privileged as a word",
    (s) => ({
      ...s,
      services: { api: { ...s.services.api, securityContext: { privileged: "yes" } } },
    }),
    "services.api.securityContext.privileged",
    /expected boolean/,
  ],
  [
    "a user name where a UID belongs",
    (s) => ({
      ...s,
      services: { api: { ...s.services.api, securityContext: { runAsUser: "app" } } },
    }),
    "services.api.securityContext.runAsUser",
    /expected number/,
  ],
  [
    "waiver until no date",
    (s) => ({
      ...s,
      waivers: {
        api: { "image-disallow-latest-tag": { reason: "planned in OPS-42", until: "soon" } },
      },
    }),
    "waivers.api.image-disallow-latest-tag.until",
    /a date such as 2027-03-31 \(YYYY-MM-DD\), not "soon"/,
  ],
  [
    "waiver until a day that does not exist",
    (s) => ({
      ...s,
      waivers: {
        api: { "image-disallow-latest-tag": { reason: "planned in OPS-42", until: "2027-02-30" } },
      },
    }),
    "waivers.api.image-disallow-latest-tag.until",
    /a date such as 2027-03-31/,
  ],
  [
    "a node port outside the cluster's range",
    (s) => ({
      ...s,
      runtime: "kubernetes",
      gateway: { ...gateway, kubernetes: { nodePorts: { https: 8443 } } },
    }),
    "gateway.kubernetes.nodePorts.https",
    /a node port in 30000-32767/,
  ],
  [
    "a Service type Kubernetes does not have",
    (s) => ({
      ...s,
      runtime: "kubernetes",
      gateway: { ...gateway, kubernetes: { serviceType: "Ingress" } },
    }),
    "gateway.kubernetes.serviceType",
    /expected one of "LoadBalancer"\|"NodePort"\|"ClusterIP"/,
  ],
  [
    "a StorageClass name that is no DNS subdomain",
    (s) => ({ ...s, runtime: "kubernetes", kubernetes: { storageClassName: "Fast_SSD" } }),
    "kubernetes.storageClassName",
    /a StorageClass name \(a DNS subdomain\)/,
  ],
  [
    "a verify route that is no path",
    (s) => ({ ...s, verify: { routes: ["admin"] } }),
    "verify.routes[0]",
    /a path starting with \/ such as \/api\/v1\/status/,
  ],
  [
    "a log error pattern that does not compile",
    (s) => ({ ...s, verify: { logErrorPattern: "(ERROR" } }),
    "verify.logErrorPattern",
    /a regular expression \(JavaScript syntax\) that compiles/,
  ],
  [
    "an unbounded load test",
    (s) => ({ ...s, verify: { load: { requests: 1000000 } } }),
    "verify.load.requests",
    /10000/,
  ],
  [
    "a smoke command as one string, which would need a shell",
    (s) => ({ ...s, verify: { smoke: { command: "npm run smoke" } } }),
    "verify.smoke.command",
    /expected array/,
  ],
  [
    "a login that expects neither a token nor a cookie",
    (s) => ({
      ...s,
      verify: { login: { path: "/login", username: "t", passwordConfig: "p", expect: {} } },
    }),
    "verify.login.expect",
    /invalid|expected/i,
  ],
  [
    "an unknown key in verify",
    (s) => ({ ...s, verify: { smokeTest: { command: ["true"] } } }),
    "verify.smokeTest",
    /is not a setting golive knows/,
  ],
];

/** Two more services for the cross-field cases: a worker and a web front end. */
const web = { image: "acme/web:1.0.0", ports: [{ name: "http", port: 3000, public: true }] };
const worker = { image: "acme/worker:1.0.0", worker: true };
const gateway = { domain: "x.example", tls: { source: "internal" } };

/** Specs each field of which is valid, refused for how the fields fit together (consistency.ts). */
const crossField: Case[] = [
  [
    "dependency cycle of two services",
    (s) => ({
      ...s,
      services: { a: { ...worker, dependsOn: ["b"] }, b: { ...worker, dependsOn: ["a"] } },
    }),
    "services.a.dependsOn[0]",
    /^services depend on each other in a cycle: a -> b -> a$/,
  ],
  [
    "dependency cycle of three services, entered from outside it",
    (s) => ({
      ...s,
      services: {
        api: { ...s.services.api, dependsOn: ["jobs"] },
        jobs: { ...worker, dependsOn: ["mail"] },
        mail: { ...worker, dependsOn: ["x", "queue"] },
        queue: { ...worker, dependsOn: ["jobs"] },
        x: worker,
      },
    }),
    "services.jobs.dependsOn[0]",
    /cycle: jobs -> mail -> queue -> jobs$/,
  ],
  [
    "a service depending on itself",
    (s) => ({ ...s, services: { api: { ...s.services.api, dependsOn: ["api"] } } }),
    "services.api.dependsOn[0]",
    /cannot depend on itself: api -> api/,
  ],
  [
    "dependency on a data service the spec does not declare",
    (s) => ({ ...s, services: { api: { ...s.services.api, dependsOn: ["postgres"] } } }),
    "services.api.dependsOn[0]",
    /"postgres" is neither a service nor a data service .*add a postgres block/,
  ],
  [
    "migration without postgres",
    (s) => ({
      ...s,
      services: { api: { ...s.services.api, migration: { command: ["alembic", "upgrade"] } } },
    }),
    "services.api.migration",
    /no postgres block/,
  ],
  [
    "two services publishing one host port",
    (s) => ({
      ...s,
      services: {
        api: { ...s.services.api, ports: [{ name: "http", port: 8080, hostPort: 28080 }] },
        web: { ...web, ports: [{ name: "http", port: 3000, hostPort: 28080 }] },
      },
    }),
    "services.web.ports[0].hostPort",
    /host port 28080 is already published by golive:environment\.services\.api\.ports\[0\]\.hostPort/,
  ],
  [
    "a service port and spec hostPorts publishing one host port",
    (s) => ({
      ...s,
      postgres: {},
      services: {
        api: { ...s.services.api, ports: [{ name: "http", port: 8080, hostPort: 25432 }] },
      },
      hostPorts: { postgres: { postgres: 25432 } },
    }),
    "hostPorts.postgres.postgres",
    /host port 25432 is already published by .*services\.api\.ports\[0\]\.hostPort/,
  ],
  [
    "a service port and the gateway publishing one host port",
    (s) => ({
      ...s,
      services: {
        api: { ...s.services.api, ports: [{ name: "http", port: 8080, hostPort: 18443 }] },
      },
      gateway: { ...gateway, hostPorts: { http: 18080, https: 18443 } },
    }),
    "gateway.hostPorts.https",
    /host port 18443 is already published by .*services\.api/,
  ],
  [
    "the gateway publishing http and https on one host port",
    (s) => ({ ...s, gateway: { ...gateway, hostPorts: { http: 18443, https: 18443 } } }),
    "gateway.hostPorts.https",
    /host port 18443 is already published by .*gateway\.hostPorts\.http/,
  ],
  [
    "a replicated service publishing a host port",
    (s) => ({
      ...s,
      services: {
        api: {
          ...s.services.api,
          replicas: 2,
          ports: [{ name: "http", port: 8080, hostPort: 28080 }],
        },
      },
    }),
    "services.api.ports[0].hostPort",
    /published by 2 containers \(api-1, api-2\)/,
  ],
  [
    "a service port host port outside Docker",
    (s) => ({
      ...s,
      runtime: "kubernetes",
      services: {
        api: { ...s.services.api, ports: [{ name: "http", port: 8080, hostPort: 28080 }] },
      },
    }),
    "services.api.ports[0].hostPort",
    /Docker runtime only, not kubernetes/,
  ],
  [
    "a route to a service without a public port",
    (s) => ({
      ...s,
      services: { ...s.services, jobs: worker },
      gateway: { ...gateway, routes: { "/": "api", "/jobs": "jobs" } },
    }),
    "gateway.routes./jobs",
    /service "jobs" has no public port/,
  ],
  [
    "two routes to one path prefix",
    (s) => ({
      ...s,
      services: { ...s.services, web },
      gateway: { ...gateway, routes: { "/api": "api", "/api/": "web" } },
    }),
    "gateway.routes./api/",
    /routes "\/api" and "\/api\/" match the same path prefix/,
  ],
  [
    "two routes HAProxy would give one backend",
    (s) => ({
      ...s,
      services: { ...s.services, web },
      gateway: {
        ...gateway,
        proxy: "haproxy",
        routes: { "/api-v1": "api", "/api/v1": "web" },
      },
    }),
    "gateway.routes./api/v1",
    /same HAProxy backend be_api_v1/,
  ],
  [
    "the default route of a service named default on HAProxy",
    (s) => ({
      ...s,
      services: { ...s.services, default: web },
      gateway: { ...gateway, proxy: "haproxy" },
    }),
    "gateway.routes",
    /default routes of services "api" and "default" collide/,
  ],
  [
    "a public service no route leads to",
    (s) => ({
      ...s,
      services: { ...s.services, web },
      gateway: { ...gateway, routes: { "/": "web" } },
    }),
    "services.api.ports[0].public",
    /is public, but no gateway route leads to it/,
  ],
  [
    "a worker with a public port",
    (s) => ({ ...s, services: { api: { ...s.services.api, worker: true } } }),
    "services.api.ports[0].public",
    /a worker is not routed by the gateway/,
  ],
  [
    "a second public port",
    (s) => ({
      ...s,
      services: {
        api: {
          ...s.services.api,
          ports: [
            { name: "http", port: 8080, public: true },
            { name: "admin", port: 8081, public: true },
          ],
        },
      },
    }),
    "services.api.ports[1].public",
    /one port per service \(ports\[0\] is already public\)/,
  ],
  [
    "two ports of one name",
    (s) => ({
      ...s,
      services: {
        api: {
          ...s.services.api,
          ports: [
            { name: "http", port: 8080 },
            { name: "http", port: 8081 },
          ],
        },
      },
    }),
    "services.api.ports[1].name",
    /port name "http" is already used by ports\[0\]/,
  ],
  [
    "two port names Kubernetes would cut to one",
    (s) => ({
      ...s,
      runtime: "kubernetes",
      services: {
        api: {
          ...s.services.api,
          ports: [
            { name: "metrics-internal-a", port: 9100 },
            { name: "metrics-internal-b", port: 9101 },
          ],
        },
      },
    }),
    "services.api.ports[1].name",
    /are one on Kubernetes, which keeps 15 characters \("metrics-interna"\)/,
  ],
  [
    "a variable both plain and secret",
    (s) => ({
      ...s,
      services: {
        api: {
          ...s.services.api,
          env: { API_TOKEN: "x" },
          secretEnv: { API_TOKEN: { config: "apiToken" } },
        },
      },
    }),
    "services.api.secretEnv.API_TOKEN",
    /also set in env/,
  ],
  [
    "a supplied certificate that is no certificate",
    (s) => ({
      ...s,
      gateway: {
        ...gateway,
        tls: {
          source: "file",
          certificate: "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n",
          keyConfig: "tlsKey",
        },
      },
    }),
    "gateway.tls.certificate",
    /is not a PEM certificate golive can read/,
  ],
  [
    "a canary for an unknown service",
    (s) => ({
      ...s,
      canaries: [
        {
          package: "gastronomy",
          service: "agents",
          agents: ["a"],
          accounts: ["t1", "t2"],
          pilotAccounts: ["t1"],
          step: "pilot",
        },
      ],
    }),
    "canaries[0].service",
    /"agents" is not a service/,
  ],
  [
    "a pilot account outside the accounts",
    (s) => ({
      ...s,
      canaries: [
        {
          package: "gastronomy",
          service: "api",
          agents: ["a"],
          accounts: ["t1", "t2"],
          pilotAccounts: ["t3"],
          step: "pilot",
        },
      ],
    }),
    "canaries[0].pilotAccounts[0]",
    /"t3" is not among the accounts/,
  ],
  [
    "two workloads given one CT-ID",
    (s) => ({
      ...s,
      runtime: "lxc",
      postgres: {},
      lxc: { node: { host: "pve" }, ids: { api: 301, postgres: 301 } },
    }),
    "lxc.ids.postgres",
    /CT-ID 301 is already given to "api"/,
  ],
  [
    "a CT-ID for an unknown workload",
    (s) => ({ ...s, runtime: "lxc", lxc: { node: { host: "pve" }, ids: { apii: 301 } } }),
    "lxc.ids.apii",
    /no workload "apii" here/,
  ],
  [
    "a CT-ID that gives no address in lxc.network",
    (s) => ({
      ...s,
      runtime: "lxc",
      lxc: {
        node: { host: "pve" },
        network: { cidr: "10.0.0.0/24", gateway: "10.0.0.1" },
        ids: { api: 300 },
      },
    }),
    "lxc.ids.api",
    /CT-ID 300 gives "api" no address in 10\.0\.0\.0\/24 .*at most 254/,
  ],
  [
    "a CT-ID whose address is the gateway's",
    (s) => ({
      ...s,
      runtime: "lxc",
      lxc: {
        node: { host: "pve" },
        network: { cidr: "10.0.0.0/24", gateway: "10.0.0.150" },
        ids: { api: 150 },
      },
    }),
    "lxc.ids.api",
    /gives "api" the gateway's address 10\.0\.0\.150/,
  ],
  [
    "an lxc.network gateway outside the network",
    (s) => ({
      ...s,
      runtime: "lxc",
      lxc: { node: { host: "pve" }, network: { cidr: "10.0.0.0/24", gateway: "10.0.1.1" } },
    }),
    "lxc.network.gateway",
    /10\.0\.1\.1 is not a host address of 10\.0\.0\.0\/24/,
  ],
  [
    "an lxc.network with host bits set",
    (s) => ({
      ...s,
      runtime: "lxc",
      lxc: { node: { host: "pve" }, network: { cidr: "10.0.0.7/24", gateway: "10.0.0.1" } },
    }),
    "lxc.network.cidr",
    /has host bits set: the network is 10\.0\.0\.0\/24/,
  ],
  [
    "an lxc.network that is no CIDR",
    (s) => ({
      ...s,
      runtime: "lxc",
      lxc: { node: { host: "pve" }, network: { cidr: "10.0.0.0", gateway: "10.0.0.1" } },
    }),
    "lxc.network.cidr",
    /CIDR notation/,
  ],
  [
    "a waiver for an unknown workload",
    (s) => ({
      ...s,
      waivers: {
        rabitmq: {
          "rabbitmq-enforce-min-version": { reason: "planned in OPS-42", until: "2027-03-31" },
        },
      },
    }),
    "waivers.rabitmq",
    /no workload "rabitmq" here, so the waiver would waive nothing/,
  ],
  [
    "an index template naming an unknown ILM policy",
    (s) => ({
      ...s,
      elasticsearch: {
        ilmPolicies: { logs: { deleteAfterDays: 30 } },
        indexTemplates: { logs: { indexPatterns: ["logs-*"], ilmPolicy: "log" } },
      },
    }),
    "elasticsearch.indexTemplates.logs.ilmPolicy",
    /no ILM policy "log" in elasticsearch\.ilmPolicies \(logs\)/,
  ],
  [
    "an added alert rule named like an enabled default",
    (s) => ({
      ...s,
      monitoring: {
        receiver: { kind: "null" },
        alertRules: [{ name: "HighErrorRate", expr: "up == 0", summary: "x" }],
      },
    }),
    "monitoring.alertRules[0].name",
    /HighErrorRate is already one of golive's default rules \(list it in disableDefaultRules/,
  ],
  [
    "two added alert rules of one name",
    (s) => ({
      ...s,
      monitoring: {
        receiver: { kind: "null" },
        alertRules: [
          { name: "QueueBacklog", expr: "a > 1", summary: "x" },
          { name: "QueueBacklog", expr: "b > 1", summary: "y" },
        ],
      },
    }),
    "monitoring.alertRules[1].name",
    /QueueBacklog is already the name of alertRules\[0\]/,
  ],
  [
    "a queue in an unknown vhost",
    (s) => ({ ...s, rabbitmq: { vhosts: ["/app"], queues: [{ name: "jobs", vhost: "/ap" }] } }),
    "rabbitmq.queues[0].vhost",
    /no vhost "\/ap" in rabbitmq\.vhosts/,
  ],
  [
    "Kubernetes gateway settings on Docker",
    (s) => ({ ...s, gateway: { ...gateway, kubernetes: { serviceType: "NodePort" } } }),
    "gateway.kubernetes.serviceType",
    /is a Kubernetes setting; leave it out here/,
  ],
  [
    "node ports on a ClusterIP gateway Service",
    (s) => ({
      ...s,
      runtime: "kubernetes",
      gateway: { ...gateway, kubernetes: { serviceType: "ClusterIP", nodePorts: { http: 30080 } } },
    }),
    "gateway.kubernetes.nodePorts",
    /a ClusterIP Service has no node ports/,
  ],
  [
    "the same node port for HTTP and HTTPS",
    (s) => ({
      ...s,
      runtime: "kubernetes",
      gateway: { ...gateway, kubernetes: { nodePorts: { http: 30080, https: 30080 } } },
    }),
    "gateway.kubernetes.nodePorts.https",
    /is the same port as http/,
  ],
  [
    "ACME behind the Kubernetes proxy gateway",
    (s) => ({
      ...s,
      runtime: "kubernetes",
      gateway: { domain: "x.example", tls: { source: "acme", email: "ops@x.example" } },
    }),
    "gateway.tls.source",
    /the Kubernetes proxy gateway takes its certificate from a Secret/,
  ],
  [
    "proxy settings in Kubernetes ingress mode",
    (s) => ({
      ...s,
      runtime: "kubernetes",
      gateway: { ...gateway, kubernetes: { mode: "ingress", serviceType: "NodePort" } },
    }),
    "gateway.kubernetes.mode",
    /belong to the cluster's ingress controller/,
  ],
  [
    "blue/green behind Caddy on Kubernetes",
    (s) => ({
      ...s,
      runtime: "kubernetes",
      gateway,
      services: {
        api: { ...s.services.api, blueGreen: { active: "blue", blue: "1.0.0", green: "1.0.1" } },
      },
    }),
    "gateway.proxy",
    /needs HAProxy's weights/,
  ],
  [
    "a blue/green split behind an Ingress",
    (s) => ({
      ...s,
      runtime: "kubernetes",
      gateway: { ...gateway, kubernetes: { mode: "ingress" } },
      services: {
        api: {
          ...s.services.api,
          blueGreen: {
            active: "blue",
            blue: "1.0.0",
            green: "1.0.1",
            weights: { blue: 50, green: 50 },
          },
        },
      },
    }),
    "services.api.blueGreen.weights",
    /an Ingress routes to the active colour only/,
  ],
];

describe("malformed environment specs are refused with their config path", () => {
  it(`the table has at least 30 cases (${cases.length})`, () => {
    assert.ok(cases.length >= 30);
  });
  for (const [title, mutate, path, expected] of [...cases, ...crossField]) {
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

describe("cross-field problems are collected together", () => {
  it("a cycle, a host port published twice and a migration without postgres: three problems", () => {
    const r = parseSpec({
      ...base(),
      services: {
        a: { ...worker, dependsOn: ["b"], migration: { command: ["migrate"] } },
        b: { ...worker, dependsOn: ["a"] },
        api: { ...base().services.api, ports: [{ name: "http", port: 8080, hostPort: 18080 }] },
      },
      gateway: { ...gateway, hostPorts: { http: 18080, https: 18443 } },
    });
    assert.ok(!r.ok);
    assert.deepEqual(r.problems.map((p) => p.path).sort(), [
      "golive:environment.gateway.hostPorts.http",
      "golive:environment.services.a.dependsOn[0]",
      "golive:environment.services.a.migration",
    ]);
  });

  it("secret references must name keys the stack sets, when the stack config is known", () => {
    const spec = {
      ...base(),
      services: {
        api: { ...base().services.api, secretEnv: { OPENAI_API_KEY: { config: "openaiKey" } } },
      },
    };
    assert.ok(parseSpec(spec).ok, "without the stack config, keys are not checked");
    assert.ok(parseSpec(spec, { hasConfig: (k) => k === "openaiKey" }).ok);
    const r = parseSpec(spec, { hasConfig: () => false });
    assert.ok(!r.ok);
    assert.equal(
      r.problems[0].path,
      "golive:environment.services.api.secretEnv.OPENAI_API_KEY.config",
    );
    assert.match(r.problems[0].message, /golive:openaiKey is not set: pulumi config set --secret/);
  });

  it("the test account's password must be a key the stack sets", () => {
    const spec = {
      ...base(),
      verify: {
        login: {
          path: "/login",
          username: "tester",
          passwordConfig: "testerPassword",
          expect: { token: "token" },
        },
      },
    };
    assert.ok(parseSpec(spec, { hasConfig: (k) => k === "testerPassword" }).ok);
    const r = parseSpec(spec, { hasConfig: () => false });
    assert.ok(!r.ok);
    assert.equal(r.problems[0].path, "golive:environment.verify.login.passwordConfig");
    assert.match(r.problems[0].message, /golive:testerPassword is not set/);
  });
});
