import * as pulumi from "@pulumi/pulumi";
import { label } from "../../../policies/lib/contract";
import type { EnvironmentSpec, ServiceSpec } from "../../config/spec";
import { releases, versionOf } from "../../release/bluegreen";
import {
  workload,
  type DeclaredWorkload,
  type LxcArtifact,
  type Runtime,
  type Workload,
  type WorkloadFile,
  type WorkloadPort,
} from "../../runtime/workload";
import type { ServiceClient } from "../client";

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

/** An app service's ports as its workloads declare them. */
export function appPorts(s: ServiceSpec): WorkloadPort[] {
  return s.ports.map((p) => ({ name: p.name, port: p.port, public: p.public }));
}

/** The workloads an app service runs: one per release (itself, or each blue/green colour). */
export function appWorkloads(service: string, s: ServiceSpec): DeclaredWorkload[] {
  return releases(service, s).map((r) => ({ name: r.workload, ports: appPorts(s) }));
}

/**
 * The environment golive gives an app service beneath its own `env` (which wins): the logging
 * defaults the checklists ask for (LOG_LEVEL by tier, LOG_DIR), FEATURE_<flag> per feature flag,
 * the connection settings of the data services it depends on, and MAINTENANCE_MODE; and its
 * secret env, the data services' secret settings over its own resolved secrets.
 */
export function appServiceEnv(
  service: string,
  spec: Pick<EnvironmentSpec, "tier" | "features" | "maintenance">,
  clients: readonly ServiceClient[],
  secretEnv: Readonly<Record<string, pulumi.Output<string>>>,
): { env: Record<string, string>; secretEnv: Record<string, pulumi.Output<string>> } {
  const env: Record<string, string> = {
    LOG_LEVEL: spec.tier === "dev" ? "DEBUG" : "INFO",
    LOG_DIR: `/var/log/${service}`,
    ...Object.fromEntries(
      Object.entries(spec.features).map(([k, v]) => [`FEATURE_${k.toUpperCase()}`, String(v)]),
    ),
  };
  const secrets = { ...secretEnv };
  for (const c of clients) {
    Object.assign(env, c.env);
    Object.assign(secrets, c.secretEnv);
  }
  env.MAINTENANCE_MODE = String(spec.maintenance.enabled);
  return { env, secretEnv: secrets };
}

/**
 * The version of the release artefact a service's workload runs on LXC (the version its image
 * names); undefined without `artifact`. parseSpec has checked that each version has its digest.
 */
export function lxcArtifact(spec: ServiceSpec): LxcArtifact | undefined {
  if (!spec.artifact) return undefined;
  const version = versionOf(spec.image);
  return {
    url: spec.artifact.url.replaceAll("{version}", version),
    sha256: spec.artifact.sha256[version],
    version,
  };
}

/** An application service or worker of the environment. */
export class AppService extends pulumi.ComponentResource {
  public readonly workload: Workload;

  constructor(name: string, args: AppServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("golive:app:AppService", name, {}, opts);
    const { spec } = args;
    this.workload = args.runtime.workload(
      workload({
        name: args.serviceName,
        component: spec.worker ? "worker" : "app",
        image: `${args.imageRegistry ?? ""}${spec.image}`,
        command: spec.command,
        env: { ...(args.extraEnv ?? {}), ...spec.env },
        secretEnv: args.secretEnv,
        ports: appPorts(spec),
        files: args.files ?? [],
        healthCheck: spec.healthCheck,
        resources: spec.resources,
        replicas: spec.replicas,
        startOrder: spec.startOrder,
        gpu: spec.gpu,
        securityContext: spec.securityContext,
        labels: {
          ...(args.labels ?? {}),
          // What it waits for, by name: the policy pack checks the order is real.
          [label.dependsOn]: [...new Set((args.dependsOn ?? []).map((d) => d.name))]
            .sort()
            .join(","),
        },
        lxc: {
          packages: spec.packages,
          template: spec.template,
          artifact: lxcArtifact(spec),
        },
      }),
      args.dependsOn ?? [],
      this,
    );
    this.registerOutputs({ host: this.workload.host });
  }
}
