/**
 * The services an environment can run, in one table: each data service's component and the
 * workloads it declares. The Environment builds the data services from it; LXC's CT-IDs and the
 * load-time check of spec `hostPorts` read the workloads every service declares (`workloadPorts`),
 * from the same functions the components name their workloads with.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { EnvironmentSpec } from "../config/spec";
import { gatewayWorkloads } from "../gateway";
import type { Runtime } from "../runtime/workload";
import { appWorkloads } from "./app";
import { declaredPortNumbers, declaredPorts, type Declaration, type ServiceClient } from "./client";
import { Elasticsearch, elasticsearchWorkloads } from "./elasticsearch";
import { Minio, minioWorkloads } from "./minio";
import { MongoDB, mongodbWorkloads } from "./mongodb";
import { monitoringWorkloads } from "./monitoring";
import { PostgresCluster, postgresWorkloads } from "./postgres";
import { RabbitMQ, rabbitmqWorkloads } from "./rabbitmq";
import { Redis, redisWorkloads } from "./redis";

/** The data services a spec may declare (its top-level keys); services may depend on them by these names. */
export const dataServices = [
  "postgres",
  "redis",
  "rabbitmq",
  "elasticsearch",
  "minio",
  "mongodb",
] as const;

export type DataServiceName = (typeof dataServices)[number];
type DataSpec<K extends DataServiceName> = NonNullable<EnvironmentSpec[K]>;

/** A data service as the Environment builds it: a component that describes its client. */
export interface DataService extends pulumi.ComponentResource {
  readonly client: ServiceClient;
}

/** How to make one kind of data service, and which workloads it runs. */
export interface DataServiceKind<K extends DataServiceName> {
  readonly make: (
    name: string,
    args: { spec: DataSpec<K>; runtime: Runtime; imageRegistry?: string },
    opts: pulumi.ComponentResourceOptions,
  ) => DataService;
  readonly workloads: (spec: DataSpec<K>) => Declaration;
}

export const dataServiceKinds: { readonly [K in DataServiceName]: DataServiceKind<K> } = {
  postgres: { make: (n, a, o) => new PostgresCluster(n, a, o), workloads: postgresWorkloads },
  redis: { make: (n, a, o) => new Redis(n, a, o), workloads: redisWorkloads },
  rabbitmq: { make: (n, a, o) => new RabbitMQ(n, a, o), workloads: rabbitmqWorkloads },
  elasticsearch: {
    make: (n, a, o) => new Elasticsearch(n, a, o),
    workloads: elasticsearchWorkloads,
  },
  minio: { make: (n, a, o) => new Minio(n, a, o), workloads: minioWorkloads },
  mongodb: { make: (n, a, o) => new MongoDB(n, a, o), workloads: mongodbWorkloads },
};

/** The data service `key` of `spec`, when the spec declares it. */
export function dataServiceSpec<K extends DataServiceName>(
  spec: EnvironmentSpec,
  key: K,
): DataSpec<K> | undefined {
  return spec[key] as DataSpec<K> | undefined;
}

/**
 * Every long-running workload an environment runs (jobs run inside one of them), in a stable
 * order, with the names of its ports: app services, data services, monitoring, gateway. A unit
 * test checks this against the workloads the components actually declare.
 */
export function workloadPorts(spec: EnvironmentSpec): Record<string, string[]> {
  return declaredPorts(declarations(spec));
}

/** Every long-running workload's ports as port name → the port it listens on. */
export function workloadPortNumbers(spec: EnvironmentSpec): Record<string, Record<string, number>> {
  return declaredPortNumbers(declarations(spec));
}

function declarations(spec: EnvironmentSpec): Declaration {
  return [
    Object.entries(spec.services).map(([n, s]) => appWorkloads(n, s)),
    ...dataServices.map((key) => dataWorkloads(spec, key)),
    spec.monitoring && monitoringWorkloads(spec.monitoring),
    spec.gateway && gatewayWorkloads(),
  ];
}

function dataWorkloads<K extends DataServiceName>(spec: EnvironmentSpec, key: K): Declaration {
  const s = dataServiceSpec(spec, key);
  return s && dataServiceKinds[key].workloads(s);
}

/** Every workload an environment runs (LXC gives each a container and a CT-ID). */
export function workloadNames(spec: EnvironmentSpec): string[] {
  return Object.keys(workloadPorts(spec));
}
