import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentSpec, SecretRefSpec } from "./config/spec";
import { EnvironmentFacts } from "./facts";
import { Gateway } from "./gateway";
import { readLicense } from "./license";
import { DockerRuntime } from "./runtime/docker";
import { KubernetesRuntime } from "./runtime/kubernetes";
import type { RuntimeContext } from "./runtime/labels";
import { allocateIds, LxcRuntime } from "./runtime/lxc";
import type { Runtime, Workload } from "./runtime/workload";
import { GeneratedSecret } from "./secrets/generated";
import { AppService } from "./services/app";
import { PostgresCluster } from "./services/postgres";

export interface EnvironmentArgs {
  /** The validated environment spec (components/config/load.ts). */
  readonly spec: EnvironmentSpec;
  /** The application's name (`app.kubernetes.io/part-of`). Defaults to the Pulumi project. */
  readonly application?: string;
  /** Reads `{config: key}` secret references. Defaults to `new pulumi.Config("golive")`. */
  readonly config?: pulumi.Config;
  /** Folder that relative paths in the spec (the license file) start from. Defaults to the cwd. */
  readonly root?: string;
}

/**
 * Orders services so that each comes after what it depends on (data services first). Throws on a
 * cycle, naming it.
 */
export function startOrder(
  services: Readonly<Record<string, { dependsOn: readonly string[] }>>,
): string[] {
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === "done" || !(name in services)) {
      return;
    }
    if (state.get(name) === "visiting") {
      throw new Error(`services depend on each other in a cycle: ${[...path, name].join(" -> ")}`);
    }
    state.set(name, "visiting");
    for (const dep of services[name].dependsOn) {
      visit(dep, [...path, name]);
    }
    state.set(name, "done");
    order.push(name);
  };
  for (const name of Object.keys(services).sort()) {
    visit(name, []);
  }
  return order;
}

/** A whole environment: its runtime, data services and app services, in dependency order. */
export class Environment extends pulumi.ComponentResource {
  public readonly runtime: Runtime;
  public readonly postgres?: PostgresCluster;
  public readonly services: Record<string, AppService> = {};
  public readonly gateway?: Gateway;
  public readonly facts: EnvironmentFacts;

  constructor(name: string, args: EnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("golive:index:Environment", name, {}, opts);
    const { spec } = args;
    const config = args.config ?? new pulumi.Config("golive");
    const context: RuntimeContext = {
      prefix: name,
      partOf: args.application ?? pulumi.getProject(),
      tier: spec.tier,
      labels: spec.labels,
    };
    this.runtime = this.makeRuntime(name, spec, context, config);

    const license = spec.license
      ? readLicense(spec.license, args.root ?? process.cwd())
      : undefined;
    this.facts = new EnvironmentFacts(
      `${name}-facts`,
      {
        tier: spec.tier,
        runtime: spec.runtime,
        host: spec.host,
        features: spec.features,
        license:
          spec.license && license?.license
            ? {
                file: spec.license.file,
                customer: license.license.customer,
                modules: license.license.modules,
                expires: license.license.expires,
                requiredModules: spec.license.requiredModules,
              }
            : undefined,
        licenseProblems: license?.problems ?? [],
      },
      { parent: this },
    );
    const featureEnv = Object.fromEntries(
      Object.entries(spec.features).map(([k, v]) => [`FEATURE_${k.toUpperCase()}`, String(v)]),
    );

    const workloads: Record<string, Workload> = {};
    if (spec.postgres) {
      this.postgres = new PostgresCluster(
        `${name}-postgres`,
        { spec: spec.postgres, runtime: this.runtime, imageRegistry: spec.imageRegistry },
        { parent: this },
      );
      workloads.postgres = this.postgres.primary;
    }

    let order: string[];
    try {
      order = startOrder(spec.services);
    } catch (e) {
      throw new pulumi.ResourceError((e as Error).message, this);
    }
    for (const svc of order) {
      const s = spec.services[svc];
      const secretEnv: Record<string, pulumi.Output<string>> = {};
      for (const [key, ref] of Object.entries(s.secretEnv)) {
        secretEnv[key] = this.resolveSecret(`${name}-${svc}-${key.toLowerCase()}`, ref, config);
      }
      const extraEnv: Record<string, string> = { ...featureEnv };
      if (this.postgres && s.dependsOn.includes("postgres")) {
        extraEnv.DATABASE_HOST = "postgres";
        extraEnv.DATABASE_PORT = String(this.postgres.port);
        extraEnv.DATABASE_NAME = this.postgres.database;
        extraEnv.DATABASE_USER = this.postgres.user;
        secretEnv.DATABASE_PASSWORD = this.postgres.password;
      }
      this.services[svc] = new AppService(
        `${name}-${svc}`,
        {
          serviceName: svc,
          spec: s,
          runtime: this.runtime,
          secretEnv,
          extraEnv,
          dependsOn: s.dependsOn.map((d) => workloads[d]).filter((w) => w !== undefined),
          imageRegistry: spec.imageRegistry,
        },
        { parent: this },
      );
      workloads[svc] = this.services[svc].workload;
    }
    if (spec.gateway) {
      this.gateway = new Gateway(
        `${name}-gateway`,
        {
          spec: spec.gateway,
          services: spec.services,
          runtime: this.runtime,
          upstreams: Object.keys(spec.services).map((s) => workloads[s]),
          config,
          imageRegistry: spec.imageRegistry,
        },
        { parent: this },
      );
    }
    this.registerOutputs({ services: Object.keys(this.services) });
  }

  private makeRuntime(
    name: string,
    spec: EnvironmentSpec,
    context: RuntimeContext,
    config: pulumi.Config,
  ): Runtime {
    switch (spec.runtime) {
      case "docker":
        return new DockerRuntime(`${name}-docker`, { context }, { parent: this });
      case "kubernetes":
        return new KubernetesRuntime(
          `${name}-kubernetes`,
          {
            context,
            namespace: spec.kubernetes.namespace,
            renderYamlToDirectory: spec.kubernetes.renderYamlToDirectory,
          },
          { parent: this },
        );
      case "lxc": {
        // The spec's refinement guarantees the lxc block for the lxc runtime.
        const lxc = spec.lxc!;
        const names = [
          ...Object.keys(spec.services),
          ...(spec.postgres ? ["postgres"] : []),
          ...(spec.gateway ? ["gateway"] : []),
        ];
        return new LxcRuntime(
          `${name}-lxc`,
          {
            context,
            connection: {
              host: lxc.node.host,
              port: lxc.node.port,
              user: lxc.node.user,
              privateKey: lxc.node.privateKeyConfig
                ? config.requireSecret(lxc.node.privateKeyConfig)
                : undefined,
            },
            template: lxc.template,
            storage: lxc.storage,
            bridge: lxc.bridge,
            ids: allocateIds(names, lxc.ids, lxc.firstId),
            firstId: lxc.firstId,
          },
          { parent: this },
        );
      }
    }
  }

  private resolveSecret(
    name: string,
    ref: SecretRefSpec,
    config: pulumi.Config,
  ): pulumi.Output<string> {
    if ("config" in ref) {
      return config.requireSecret(ref.config);
    }
    return new GeneratedSecret(name, { length: ref.generate.length }, { parent: this }).secret;
  }
}
