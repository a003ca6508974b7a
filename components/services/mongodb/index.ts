import * as pulumi from "@pulumi/pulumi";
import type { MongodbSpec } from "../../config/spec";
import type { Runtime, Workload } from "../../runtime/workload";
import { GeneratedSecret } from "../../secrets/generated";

export interface MongoDBArgs {
  /** The validated MongoDB spec. */
  readonly spec: MongodbSpec;
  /** The runtime that realises MongoDB. */
  readonly runtime: Runtime;
  /** Prefix for images (registry or mirror). Defaults to none. */
  readonly imageRegistry?: string;
}

/** MongoDB with authentication on (root user from the official image's MONGO_INITDB_* variables). */
export class MongoDB extends pulumi.ComponentResource {
  public readonly workload: Workload;
  public readonly host = "mongodb";
  public readonly port = 27017;
  public readonly password: pulumi.Output<string>;

  constructor(name: string, args: MongoDBArgs, opts?: pulumi.ComponentResourceOptions) {
    super("golive:data:MongoDB", name, {}, opts);
    const { spec, runtime } = args;
    const password = new GeneratedSecret(`${name}-root-password`, { length: 32 }, { parent: this });
    this.password = password.secret;
    this.workload = runtime.workload(
      {
        name: "mongodb",
        component: "database",
        image: `${args.imageRegistry ?? ""}${spec.image ?? `mongo:${spec.version}`}`,
        command: ["mongod", "--auth", "--bind_ip_all"],
        env: { MONGO_INITDB_ROOT_USERNAME: "root", MONGO_INITDB_DATABASE: spec.database },
        secretEnv: { MONGO_INITDB_ROOT_PASSWORD: password.secret },
        ports: [{ name: "mongodb", port: 27017, public: false }],
        volumes: [{ name: "data", mountPath: "/data/db", sizeGb: spec.storageGb, retain: true }],
        files: [],
        healthCheck: {
          command: ["mongosh", "--quiet", "--eval", "db.adminCommand('ping').ok"],
          intervalSeconds: 10,
          timeoutSeconds: 5,
          retries: 10,
          startPeriodSeconds: 20,
        },
        resources: spec.resources,
        replicas: 1,
        startOrder: 10,
        stateful: true,
        runAsUser: 999,
        dockerUser: "image",
        labels: { "golive.dev/mongodb-version": spec.version },
      },
      [],
      this,
    );
    this.registerOutputs({ host: this.host, port: this.port });
  }
}
