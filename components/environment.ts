import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentSpec, SecretRefSpec } from "./config/spec";
import { EnvironmentFacts, environmentFacts } from "./facts";
import { Gateway } from "./gateway";
import { colourWorkload, releases } from "./release/bluegreen";
import { canaryDelivery } from "./release/canary";
import { makeRuntime } from "./runtime";
import type { RuntimeContext } from "./runtime/labels";
import type { Runtime, Workload } from "./runtime/workload";
import { GeneratedSecret } from "./secrets/generated";
import { configSecret } from "./secrets/lengths";
import { dataServiceKinds, dataServices, dataServiceSpec, type DataServiceName } from "./services";
import { AppService, appServiceEnv } from "./services/app";
import type { ServiceClient } from "./services/client";
import { MonitoringStack } from "./services/monitoring";
import type { ScrapeTarget } from "./services/monitoring/config";
import { PostgresCluster } from "./services/postgres";
import { RabbitMQ } from "./services/rabbitmq";
import { Redis } from "./services/redis";

export { blueGreenFacts } from "./release/bluegreen";
export { makeRuntime } from "./runtime";
export { workloadNames, workloadPorts } from "./services";

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
 * Orders services so that each comes after what it depends on (data services first). parseSpec
 * refuses dependency cycles with their config path (components/config/consistency.ts), so a cycle
 * here is a bug: it throws, naming it.
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
      throw new Error(
        `startOrder: a dependency cycle reached the components (${[...path, name].join(" -> ")}); parseSpec refuses cycles`,
      );
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
  public readonly redis?: Redis;
  public readonly rabbitmq?: RabbitMQ;
  public readonly services: Record<string, AppService> = {};
  public readonly gateway?: Gateway;
  public readonly facts: EnvironmentFacts;
  public readonly monitoring?: MonitoringStack;

  constructor(name: string, args: EnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("golive:index:Environment", name, {}, opts);
    const { spec } = args;
    // The spec was checked as a whole by parseSpec (no cycle, no migration without postgres, …):
    // nothing below refuses spec content. The order is taken first all the same, so that were a
    // cycle to slip through, the assertion fires before any child is registered.
    const order = startOrder(spec.services);
    const config = args.config ?? new pulumi.Config("golive");
    const context: RuntimeContext = {
      prefix: name,
      partOf: args.application ?? pulumi.getProject(),
      tier: spec.tier,
      labels: spec.labels,
      waivers: spec.waivers,
      retainData: spec.dataRetention === "retain",
      hostPorts: spec.hostPorts,
      storageClassName: spec.kubernetes.storageClassName,
    };
    this.runtime = makeRuntime(name, spec, context, config, this);

    const facts = environmentFacts(spec, args.root ?? process.cwd());
    this.facts = new EnvironmentFacts(`${name}-facts`, facts, { parent: this });

    // Data services first; each describes what its clients get and wait for.
    const registry = spec.imageRegistry;
    const clients: Partial<Record<string, ServiceClient>> = {};
    const workloads: Record<string, readonly Workload[]> = {};
    const targets: ScrapeTarget[] = [];
    for (const key of dataServices) {
      const service = this.dataService(name, spec, key);
      if (!service) continue;
      clients[key] = service.client;
      workloads[key] = service.client.ready;
      targets.push(...service.client.scrapeTargets);
      if (service instanceof PostgresCluster) this.postgres = service;
      if (service instanceof Redis) this.redis = service;
      if (service instanceof RabbitMQ) this.rabbitmq = service;
    }

    for (const svc of order) {
      const s = spec.services[svc];
      const own: Record<string, pulumi.Output<string>> = {};
      for (const [key, ref] of Object.entries(s.secretEnv)) {
        own[key] = this.resolveSecret(`${name}-${svc}-${key.toLowerCase()}`, ref, config);
      }
      const used = s.dependsOn.flatMap((d) => clients[d] ?? []);
      const { env, secretEnv } = appServiceEnv(svc, spec, used, own);
      const dependsOn = s.dependsOn.flatMap((d) => workloads[d] ?? []);
      if (s.migration) {
        // parseSpec refuses a migration without postgres. It runs the release that serves after
        // this deployment: the service's, or a blue/green service's active colour's.
        const live = releases(svc, s).find(
          (r) => !s.blueGreen || r.workload === colourWorkload(svc, s.blueGreen.active),
        )!;
        dependsOn.push(
          this.postgres!.migration(
            svc,
            `${registry}${live.image}`,
            s.migration.command,
            this,
            live.workload,
          ),
        );
      }
      const canary = canaryDelivery(spec.canaries, svc);
      const metricsPort = s.ports[0]?.port;
      workloads[svc] = releases(svc, s).map((release) => {
        const app = new AppService(
          `${name}-${release.workload}`,
          {
            serviceName: release.workload,
            spec: { ...s, image: release.image },
            runtime: this.runtime,
            secretEnv,
            extraEnv: { ...env, ...release.env },
            dependsOn,
            imageRegistry: registry,
            files: canary.files,
            labels: { ...canary.labels, ...release.labels },
          },
          { parent: this },
        );
        this.services[release.workload] = app;
        if (metricsPort !== undefined) {
          targets.push({ job: release.workload, address: `${release.workload}:${metricsPort}` });
        }
        return app.workload;
      });
    }
    if (spec.gateway) {
      this.gateway = new Gateway(
        `${name}-gateway`,
        {
          spec: spec.gateway,
          services: spec.services,
          runtime: this.runtime,
          upstreams: Object.keys(spec.services).flatMap((s) => workloads[s]),
          config,
          imageRegistry: spec.imageRegistry,
          colours: facts.blueGreen,
          maintenance: spec.maintenance,
          tier: spec.tier,
        },
        { parent: this },
      );
    }
    if (spec.monitoring) {
      this.monitoring = new MonitoringStack(
        `${name}-monitoring`,
        { spec: spec.monitoring, runtime: this.runtime, targets, imageRegistry: registry },
        { parent: this },
      );
    }
    this.registerOutputs({ services: Object.keys(this.services) });
  }

  /** The data service `key` from the table, when the spec declares it. */
  private dataService<K extends DataServiceName>(name: string, spec: EnvironmentSpec, key: K) {
    const s = dataServiceSpec(spec, key);
    if (!s) return undefined;
    return dataServiceKinds[key].make(
      `${name}-${key}`,
      { spec: s, runtime: this.runtime, imageRegistry: spec.imageRegistry },
      { parent: this },
    );
  }

  private resolveSecret(
    name: string,
    ref: SecretRefSpec,
    config: pulumi.Config,
  ): pulumi.Output<string> {
    if ("config" in ref) {
      return configSecret(config, ref.config);
    }
    return new GeneratedSecret(name, { length: ref.generate.length }, { parent: this }).secret;
  }
}
