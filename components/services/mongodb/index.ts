import * as pulumi from "@pulumi/pulumi";
import { label } from "../../../policies/lib/contract";
import type { MongodbSpec } from "../../config/spec";
import { workload, type Runtime, type Workload } from "../../runtime/workload";
import { GeneratedSecret } from "../../secrets/generated";
import type { ServiceClient } from "../client";

export interface MongoDBArgs {
  /** The validated MongoDB spec. */
  readonly spec: MongodbSpec;
  /** The runtime that realises MongoDB. */
  readonly runtime: Runtime;
  /** Prefix for images (registry or mirror). Defaults to none. */
  readonly imageRegistry?: string;
}

/** The workloads MongoDB runs: one server. */
export function mongodbWorkloads() {
  return {
    mongodb: { name: "mongodb", ports: [{ name: "mongodb", port: 27017, public: false }] },
  } as const;
}

/** MongoDB with authentication on (root user from the official image's MONGO_INITDB_* variables). */
export class MongoDB extends pulumi.ComponentResource {
  public readonly workload: Workload;
  public readonly host = "mongodb";
  public readonly port = 27017;
  /** The root user the official image creates, whom the apps connect as. */
  public readonly user = "root";
  public readonly password: pulumi.Output<string>;
  /** MONGODB_HOST, MONGODB_PORT and MONGODB_URL (authSource admin) for dependants. */
  public readonly client: ServiceClient;

  constructor(name: string, args: MongoDBArgs, opts?: pulumi.ComponentResourceOptions) {
    super("golive:data:MongoDB", name, {}, opts);
    const { spec, runtime } = args;
    const password = new GeneratedSecret(`${name}-root-password`, { length: 32 }, { parent: this });
    this.password = password.secret;
    this.workload = runtime.workload(
      workload({
        ...mongodbWorkloads().mongodb,
        component: "database",
        image: `${args.imageRegistry ?? ""}${spec.image ?? `mongo:${spec.version}`}`,
        command: ["mongod", "--auth", "--bind_ip_all"],
        env: { MONGO_INITDB_ROOT_USERNAME: this.user, MONGO_INITDB_DATABASE: spec.database },
        secretEnv: { MONGO_INITDB_ROOT_PASSWORD: password.secret },
        volumes: [{ name: "data", mountPath: "/data/db", sizeGb: spec.storageGb, retain: true }],
        healthCheck: {
          command: ["mongosh", "--quiet", "--eval", "db.adminCommand('ping').ok"],
          intervalSeconds: 10,
          timeoutSeconds: 5,
          retries: 10,
          startPeriodSeconds: 20,
        },
        resources: spec.resources,
        startOrder: 10,
        stateful: true,
        labels: { [label.mongodbVersion]: spec.version },
        imageUser: 999,
      }),
      [],
      this,
    );
    this.client = {
      env: { MONGODB_HOST: this.host, MONGODB_PORT: String(this.port) },
      secretEnv: {
        MONGODB_URL: pulumi.interpolate`mongodb://${this.user}:${this.password}@${this.host}:${this.port}/${spec.database}?authSource=admin`,
      },
      ready: [this.workload],
      scrapeTargets: [],
    };
    this.registerOutputs({ host: this.host, port: this.port });
  }
}
