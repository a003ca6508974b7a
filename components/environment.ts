import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentSpec, SecretRefSpec } from "./config/spec";
import { workloadNames } from "./config/workloads";

export { workloadNames, workloadPorts } from "./config/workloads";
import { EnvironmentFacts, type BlueGreenFacts } from "./facts";
import { Gateway } from "./gateway";
import { readLicense } from "./license";
import { enabledAccounts, manifests } from "./release/canary";
import { DockerRuntime } from "./runtime/docker";
import { KubernetesRuntime } from "./runtime/kubernetes";
import type { RuntimeContext } from "./runtime/labels";
import { allocateIds, LxcRuntime } from "./runtime/lxc";
import type { Runtime, Workload } from "./runtime/workload";
import { GeneratedSecret } from "./secrets/generated";
import { configSecret } from "./secrets/lengths";
import { AppService } from "./services/app";
import { Elasticsearch } from "./services/elasticsearch";
import { Minio } from "./services/minio";
import { MongoDB } from "./services/mongodb";
import { MonitoringStack } from "./services/monitoring";
import type { ScrapeTarget } from "./services/monitoring/config";
import { PostgresCluster } from "./services/postgres";
import { RabbitMQ } from "./services/rabbitmq";
import { Redis } from "./services/redis";

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

/**
 * Blue/green services: the active colour, each colour's gateway weight (the explicit split, or all
 * traffic on the active colour) and release. Recorded in the facts and used by the gateway.
 */
export function blueGreenFacts(
  services: EnvironmentSpec["services"],
): Record<string, BlueGreenFacts> {
  const out: Record<string, BlueGreenFacts> = {};
  for (const [svc, s] of Object.entries(services)) {
    const bg = s.blueGreen;
    if (!bg) continue;
    out[svc] = {
      active: bg.active,
      weights: bg.weights ?? {
        blue: bg.active === "blue" ? 100 : 0,
        green: bg.active === "green" ? 100 : 0,
      },
      releases: { blue: bg.blue, green: bg.green },
    };
  }
  return out;
}

/** A whole environment: its runtime, data services and app services, in dependency order. */
export class Environment extends pulumi.ComponentResource {
  public readonly runtime: Runtime;
  public readonly postgres?: PostgresCluster;
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
    };
    this.runtime = this.makeRuntime(name, spec, context, config);

    const license = spec.license
      ? readLicense(spec.license, args.root ?? process.cwd())
      : undefined;
    const blueGreen = blueGreenFacts(spec.services);
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
        blueGreen,
      },
      { parent: this },
    );
    const featureEnv = Object.fromEntries(
      Object.entries(spec.features).map(([k, v]) => [`FEATURE_${k.toUpperCase()}`, String(v)]),
    );

    // Data services first; each offers the env its clients need and the workloads they wait for.
    const workloads: Record<string, Workload[]> = {};
    const clientEnv: Record<
      string,
      { env: Record<string, string>; secretEnv: Record<string, pulumi.Output<string>> }
    > = {};
    const targets: ScrapeTarget[] = [];
    const registry = spec.imageRegistry;
    if (spec.postgres) {
      const pg = new PostgresCluster(
        `${name}-postgres`,
        { spec: spec.postgres, runtime: this.runtime, imageRegistry: registry },
        { parent: this },
      );
      this.postgres = pg;
      workloads.postgres = pg.ready;
      targets.push(...pg.scrapeTargets);
      clientEnv.postgres = {
        env: {
          DATABASE_HOST: pg.host,
          DATABASE_PORT: String(pg.port),
          DATABASE_NAME: pg.database,
          DATABASE_USER: pg.user,
        },
        secretEnv: {
          DATABASE_PASSWORD: pg.password,
          DATABASE_URL: pulumi.interpolate`postgresql://${pg.user}:${pg.password}@${pg.host}:${pg.port}/${pg.database}`,
        },
      };
    }
    if (spec.redis) {
      const redis = new Redis(
        `${name}-redis`,
        { spec: spec.redis, runtime: this.runtime, imageRegistry: registry },
        { parent: this },
      );
      workloads.redis = [redis.workload];
      targets.push(...redis.scrapeTargets);
      clientEnv.redis = {
        env: { REDIS_HOST: redis.host, REDIS_PORT: String(redis.port) },
        secretEnv: {
          REDIS_PASSWORD: redis.password,
          REDIS_URL: pulumi.interpolate`redis://:${redis.password}@${redis.host}:${redis.port}/0`,
        },
      };
    }
    if (spec.rabbitmq) {
      const mq = new RabbitMQ(
        `${name}-rabbitmq`,
        { spec: spec.rabbitmq, runtime: this.runtime, imageRegistry: registry },
        { parent: this },
      );
      workloads.rabbitmq = [mq.workload];
      targets.push(...mq.scrapeTargets);
      const appUser = Object.keys(spec.rabbitmq.users).sort()[0] ?? "admin";
      const vhost = spec.rabbitmq.vhosts[0] === "/" ? "%2F" : spec.rabbitmq.vhosts[0];
      const amqpUrl = pulumi.interpolate`amqp://${appUser}:${mq.passwords[appUser]}@${mq.host}:${mq.port}/${vhost}`;
      clientEnv.rabbitmq = {
        env: { RABBITMQ_HOST: mq.host, RABBITMQ_PORT: String(mq.port), RABBITMQ_USER: appUser },
        secretEnv: {
          RABBITMQ_PASSWORD: mq.passwords[appUser],
          AMQP_URL: amqpUrl,
          // RABBITMQ_URL as the PSA checklist names it.
          RABBITMQ_URL: amqpUrl,
        },
      };
    }
    if (spec.elasticsearch) {
      const es = new Elasticsearch(
        `${name}-elasticsearch`,
        { spec: spec.elasticsearch, runtime: this.runtime, imageRegistry: registry },
        { parent: this },
      );
      workloads.elasticsearch = [es.workload];
      clientEnv.elasticsearch = {
        env: { ELASTICSEARCH_URL: `http://${es.host}:${es.port}`, ELASTICSEARCH_USER: "elastic" },
        secretEnv: { ELASTICSEARCH_PASSWORD: es.password },
      };
    }
    if (spec.minio) {
      const minio = new Minio(
        `${name}-minio`,
        { spec: spec.minio, runtime: this.runtime, imageRegistry: registry },
        { parent: this },
      );
      workloads.minio = [minio.workload];
      targets.push({ job: "minio", address: "minio:9000", path: "/minio/v2/metrics/cluster" });
      clientEnv.minio = {
        // S3_* for S3 clients, MINIO_ENDPOINT as the Ablage checklist names it.
        env: {
          S3_ENDPOINT: minio.endpoint,
          MINIO_ENDPOINT: minio.endpoint,
          S3_ACCESS_KEY: minio.accessKey,
        },
        secretEnv: { S3_SECRET_KEY: minio.secretKey },
      };
    }
    if (spec.mongodb) {
      const mongo = new MongoDB(
        `${name}-mongodb`,
        { spec: spec.mongodb, runtime: this.runtime, imageRegistry: registry },
        { parent: this },
      );
      workloads.mongodb = [mongo.workload];
      clientEnv.mongodb = {
        env: { MONGODB_HOST: mongo.host, MONGODB_PORT: String(mongo.port) },
        secretEnv: {
          MONGODB_URL: pulumi.interpolate`mongodb://root:${mongo.password}@${mongo.host}:${mongo.port}/${spec.mongodb.database}?authSource=admin`,
        },
      };
    }

    for (const svc of order) {
      const s = spec.services[svc];
      const secretEnv: Record<string, pulumi.Output<string>> = {};
      for (const [key, ref] of Object.entries(s.secretEnv)) {
        secretEnv[key] = this.resolveSecret(`${name}-${svc}-${key.toLowerCase()}`, ref, config);
      }
      // Logging defaults the checklists ask for; the service's own env wins.
      const extraEnv: Record<string, string> = {
        LOG_LEVEL: spec.tier === "dev" ? "DEBUG" : "INFO",
        LOG_DIR: `/var/log/${svc}`,
        ...featureEnv,
      };
      for (const dep of s.dependsOn) {
        const client = clientEnv[dep];
        if (client) {
          Object.assign(extraEnv, client.env);
          Object.assign(secretEnv, client.secretEnv);
        }
      }
      const dependsOn = s.dependsOn.flatMap((d) => workloads[d] ?? []);
      if (s.migration) {
        // parseSpec refuses a migration without postgres.
        dependsOn.push(
          this.postgres!.migration(svc, `${registry}${s.image}`, s.migration.command, this),
        );
      }
      extraEnv.MAINTENANCE_MODE = String(spec.maintenance.enabled);
      const canaries = spec.canaries.filter((c) => c.service === svc);
      const files = canaries.flatMap((c) =>
        manifests(c).map((m) => ({
          path: `/etc/golive/packages/${c.package}/${m.account}.json`,
          content: m.manifest,
          secret: false,
        })),
      );
      const labels = Object.fromEntries(
        canaries.map((c) => [
          `golive.dev/canary.${c.package}`,
          `step=${c.step},previous=${c.previousStep},enabled=${enabledAccounts(c).length}/${c.accounts.length}`,
        ]),
      );
      if (s.blueGreen) {
        // Both colours run; the idle one stays for rollback. Dependants and the gateway wait for both.
        const bg = s.blueGreen;
        const repo = s.image.includes(":") ? s.image.slice(0, s.image.lastIndexOf(":")) : s.image;
        workloads[svc] = (["blue", "green"] as const).map((colour) => {
          const app = new AppService(
            `${name}-${svc}-${colour}`,
            {
              serviceName: `${svc}-${colour}`,
              spec: { ...s, image: `${repo}:${bg[colour]}` },
              runtime: this.runtime,
              secretEnv,
              extraEnv: { ...extraEnv, APP_COLOR: colour, APP_VERSION: bg[colour] },
              dependsOn,
              imageRegistry: registry,
              files,
              labels: {
                ...labels,
                "golive.dev/color": colour,
              },
            },
            { parent: this },
          );
          this.services[`${svc}-${colour}`] = app;
          return app.workload;
        });
      } else {
        this.services[svc] = new AppService(
          `${name}-${svc}`,
          {
            serviceName: svc,
            spec: s,
            runtime: this.runtime,
            secretEnv,
            extraEnv,
            dependsOn,
            imageRegistry: registry,
            files,
            labels,
          },
          { parent: this },
        );
        workloads[svc] = [this.services[svc].workload];
      }
      const metricsPort = s.ports[0]?.port;
      if (metricsPort !== undefined) {
        for (const host of s.blueGreen ? [`${svc}-blue`, `${svc}-green`] : [svc]) {
          targets.push({ job: host, address: `${host}:${metricsPort}` });
        }
      }
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
          colours: blueGreen,
          maintenance: spec.maintenance,
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
        const names = workloadNames(spec);
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
      return configSecret(config, ref.config);
    }
    return new GeneratedSecret(name, { length: ref.generate.length }, { parent: this }).secret;
  }
}
