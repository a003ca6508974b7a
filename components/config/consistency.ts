/**
 * Checks across fields of a structurally valid spec: what zod, seeing one field at a time, cannot
 * judge (a dependency names a service, two workloads publish one host port, a route leads to a
 * public port). Run by `parseSpec` after the structural parse, so that every such problem is
 * reported together, with its config path, before any resource is registered: no component throws
 * on spec content.
 */
import * as crypto from "crypto";
import { haproxyBackendName } from "../gateway/haproxy";
import { releaseVersions, releaseWorkloads } from "../release/bluegreen";
import { allocateIds, lxcAddresses } from "../runtime/lxc/network";
import { dataServices, workloadPorts } from "../services";
import { defaultAlertRuleNames, gatewayServiceType, type EnvironmentSpec } from "./spec";

/** A problem found: its path under `golive:environment`, and what was expected there. */
export type Problem = [path: (string | number)[], message: string];

/** What the checks may ask of the stack config beyond the spec (set keys of secret references). */
export interface ConsistencyOptions {
  /**
   * Whether a config key (without the `golive:` namespace) is set in the stack. When absent, keys
   * that secret references name are not checked (unit tests, docs examples).
   */
  readonly hasConfig?: (key: string) => boolean;
}

/** Every cross-field problem of `spec`, in a stable order. */
export function consistencyProblems(
  spec: EnvironmentSpec,
  options: ConsistencyOptions = {},
): Problem[] {
  return [
    ...runtimeProblems(spec),
    ...dependencyProblems(spec),
    ...serviceProblems(spec),
    ...hostPortProblems(spec),
    ...publishedPortProblems(spec),
    ...gatewayProblems(spec),
    ...dataServiceProblems(spec),
    ...monitoringProblems(spec),
    ...canaryProblems(spec),
    ...lxcProblems(spec),
    ...waiverProblems(spec),
    ...configKeyProblems(spec, options),
  ];
}

function runtimeProblems(spec: EnvironmentSpec): Problem[] {
  const problems: Problem[] = [];
  if (spec.runtime === "lxc" && spec.lxc === undefined) {
    problems.push([["lxc"], "the lxc runtime needs an lxc block"]);
  }
  if (spec.runtime === "lxc") {
    // Nothing would carry the GPU into the container, and the GPU gate would have no device to
    // judge: refused rather than deployed without it.
    for (const [name, s] of Object.entries(spec.services)) {
      if (s.gpu !== undefined) {
        problems.push([
          ["services", name, "gpu"],
          "golive's LXC runtime passes no GPU into a container: run GPU workloads on docker or kubernetes",
        ]);
      }
    }
  }
  if (spec.runtime !== "docker") {
    const notHere = `host ports are published by the Docker runtime only, not ${spec.runtime}`;
    if (Object.keys(spec.hostPorts).length > 0) problems.push([["hostPorts"], notHere]);
    for (const [svc, s] of Object.entries(spec.services)) {
      s.ports.forEach((p, i) => {
        if (p.hostPort !== undefined) {
          problems.push([["services", svc, "ports", i, "hostPort"], notHere]);
        }
      });
    }
    if (spec.gateway?.hostPorts) problems.push([["gateway", "hostPorts"], notHere]);
  }
  return problems;
}

/**
 * The dependency cycles among services, each once: the services in order, the first repeated at
 * the end (["a", "b", "a"]). Names that are no service (data services, typos) end a path.
 */
export function dependencyCycles(
  services: Readonly<Record<string, { readonly dependsOn: readonly string[] }>>,
): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string) => {
    state.set(name, "visiting");
    stack.push(name);
    for (const dep of services[name].dependsOn) {
      if (!(dep in services) || state.get(dep) === "done") continue;
      if (state.get(dep) === "visiting") {
        cycles.push([...stack.slice(stack.indexOf(dep)), dep]);
        continue;
      }
      visit(dep);
    }
    stack.pop();
    state.set(name, "done");
  };
  for (const name of Object.keys(services).sort()) {
    if (!state.has(name)) visit(name);
  }
  return cycles;
}

function dependencyProblems(spec: EnvironmentSpec): Problem[] {
  const problems: Problem[] = [];
  const known = new Set([
    ...Object.keys(spec.services),
    ...dataServices.filter((d) => spec[d] !== undefined),
  ]);
  for (const [svc, s] of Object.entries(spec.services)) {
    s.dependsOn.forEach((dep, i) => {
      if (!known.has(dep)) {
        const declared = dataServices.includes(dep as (typeof dataServices)[number])
          ? ` (add a ${dep} block to declare it)`
          : "";
        problems.push([
          ["services", svc, "dependsOn", i],
          `"${dep}" is neither a service nor a data service of this environment${declared}`,
        ]);
      }
    });
  }
  for (const cycle of dependencyCycles(spec.services)) {
    const [first, next] = cycle;
    const index = spec.services[first].dependsOn.indexOf(next);
    problems.push([
      ["services", first, "dependsOn", index],
      cycle.length === 2
        ? `a service cannot depend on itself: ${cycle.join(" -> ")}`
        : `services depend on each other in a cycle: ${cycle.join(" -> ")}`,
    ]);
  }
  return problems;
}

function serviceProblems(spec: EnvironmentSpec): Problem[] {
  const problems: Problem[] = [];
  for (const [svc, s] of Object.entries(spec.services)) {
    const path = ["services", svc];
    const names = new Map<string, number>();
    const numbers = new Map<number, number>();
    // Kubernetes names container ports with at most 15 characters: golive cuts longer names.
    const portKey = (n: string) => (spec.runtime === "kubernetes" ? n.slice(0, 15) : n);
    s.ports.forEach((p, i) => {
      const key = portKey(p.name);
      if (names.has(key)) {
        const other = s.ports[names.get(key)!].name;
        problems.push([
          [...path, "ports", i, "name"],
          other === p.name
            ? `port name "${p.name}" is already used by ports[${names.get(key)}]`
            : `port names "${other}" and "${p.name}" are one on Kubernetes, which keeps 15 characters ("${key}")`,
        ]);
      } else names.set(key, i);
      if (numbers.has(p.port)) {
        problems.push([
          [...path, "ports", i, "port"],
          `port ${p.port} is already declared by ports[${numbers.get(p.port)}]`,
        ]);
      } else numbers.set(p.port, i);
    });
    const publicPorts = s.ports.flatMap((p, i) => (p.public ? [i] : []));
    if (s.worker) {
      for (const i of publicPorts) {
        problems.push([
          [...path, "ports", i, "public"],
          "a worker is not routed by the gateway: drop `public`, or `worker`",
        ]);
      }
    } else {
      for (const i of publicPorts.slice(1)) {
        problems.push([
          [...path, "ports", i, "public"],
          `the gateway routes one port per service (ports[${publicPorts[0]}] is already public)`,
        ]);
      }
    }
    for (const key of Object.keys(s.secretEnv)) {
      if (key in s.env) {
        problems.push([
          [...path, "secretEnv", key],
          `${key} is also set in env: a variable is either plain or secret`,
        ]);
      }
    }
    if (s.artifact) {
      // Every version the service deploys has its digest: an unchecked archive is never run.
      for (const version of releaseVersions(s)) {
        if (s.artifact.sha256[version] === undefined) {
          problems.push([
            [...path, "artifact", "sha256"],
            `no SHA-256 for version ${version}, which the service deploys: expected "${version}": "<64 hex digits>"`,
          ]);
        }
      }
    }
    if (s.migration && spec.postgres === undefined) {
      problems.push([
        [...path, "migration"],
        "a migration runs against PostgreSQL, but the environment has no postgres block",
      ]);
    }
  }
  return problems;
}

/** Spec `hostPorts` entries that name no workload, or no port of it. */
function hostPortProblems(spec: EnvironmentSpec): Problem[] {
  const known = workloadPorts(spec);
  const problems: Problem[] = [];
  for (const [w, ports] of Object.entries(spec.hostPorts)) {
    for (const port of Object.keys(ports)) {
      const path = ["hostPorts", w, port];
      if (!known[w]) {
        problems.push([
          path,
          `no workload "${w}" here (workloads: ${Object.keys(known).join(", ")})`,
        ]);
      } else if (!known[w].includes(port)) {
        problems.push([
          path,
          `workload "${w}" has no port "${port}" (its ports: ${known[w].join(", ") || "none"})`,
        ]);
      }
    }
  }
  return problems;
}

/**
 * Two publications of one port on the Docker host's 127.0.0.1 fail only at `up` ("port is already
 * allocated"): a service port's `hostPort` (one per replica and per blue/green colour), a spec
 * `hostPorts` entry (which replaces the service port's `hostPort` of that workload and port) and
 * the gateway's `hostPorts`.
 */
function publishedPortProblems(spec: EnvironmentSpec): Problem[] {
  if (spec.runtime !== "docker") return [];
  const problems: Problem[] = [];
  const first = new Map<number, string>();
  const publish = (hostPort: number, path: (string | number)[], containers: string[]) => {
    const where = path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("");
    const at = `golive:environment${where}`;
    if (containers.length > 1) {
      problems.push([
        path,
        `host port ${hostPort} would be published by ${containers.length} containers (${containers.join(", ")}): a host port is published once`,
      ]);
    }
    if (containers.length === 0) return;
    const earlier = first.get(hostPort);
    if (earlier !== undefined) {
      problems.push([path, `host port ${hostPort} is already published by ${earlier}`]);
    } else first.set(hostPort, at);
  };
  const override = (workload: string, port: string) => spec.hostPorts[workload]?.[port];
  // A workload's containers, as the Docker runtime names its replicas.
  const containersOf = (w: string, count: number) =>
    count === 1 ? [w] : Array.from({ length: count }, (_, n) => `${w}-${n + 1}`);
  for (const [svc, s] of Object.entries(spec.services)) {
    const workloads = releaseWorkloads(svc, s);
    s.ports.forEach((p, i) => {
      if (p.hostPort === undefined) return;
      const containers = workloads
        .filter((w) => override(w, p.name) === undefined)
        .flatMap((w) => containersOf(w, s.replicas));
      publish(p.hostPort, ["services", svc, "ports", i, "hostPort"], containers);
    });
  }
  const replicas = (w: string) => {
    const svc = Object.entries(spec.services).find(([n, s]) =>
      releaseWorkloads(n, s).includes(w),
    )?.[1];
    return containersOf(w, svc?.replicas ?? 1);
  };
  const known = workloadPorts(spec);
  for (const [w, ports] of Object.entries(spec.hostPorts)) {
    for (const [port, hostPort] of Object.entries(ports)) {
      if (!known[w]?.includes(port)) continue; // reported by hostPortProblems
      publish(hostPort, ["hostPorts", w, port], replicas(w));
    }
  }
  if (spec.gateway?.hostPorts) {
    publish(spec.gateway.hostPorts.http, ["gateway", "hostPorts", "http"], ["gateway"]);
    publish(spec.gateway.hostPorts.https, ["gateway", "hostPorts", "https"], ["gateway"]);
  }
  return problems;
}

/** A route's prefix as the proxies match it: "/api/" and "/api" are one route. */
function routeKey(prefix: string): string {
  return prefix.replace(/\/+$/, "") || "/";
}

function gatewayProblems(spec: EnvironmentSpec): Problem[] {
  const g = spec.gateway;
  if (!g) return [];
  const problems: Problem[] = [];
  if (g.tls.source === "secret" && spec.runtime !== "kubernetes") {
    problems.push([
      ["gateway", "tls", "source"],
      'source "secret" names a Kubernetes TLS Secret: use "acme", "internal" or "file" here',
    ]);
  }
  if (g.tls.source === "acme" && g.proxy === "haproxy") {
    problems.push([
      ["gateway", "tls", "source"],
      'HAProxy cannot obtain ACME certificates: use proxy "caddy", or tls source "file"',
    ]);
  }
  if (g.tls.source === "file") {
    try {
      new crypto.X509Certificate(g.tls.certificate);
    } catch (e) {
      problems.push([
        ["gateway", "tls", "certificate"],
        `is not a PEM certificate golive can read (${(e as Error).message})`,
      ]);
    }
  }
  const k = g.kubernetes;
  const ingress = spec.runtime === "kubernetes" && k.mode === "ingress";
  if (spec.runtime !== "kubernetes") {
    for (const field of ["serviceType", "nodePorts", "replicas"] as const) {
      if (k[field] !== undefined) {
        problems.push([
          ["gateway", "kubernetes", field],
          "is a Kubernetes setting; leave it out here",
        ]);
      }
    }
    if (k.mode !== "proxy") {
      problems.push([
        ["gateway", "kubernetes", "mode"],
        "is a Kubernetes setting; leave it out here",
      ]);
    }
  } else if (!ingress) {
    if (g.tls.source === "acme") {
      // Each replica would solve its own challenges, and a challenge reaches any of them.
      problems.push([
        ["gateway", "tls", "source"],
        'the Kubernetes proxy gateway takes its certificate from a Secret: use "secret" (e.g. ' +
          'cert-manager\'s), "file" or "internal", or gateway.kubernetes.mode "ingress"',
      ]);
    }
    if (k.nodePorts && gatewayServiceType(g, spec.tier) === "ClusterIP") {
      problems.push([
        ["gateway", "kubernetes", "nodePorts"],
        'a ClusterIP Service has no node ports: set serviceType "NodePort" or "LoadBalancer"',
      ]);
    }
    if (k.nodePorts?.http !== undefined && k.nodePorts.http === k.nodePorts.https) {
      problems.push([["gateway", "kubernetes", "nodePorts", "https"], "is the same port as http"]);
    }
  } else if (k.serviceType !== undefined || k.nodePorts !== undefined || k.replicas !== undefined) {
    problems.push([
      ["gateway", "kubernetes", "mode"],
      'is "ingress": serviceType, nodePorts and replicas belong to the cluster\'s ingress controller',
    ]);
  }
  const blueGreen = Object.entries(spec.services).filter(([, s]) => s.blueGreen);
  if (blueGreen.length > 0 && !ingress && g.proxy !== "haproxy") {
    problems.push([
      ["gateway", "proxy"],
      `blue/green (${blueGreen.map(([n]) => n).join(", ")}) needs HAProxy's weights: set proxy "haproxy"`,
    ]);
  }
  if (ingress) {
    for (const [svc, s] of blueGreen) {
      const w = s.blueGreen?.weights;
      if (w && w.blue > 0 && w.green > 0) {
        problems.push([
          ["services", svc, "blueGreen", "weights"],
          'an Ingress routes to the active colour only: split traffic with gateway.kubernetes.mode "proxy" (and proxy "haproxy")',
        ]);
      }
    }
  }
  if (g.routes) {
    const seen = new Map<string, string>();
    const backends = new Map<string, string>();
    const routed = new Set<string>();
    for (const [prefix, svc] of Object.entries(g.routes)) {
      const path = ["gateway", "routes", prefix];
      routed.add(svc);
      const s = spec.services[svc];
      if (!s) {
        problems.push([path, `"${svc}" is not a service of this environment`]);
      } else if (!s.ports.some((p) => p.public)) {
        problems.push([
          path,
          `service "${svc}" has no public port to route to (mark one of its ports \`public: true\`)`,
        ]);
      }
      const key = routeKey(prefix);
      const backend = haproxyBackendName(prefix);
      if (seen.has(key)) {
        problems.push([
          path,
          `routes "${seen.get(key)}" and "${prefix}" match the same path prefix`,
        ]);
      } else if (g.proxy === "haproxy" && !ingress && backends.has(backend)) {
        problems.push([
          path,
          `routes "${backends.get(backend)}" and "${prefix}" make the same HAProxy backend ${backend}: rename one`,
        ]);
      }
      if (!seen.has(key)) seen.set(key, prefix);
      if (!backends.has(backend)) backends.set(backend, prefix);
    }
    for (const [svc, s] of Object.entries(spec.services)) {
      const i = s.ports.findIndex((p) => p.public);
      if (i >= 0 && !s.worker && !routed.has(svc)) {
        problems.push([
          ["services", svc, "ports", i, "public"],
          `is public, but no gateway route leads to it (gateway.routes routes ${Object.values(g.routes).join(", ") || "nothing"})`,
        ]);
      }
    }
  } else {
    // The default routes: "/" for the first public service (by name), "/<name>" for the others.
    const publicServices = Object.keys(spec.services)
      .sort()
      .filter((svc) => spec.services[svc].ports.some((p) => p.public));
    const defaults = new Map<string, string>();
    publicServices.forEach((svc, i) => {
      const prefix = i === 0 ? "/" : `/${svc}`;
      const backend = g.proxy === "haproxy" ? haproxyBackendName(prefix) : prefix;
      const other = defaults.get(backend);
      if (other !== undefined) {
        problems.push([
          ["gateway", "routes"],
          `the default routes of services "${other}" and "${svc}" collide: name the routes`,
        ]);
      } else defaults.set(backend, svc);
    });
  }
  return problems;
}

function dataServiceProblems(spec: EnvironmentSpec): Problem[] {
  const problems: Problem[] = [];
  const es = spec.elasticsearch;
  if (es) {
    for (const [t, template] of Object.entries(es.indexTemplates)) {
      if (template.ilmPolicy !== undefined && !(template.ilmPolicy in es.ilmPolicies)) {
        problems.push([
          ["elasticsearch", "indexTemplates", t, "ilmPolicy"],
          `no ILM policy "${template.ilmPolicy}" in elasticsearch.ilmPolicies (${Object.keys(es.ilmPolicies).join(", ") || "none"})`,
        ]);
      }
    }
  }
  const mq = spec.rabbitmq;
  if (mq) {
    const vhosts = new Set(mq.vhosts);
    const unknown = (vhost: string) =>
      `no vhost "${vhost}" in rabbitmq.vhosts (${mq.vhosts.join(", ")}): RabbitMQ would refuse the definitions at start`;
    for (const [user, u] of Object.entries(mq.users)) {
      for (const vhost of Object.keys(u.permissions)) {
        if (!vhosts.has(vhost)) {
          problems.push([["rabbitmq", "users", user, "permissions", vhost], unknown(vhost)]);
        }
      }
    }
    mq.queues.forEach((q, i) => {
      if (!vhosts.has(q.vhost))
        problems.push([["rabbitmq", "queues", i, "vhost"], unknown(q.vhost)]);
    });
  }
  return problems;
}

function monitoringProblems(spec: EnvironmentSpec): Problem[] {
  const m = spec.monitoring;
  if (!m) return [];
  const problems: Problem[] = [];
  const names = new Map<string, string>(
    defaultAlertRuleNames
      .filter((n) => !m.disableDefaultRules.includes(n))
      .map((n) => [
        n,
        "one of golive's default rules (list it in disableDefaultRules to replace it)",
      ]),
  );
  m.alertRules.forEach((r, i) => {
    const taken = names.get(r.name);
    if (taken !== undefined) {
      problems.push([["monitoring", "alertRules", i, "name"], `${r.name} is already ${taken}`]);
    } else names.set(r.name, `the name of alertRules[${i}]`);
  });
  return problems;
}

function canaryProblems(spec: EnvironmentSpec): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  spec.canaries.forEach((c, i) => {
    if (!(c.service in spec.services)) {
      problems.push([
        ["canaries", i, "service"],
        `"${c.service}" is not a service of this environment`,
      ]);
    }
    const key = `${c.service}/${c.package}`;
    if (seen.has(key)) {
      problems.push([
        ["canaries", i, "package"],
        `canaries[${seen.get(key)}] already rolls out "${c.package}" to ${c.service}`,
      ]);
    } else seen.set(key, i);
    const accounts = new Set(c.accounts);
    c.pilotAccounts.forEach((a, j) => {
      if (!accounts.has(a)) {
        problems.push([["canaries", i, "pilotAccounts", j], `"${a}" is not among the accounts`]);
      }
    });
  });
  return problems;
}

function lxcProblems(spec: EnvironmentSpec): Problem[] {
  if (spec.runtime !== "lxc" || !spec.lxc) return [];
  const problems: Problem[] = [];
  const known = Object.keys(workloadPorts(spec));
  const byId = new Map<number, string>();
  for (const [w, id] of Object.entries(spec.lxc.ids)) {
    if (!known.includes(w)) {
      problems.push([
        ["lxc", "ids", w],
        `no workload "${w}" here (workloads: ${known.join(", ")})`,
      ]);
    }
    if (byId.has(id)) {
      problems.push([["lxc", "ids", w], `CT-ID ${id} is already given to "${byId.get(id)}"`]);
    } else byId.set(id, w);
  }
  if (spec.lxc.network) {
    const ids = allocateIds(known, spec.lxc.ids, spec.lxc.firstId);
    problems.push(...lxcAddresses(ids, spec.lxc.network).problems);
  }
  return problems;
}

function waiverProblems(spec: EnvironmentSpec): Problem[] {
  const known = [
    ...Object.keys(workloadPorts(spec)),
    ...Object.entries(spec.services)
      .filter(([, s]) => s.migration)
      .flatMap(([n]) => [`${n}-migration`, `${n}-pre-migration-backup`]),
    // One-off jobs of the data services (components/services/*), waivable like any workload.
    ...(spec.elasticsearch ? ["elasticsearch-setup"] : []),
  ];
  return Object.keys(spec.waivers)
    .filter((w) => !known.includes(w))
    .map((w) => [
      ["waivers", w],
      `no workload "${w}" here, so the waiver would waive nothing (workloads: ${known.join(", ")})`,
    ]);
}

function configKeyProblems(spec: EnvironmentSpec, options: ConsistencyOptions): Problem[] {
  const has = options.hasConfig;
  if (!has) return [];
  const problems: Problem[] = [];
  const missing = (key: string) =>
    `config key golive:${key} is not set: pulumi config set --secret golive:${key} <value>`;
  for (const [svc, s] of Object.entries(spec.services)) {
    for (const [name, ref] of Object.entries(s.secretEnv)) {
      if ("config" in ref && !has(ref.config)) {
        problems.push([["services", svc, "secretEnv", name, "config"], missing(ref.config)]);
      }
    }
  }
  if (spec.gateway?.tls.source === "file" && !has(spec.gateway.tls.keyConfig)) {
    problems.push([["gateway", "tls", "keyConfig"], missing(spec.gateway.tls.keyConfig)]);
  }
  const login = spec.verify.login;
  if (login && !has(login.passwordConfig)) {
    problems.push([["verify", "login", "passwordConfig"], missing(login.passwordConfig)]);
  }
  const key = spec.lxc?.node.privateKeyConfig;
  if (spec.runtime === "lxc" && key !== undefined && !has(key)) {
    problems.push([["lxc", "node", "privateKeyConfig"], missing(key)]);
  }
  return problems;
}
