import * as pulumi from "@pulumi/pulumi";
import type { ServiceSpec } from "../../config/spec";
import type { Runtime, Workload, WorkloadFile } from "../../runtime/workload";

export interface AppServiceArgs {
  /** The service's key in the spec: its host name inside the environment. */
  readonly serviceName: string;
  /** The validated service spec. */
  readonly spec: ServiceSpec;
  /** The runtime that realises the service. */
  readonly runtime: Runtime;
  /** Secret environment values, resolved from the spec's secret references. */
  readonly secretEnv: Readonly<Record<string, pulumi.Output<string>>>;
  /** Extra plain environment (e.g. connection settings of data services). Defaults to none. */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /** The workloads this service waits for (data services, migrations). Defaults to none. */
  readonly dependsOn?: readonly Workload[];
  /** Prefix for images (registry or mirror). Defaults to none. */
  readonly imageRegistry?: string;
  /** Files delivered to the service (e.g. package manifests). Defaults to none. */
  readonly files?: readonly WorkloadFile[];
  /** Extra labels (e.g. colour, canary step). Defaults to none. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** An application service or worker of the environment. */
export class AppService extends pulumi.ComponentResource {
  public readonly workload: Workload;

  constructor(name: string, args: AppServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("golive:app:AppService", name, {}, opts);
    const { spec } = args;
    this.workload = args.runtime.workload(
      {
        name: args.serviceName,
        component: spec.worker ? "worker" : "app",
        image: `${args.imageRegistry ?? ""}${spec.image}`,
        command: spec.command,
        env: { ...(args.extraEnv ?? {}), ...spec.env },
        secretEnv: args.secretEnv,
        ports: spec.ports,
        volumes: [],
        files: args.files ?? [],
        healthCheck: spec.healthCheck,
        resources: spec.resources,
        replicas: spec.replicas,
        startOrder: spec.startOrder,
        stateful: false,
        gpu: spec.gpu,
        securityContext: spec.securityContext,
        labels: {
          ...(args.labels ?? {}),
          // What it waits for, by name: the policy pack checks the order is real.
          "golive.dev/depends-on": [...new Set((args.dependsOn ?? []).map((d) => d.name))]
            .sort()
            .join(","),
        },
        packages: spec.packages,
      },
      args.dependsOn ?? [],
      this,
    );
    this.registerOutputs({ host: this.workload.host });
  }
}
