/**
 * Runs policies without the CLI, with arguments as faithful to the engine as the SDK allows:
 * props behind the SDK's unknownCheckingProxy (unknowns throw as at preview), config from each
 * policy's configSchema defaults merged with overrides, and a collecting reportViolation. Every
 * validation is awaited, as the policy server awaits it, so the runners are asynchronous.
 */
import assert from "node:assert/strict";
import type {
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
// The SDK marks its proxy module internal (its .d.ts exports nothing), but it is what the policy
// server itself wraps props with at preview, so the tests use it too.

const proxy: {
  unknownCheckingProxy: <T extends object>(o: T) => T;
  unknownStringValue: unknown;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
} = require("@pulumi/policy/proxy");
const { unknownCheckingProxy, unknownStringValue } = proxy;

/** A value that is not known at preview (e.g. a generated secret on the first `up`). */
export const unknown = unknownStringValue as string;

function configOf(
  policy: { configSchema?: { properties: Record<string, any> } },
  overrides: object,
): any {
  const defaults = Object.fromEntries(
    Object.entries(policy.configSchema?.properties ?? {}).map(([k, v]) => [k, v.default]),
  );
  return { ...defaults, ...overrides };
}

export interface Res {
  type: string;
  name?: string;
  props: Record<string, any>;
  dependencies?: Res[];
  parent?: Res;
}

/** The arguments the policy server hands a resource validation, for `r`. */
export function resourceArgs(
  policy: ResourceValidationPolicy,
  r: Res,
  config: object = {},
): ResourceValidationArgs {
  return {
    type: r.type,
    props: unknownCheckingProxy(r.props),
    urn: `urn:pulumi:test::golive::${r.type}::${r.name ?? "r"}`,
    name: r.name ?? "r",
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    stackTags: new Map<string, string>(),
    isType: () => false,
    asType: () => undefined,
    getConfig: () => configOf(policy, config),
    notApplicable: (reason?: string) => {
      throw new Error(`not applicable: ${reason}`);
    },
  };
}

/**
 * Runs a resource policy over `r` as the policy server does: each validation in turn, awaited, so
 * what an asynchronous validation reports after an `await` is collected and a rejection fails the
 * run with its error. Give it the pack's (waiver-wrapped) policy to run it exactly as the pack does.
 */
export async function runResource(
  policy: ResourceValidationPolicy,
  r: Res,
  config: object = {},
): Promise<string[]> {
  const found: string[] = [];
  const args = resourceArgs(policy, r, config);
  const validations = policy.validateResource ? [policy.validateResource].flat() : [];
  for (const v of validations) {
    await v(args, (message) => found.push(message));
  }
  return found;
}

/**
 * Runs a stack policy over `resources` (or a resource policy over each of them, its violations
 * with the resource's URN), awaiting its validation as the policy server does.
 */
export async function runStack(
  policy: StackValidationPolicy | ResourceValidationPolicy,
  resources: Res[],
  config: object = {},
): Promise<{ message: string; urn?: string }[]> {
  if (!("validateStack" in policy)) {
    // In turn, as the engine hands the policy one resource at a time.
    const found: { message: string; urn?: string }[] = [];
    for (const r of resources) {
      const urn = `urn:pulumi:test::golive::${r.type}::${r.name ?? "r"}`;
      for (const message of await runResource(policy, r, config)) found.push({ message, urn });
    }
    return found;
  }
  const found: { message: string; urn?: string }[] = [];
  const made = new Map<Res, PolicyResource>();
  const toPolicy = (r: Res): PolicyResource => {
    const existing = made.get(r);
    if (existing) return existing;
    const p = {
      type: r.type,
      name: r.name ?? "r",
      urn: `urn:pulumi:test::golive::${r.type}::${r.name ?? "r"}`,
      props: unknownCheckingProxy(r.props),
      opts: {},
      dependencies: [],
      propertyDependencies: {},
    } as unknown as PolicyResource;
    made.set(r, p);
    (p as any).dependencies = (r.dependencies ?? []).map(toPolicy);
    (p as any).parent = r.parent ? toPolicy(r.parent) : undefined;
    return p;
  };
  const all = resources.map(toPolicy);
  await policy.validateStack(
    {
      resources: all,
      stackTags: new Map(),
      getConfig: () => configOf(policy, config),
      notApplicable: (reason?: string) => {
        throw new Error(`not applicable: ${reason}`);
      },
    },
    (message, urn) => found.push({ message, urn }),
  );
  return found;
}

/** Docker labels from a map. */
export function dockerLabels(labels: Record<string, string>): { label: string; value: string }[] {
  return Object.entries(labels).map(([label, value]) => ({ label, value }));
}

/** A compliant golive app container on Docker. */
export function dockerApp(
  extra: Record<string, any> = {},
  labels: Record<string, string> = {},
): Res {
  return {
    type: "docker:index/container:Container",
    name: "app",
    props: {
      name: "golive-prod-api",
      image: "acme/api:1.4.2",
      envs: [
        "LOG_LEVEL=INFO",
        "SECRET_KEY=" + "k".repeat(48),
        "CORS_ORIGINS=https://app.example.com",
      ],
      healthcheck: { tests: ["CMD-SHELL", "curl -f http://127.0.0.1:8080/health"] },
      memory: 512,
      cpus: "1",
      ports: [],
      labels: dockerLabels({
        "app.kubernetes.io/name": "api",
        "app.kubernetes.io/component": "app",
        "golive.dev/secret-env": "SECRET_KEY",
        "golive.dev/start-order": "50",
        ...labels,
      }),
      ...extra,
    },
  };
}

/** A compliant Kubernetes Deployment. */
export function k8sDeployment(
  container: Record<string, any> = {},
  spec: Record<string, any> = {},
  pod: Record<string, any> = {},
): Res {
  return {
    type: "kubernetes:apps/v1:Deployment",
    name: "api",
    props: {
      metadata: {
        name: "api",
        labels: {
          "app.kubernetes.io/name": "api",
          "app.kubernetes.io/part-of": "golive",
          "app.kubernetes.io/managed-by": "golive",
        },
      },
      spec: {
        replicas: 2,
        selector: {
          matchLabels: {
            "app.kubernetes.io/name": "api",
            "app.kubernetes.io/instance": "golive-api",
          },
        },
        template: {
          metadata: {
            labels: {
              "app.kubernetes.io/name": "api",
              "app.kubernetes.io/instance": "golive-api",
              "app.kubernetes.io/component": "app",
            },
          },
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: 10001 },
            containers: [
              {
                name: "api",
                image: "acme/api:1.4.2",
                env: [
                  { name: "LOG_LEVEL", value: "INFO" },
                  {
                    name: "SECRET_KEY",
                    valueFrom: { secretKeyRef: { name: "api-env", key: "SECRET_KEY" } },
                  },
                ],
                livenessProbe: { httpGet: { path: "/health", port: 8080 } },
                readinessProbe: { httpGet: { path: "/health", port: 8080 } },
                resources: {
                  requests: { cpu: "250m", memory: "256Mi" },
                  limits: { cpu: "1", memory: "512Mi" },
                },
                securityContext: { privileged: false, allowPrivilegeEscalation: false },
                ...container,
              },
            ],
            ...pod,
          },
        },
        ...spec,
      },
    },
  };
}

/** The facts resource. */
export function facts(f: Record<string, any>): Res {
  return {
    type: "pulumi-nodejs:dynamic/golive:EnvironmentFacts",
    name: "facts",
    props: { tier: "production", runtime: "docker", features: {}, licenseProblems: [], ...f },
  };
}

/** No violation found. */
export const none = (found: string[]): void => assert.deepEqual(found, []);

/** Exactly one violation found, and it matches `pattern`. */
export const one = (found: string[], pattern: RegExp): void => {
  assert.equal(found.length, 1, found.join("\n"));
  assert.match(found[0], pattern);
};

/** The messages of a stack run. */
export const messages = (found: { message: string }[]): string[] => found.map((f) => f.message);

/** A policy (stack or resource) run over one resource: its messages. */
export const stackOf = async (p: Parameters<typeof runStack>[0], r: Res): Promise<string[]> =>
  messages(await runStack(p, [r]));

/**
 * Runs `fn` with the pack's "today" (GOLIVE_TODAY) set to `day`, and restores it once what `fn`
 * returns has settled (the tests of a file run one at a time, so no other test sees that day).
 */
export async function onDay(day: string, fn: () => void | Promise<void>): Promise<void> {
  const before = process.env.GOLIVE_TODAY;
  process.env.GOLIVE_TODAY = day;
  try {
    await fn();
  } finally {
    if (before === undefined) delete process.env.GOLIVE_TODAY;
    else process.env.GOLIVE_TODAY = before;
  }
}

/** A compliant Docker workload `name` of `component`, with extra labels and what it waits for. */
export function workload(
  name: string,
  component: string,
  labels: Record<string, string> = {},
  deps: Res[] = [],
): Res {
  const r = dockerApp(
    { name: `golive-prod-${name}` },
    { "app.kubernetes.io/name": name, "app.kubernetes.io/component": component, ...labels },
  );
  r.name = name;
  r.dependencies = deps;
  return r;
}

/** golive's labels as the LXC runtime hands them to its commands (JSON in GOLIVE_LABELS). */
const lxcLabels = (name: string, component: string, extra: Record<string, string> = {}) =>
  JSON.stringify({
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/component": component,
    ...extra,
  });

/** The `pct` container command of an LXC workload: its facts in the command's `environment`. */
export function lxcContainer(
  name: string,
  id: number,
  component: string,
  extra: Record<string, string> = {},
  env: Record<string, string> = {},
): Res {
  return {
    type: "command:remote:Command",
    name: `${name}-ct`,
    props: {
      environment: {
        GOLIVE_CT_ID: String(id),
        GOLIVE_CT_HOSTNAME: name,
        GOLIVE_CT_CORES: "1",
        GOLIVE_CT_MEMORY_MB: "512",
        GOLIVE_CT_UNPRIVILEGED: "1",
        GOLIVE_LABELS: lxcLabels(name, component, extra),
        ...env,
      },
    },
  };
}

/** The service command that provisions an LXC workload's container. */
export function lxcService(
  name: string,
  id: number,
  component: string,
  env: Record<string, string>,
  extra: Record<string, string> = {},
): Res {
  return {
    type: "command:remote:Command",
    name: `${name}-service`,
    props: {
      environment: {
        GOLIVE_CT_ID: String(id),
        GOLIVE_LABELS: lxcLabels(name, component, extra),
        ...env,
      },
    },
  };
}
