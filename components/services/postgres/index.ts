import * as pulumi from "@pulumi/pulumi";
import type { PostgresSpec } from "../../config/spec";
import type { Runtime, Workload } from "../../runtime/workload";
import { GeneratedSecret } from "../../secrets/generated";

export interface PostgresClusterArgs {
  /** The validated PostgreSQL spec. */
  readonly spec: PostgresSpec;
  /** The runtime that realises the cluster's workloads. */
  readonly runtime: Runtime;
  /** Prefix for images (registry or mirror). Defaults to none. */
  readonly imageRegistry?: string;
}

/**
 * PostgreSQL for an environment. The image follows the official image's conventions
 * (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, PGDATA); the password is generated and travels
 * only as a secret.
 */
export class PostgresCluster extends pulumi.ComponentResource {
  /** The primary's workload, for `dependsOn` of the apps. */
  public readonly primary: Workload;
  /** Host name the apps connect to. */
  public readonly host: pulumi.Output<string>;
  public readonly port: number = 5432;
  public readonly database: string;
  public readonly user: string;
  /** The application user's password (secret). */
  public readonly password: pulumi.Output<string>;

  constructor(name: string, args: PostgresClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("golive:data:PostgresCluster", name, {}, opts);
    const { spec } = args;
    this.database = spec.database;
    this.user = spec.user;
    const password = new GeneratedSecret(`${name}-password`, { length: 32 }, { parent: this });
    this.password = password.secret;
    const image = `${args.imageRegistry ?? ""}${spec.image ?? `postgres:${spec.version}`}`;

    this.primary = args.runtime.workload(
      {
        name: "postgres",
        component: "database",
        image,
        env: {
          POSTGRES_USER: spec.user,
          POSTGRES_DB: spec.database,
          PGDATA: "/var/lib/postgresql/data/pgdata",
        },
        secretEnv: { POSTGRES_PASSWORD: password.secret },
        ports: [{ name: "postgres", port: this.port, public: false }],
        volumes: [
          {
            name: "data",
            mountPath: "/var/lib/postgresql/data",
            sizeGb: spec.storageGb,
            retain: true,
          },
        ],
        files: [],
        healthCheck: {
          command: ["pg_isready", "-U", spec.user, "-d", spec.database],
          intervalSeconds: 5,
          timeoutSeconds: 5,
          retries: 10,
          startPeriodSeconds: 10,
        },
        resources: spec.resources,
        replicas: 1,
        startOrder: 10,
        stateful: true,
        labels: {},
        packages: [`postgresql-${spec.version.split(".")[0]}`],
      },
      [],
      this,
    );
    this.host = this.primary.host;
    this.registerOutputs({ host: this.host, database: this.database, user: this.user });
  }
}
