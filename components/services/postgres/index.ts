import * as pulumi from "@pulumi/pulumi";
import { label } from "../../../policies/lib/contract";
import type { PostgresSpec } from "../../config/spec";
import { workload, type Runtime, type Workload, type WorkloadSpec } from "../../runtime/workload";
import { GeneratedSecret } from "../../secrets/generated";
import type { ServiceClient } from "../client";
import { exporter, exporterWorkload } from "../monitoring/exporter";
import {
  backupDir,
  backupHealthCheck,
  backupLoop,
  lxcPostgresCommand,
  lxcPrimarySetup,
  lxcReplicaSetup,
  pgbouncerIni,
  postgresArgs,
  preMigrationBackup,
  primaryInitScript,
  replicaCommand,
  restoreScript,
  serverSettings,
  slotName,
  walArchiveDir,
} from "./config";

export interface PostgresClusterArgs {
  /** The validated PostgreSQL spec. */
  readonly spec: PostgresSpec;
  /** The runtime that realises the cluster's workloads. */
  readonly runtime: Runtime;
  /** Prefix for images (registry or mirror). Defaults to none. */
  readonly imageRegistry?: string;
}

/**
 * The workloads a cluster runs: the primary, each replica (`postgres-replica-<n>`), a
 * postgres_exporter next to each, the backup loop and pgBouncer when enabled. Migrations are
 * jobs inside the app's and the primary's workloads, not workloads of their own.
 */
export function postgresWorkloads(spec: PostgresSpec) {
  const instance = (name: string) => ({
    instance: { name, ports: [{ name: "postgres", port: 5432, public: false }] },
    exporter: exporterWorkload(name, 9187),
  });
  return {
    primary: instance("postgres"),
    replicas: Array.from({ length: spec.replicas }, (_, i) =>
      instance(`postgres-replica-${i + 1}`),
    ),
    backup: spec.backups.enabled ? { name: "postgres-backup", ports: [] } : undefined,
    pgbouncer: spec.pgbouncer.enabled
      ? { name: "pgbouncer", ports: [{ name: "pgbouncer", port: 6432, public: false }] }
      : undefined,
  };
}

/**
 * PostgreSQL for an environment: a primary with WAL archiving, N streaming replicas (hot standby,
 * one replication slot each), pgBouncer in front, a backup loop with retention, and a
 * postgres_exporter per instance for Prometheus (replication lag among its metrics). The images
 * follow the official image's conventions; passwords are generated and travel only as secrets.
 */
export class PostgresCluster extends pulumi.ComponentResource {
  /** The primary's workload. */
  public readonly primary: Workload;
  public readonly replicas: Workload[] = [];
  /** What apps wait for: the primary (and pgBouncer when enabled). */
  public readonly ready: Workload[];
  /** Host and port the apps connect to: pgBouncer when enabled, else the primary. */
  public readonly host: string;
  public readonly port: number;
  public readonly database: string;
  public readonly user: string;
  /** The application user's password (secret). */
  public readonly password: pulumi.Output<string>;
  /** Names and ports Prometheus scrapes (the exporters). */
  public readonly scrapeTargets: { job: string; address: string }[] = [];
  /**
   * DATABASE_HOST, DATABASE_PORT (pgBouncer when enabled), DATABASE_NAME, DATABASE_USER,
   * DATABASE_PASSWORD and DATABASE_URL for dependants, who wait for `ready`.
   */
  public readonly client: ServiceClient;
  private readonly args: PostgresClusterArgs;
  private readonly image: string;

  constructor(name: string, args: PostgresClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("golive:data:PostgresCluster", name, {}, opts);
    this.args = args;
    const { spec, runtime } = args;
    const registry = args.imageRegistry ?? "";
    this.database = spec.database;
    this.user = spec.user;
    this.image = `${registry}${spec.image ?? `postgres:${spec.version}`}`;
    const password = new GeneratedSecret(`${name}-password`, { length: 32 }, { parent: this });
    const replication = new GeneratedSecret(
      `${name}-replication-password`,
      { length: 32 },
      { parent: this },
    );
    this.password = password.secret;
    const declared = postgresWorkloads(spec);

    const base = {
      component: "database",
      image: this.image,
      env: {
        POSTGRES_USER: spec.user,
        POSTGRES_DB: spec.database,
        PGDATA: "/var/lib/postgresql/data/pgdata",
      },
      secretEnv: { POSTGRES_PASSWORD: password.secret, REPLICATION_PASSWORD: replication.secret },
      healthCheck: {
        command: ["pg_isready", "-U", spec.user, "-d", spec.database],
        intervalSeconds: 5,
        timeoutSeconds: 5,
        retries: 10,
        startPeriodSeconds: 10,
      },
      resources: spec.resources,
      stateful: true,
      labels: { [label.postgresVersion]: spec.version },
      lxc: { packages: [`postgresql-${spec.version.split(".")[0]}`] },
      // Docker: the official image's entrypoint initialises PGDATA, then runs PostgreSQL as postgres.
      imageUser: 999,
    } satisfies Partial<WorkloadSpec>;

    const dataVolume = {
      name: "data",
      mountPath: "/var/lib/postgresql/data",
      sizeGb: spec.storageGb,
      retain: true,
    };
    const archiveVolume = {
      name: "wal-archive",
      mountPath: walArchiveDir,
      sizeGb: spec.walArchive.storageGb,
      retain: true,
      // The images' entrypoints own PGDATA, not this folder: archive_command runs as postgres.
      owner: "postgres",
    };
    const major = spec.version.split(".")[0];
    const primarySettings = serverSettings({
      replicas: spec.replicas,
      walArchive: spec.walArchive.enabled,
      standby: false,
    });
    this.primary = runtime.workload(
      workload({
        ...base,
        ...declared.primary.instance,
        command: postgresArgs(primarySettings),
        // Debian's binaries, run as its postgres user; PGDATA initialised as the image's entrypoint
        // would, by the setup script (no docker-entrypoint-initdb.d on LXC).
        lxc: {
          ...base.lxc,
          command: lxcPostgresCommand(major, primarySettings),
          user: "postgres",
          stopSignal: "SIGINT",
          setup: lxcPrimarySetup(major, declared.primary.instance.name, spec.replicas),
          files: [],
        },
        volumes: spec.walArchive.enabled ? [dataVolume, archiveVolume] : [dataVolume],
        files: [
          {
            path: "/docker-entrypoint-initdb.d/10-golive-replication.sh",
            content: primaryInitScript(spec.replicas),
            secret: false,
          },
        ],
        startOrder: 10,
        labels: { ...base.labels, [label.postgresRole]: "primary" },
      }),
      [],
      this,
    );
    this.exporter(declared.primary, this.primary, password.secret);

    for (const [i, r] of declared.replicas.entries()) {
      const standbySettings = serverSettings({
        replicas: spec.replicas,
        walArchive: spec.walArchive.enabled,
        standby: true,
      });
      const replica = runtime.workload(
        workload({
          ...base,
          ...r.instance,
          command: replicaCommand(declared.primary.instance.name, slotName(i + 1), standbySettings),
          // Debian's binaries: the setup script clones the primary, golive's unit runs the standby.
          lxc: {
            ...base.lxc,
            command: lxcPostgresCommand(major, standbySettings),
            user: "postgres",
            stopSignal: "SIGINT",
            setup: lxcReplicaSetup(
              major,
              r.instance.name,
              declared.primary.instance.name,
              slotName(i + 1),
            ),
            files: [],
          },
          volumes: [dataVolume],
          startOrder: 11,
          labels: { ...base.labels, [label.postgresRole]: "replica" },
        }),
        [this.primary],
        this,
      );
      this.replicas.push(replica);
      this.exporter(r, replica, password.secret);
    }

    if (declared.backup) {
      runtime.workload(
        workload({
          ...base,
          ...declared.backup,
          component: "backup",
          command: backupLoop("postgres", spec.backups.intervalHours, spec.backups.retentionDays),
          volumes: [
            {
              name: "backups",
              mountPath: backupDir,
              sizeGb: spec.backups.storageGb,
              retain: true,
              owner: "postgres",
            },
          ],
          // The loop is a shell of its own, not the image's entrypoint: it runs as postgres.
          docker: { user: "postgres" },
          lxc: { ...base.lxc, user: "postgres" },
          files: [
            { path: "/usr/local/bin/golive-restore", content: restoreScript(), secret: false },
          ],
          healthCheck: {
            command: backupHealthCheck(spec.backups.intervalHours),
            intervalSeconds: 30,
            timeoutSeconds: 5,
            retries: 3,
            startPeriodSeconds: 5,
          },
          resources: {
            requests: { cpu: "100m", memory: "128Mi" },
            limits: { cpu: "1", memory: "512Mi" },
          },
          stateful: false,
          startOrder: 12,
          labels: {
            [label.backupOf]: "postgres",
            [label.backupIntervalHours]: String(spec.backups.intervalHours),
            [label.backupRetentionDays]: String(spec.backups.retentionDays),
          },
        }),
        [this.primary],
        this,
      );
    }

    if (declared.pgbouncer) {
      const userlist = pulumi.interpolate`"${spec.user}" "${password.secret}"\n`;
      const bouncer = runtime.workload(
        workload({
          ...declared.pgbouncer,
          component: "connection-pooler",
          image: `${registry}${spec.pgbouncer.image ?? "bitnami/pgbouncer:1.23.1"}`,
          command: ["pgbouncer", "/etc/pgbouncer/pgbouncer.ini"],
          files: [
            {
              path: "/etc/pgbouncer/pgbouncer.ini",
              content: pgbouncerIni({
                primaryHost: "postgres",
                database: spec.database,
                poolMode: spec.pgbouncer.poolMode,
                maxClientConnections: spec.pgbouncer.maxClientConnections,
                defaultPoolSize: spec.pgbouncer.defaultPoolSize,
              }),
              secret: false,
            },
            {
              path: "/etc/pgbouncer/userlist.txt",
              content: userlist,
              // pgBouncer refuses to run as root; its user (imageUser) owns and reads the list.
              secret: true,
            },
          ],
          healthCheck: {
            command: ["pg_isready", "-h", "127.0.0.1", "-p", "6432"],
            intervalSeconds: 5,
            timeoutSeconds: 5,
            retries: 10,
            startPeriodSeconds: 5,
          },
          resources: {
            requests: { cpu: "100m", memory: "64Mi" },
            limits: { cpu: "1", memory: "256Mi" },
          },
          startOrder: 15,
          labels: { [label.poolMode]: spec.pgbouncer.poolMode },
          // golive's unit runs Debian's pgBouncer as the package's user, postgres, which reads the
          // user list; pg_isready (the health check) is PostgreSQL's client's.
          lxc: {
            packages: ["pgbouncer", "postgresql-client"],
            systemdService: "pgbouncer",
            user: "postgres",
          },
          // The image runs pgBouncer as its own user (it refuses root).
          imageUser: spec.pgbouncer.user,
        }),
        [this.primary],
        this,
      );
      this.ready = [this.primary, bouncer];
      this.host = declared.pgbouncer.name;
      this.port = declared.pgbouncer.ports[0].port;
    } else {
      this.ready = [this.primary];
      this.host = declared.primary.instance.name;
      this.port = declared.primary.instance.ports[0].port;
    }
    this.client = {
      env: {
        DATABASE_HOST: this.host,
        DATABASE_PORT: String(this.port),
        DATABASE_NAME: this.database,
        DATABASE_USER: this.user,
      },
      secretEnv: {
        DATABASE_PASSWORD: this.password,
        DATABASE_URL: pulumi.interpolate`postgresql://${this.user}:${this.password}@${this.host}:${this.port}/${this.database}`,
      },
      ready: this.ready,
      scrapeTargets: this.scrapeTargets,
    };
    this.registerOutputs({
      host: this.host,
      port: this.port,
      database: this.database,
      user: this.user,
    });
  }

  /** A postgres_exporter next to an instance, for Prometheus (pg_up, replication lag, …). */
  private exporter(
    declared: ReturnType<typeof postgresWorkloads>["primary"],
    target: Workload,
    password: pulumi.Output<string>,
  ): void {
    const { spec, runtime } = this.args;
    const instance = declared.instance.name;
    this.scrapeTargets.push(
      exporter(
        runtime,
        {
          declared: declared.exporter,
          exporterFor: instance,
          image: `${this.args.imageRegistry ?? ""}${spec.exporterImage ?? "prometheuscommunity/postgres-exporter:v0.15.0"}`,
          secretEnv: {
            DATA_SOURCE_NAME: pulumi.interpolate`postgresql://${spec.user}:${password}@${instance}:5432/${spec.database}?sslmode=disable`,
          },
          debianPackage: "prometheus-postgres-exporter",
        },
        target,
        this,
      ),
    );
  }

  /**
   * A migration for an app: a pre-migration backup (pg_dump), then the migration command in the
   * app's image; the app rolls out after both. Re-run when the app's image (its version) changes.
   * `runsIn` names the workload whose code it runs (the app's, or its live colour's): on LXC the
   * migration runs in that container, with its release in place, before its service starts.
   */
  public migration(
    app: string,
    appImage: string,
    command: readonly string[],
    parent: pulumi.Resource,
    runsIn: string = app,
  ): Workload {
    const { spec, runtime } = this.args;
    const tag = appImage.slice(appImage.lastIndexOf(":") + 1).replace(/[^A-Za-z0-9.-]/g, "-");
    const common = {
      env: {
        DATABASE_HOST: "postgres",
        DATABASE_PORT: "5432",
        DATABASE_NAME: spec.database,
        DATABASE_USER: spec.user,
      },
      secretEnv: { DATABASE_PASSWORD: this.password },
      resources: {
        requests: { cpu: "100m", memory: "128Mi" },
        limits: { cpu: "1", memory: "512Mi" },
      },
      startOrder: 30,
    };
    const backup = runtime.workload(
      workload({
        ...common,
        name: `${app}-pre-migration-backup`,
        component: "backup",
        image: this.image,
        command: preMigrationBackup("postgres", spec.database, spec.user, tag),
        volumes: [
          {
            name: "dumps",
            mountPath: backupDir,
            sizeGb: spec.backups.storageGb,
            retain: true,
            owner: "postgres",
          },
        ],
        docker: { user: "postgres" },
        lxc: { user: "postgres" },
        labels: {
          [label.backupOf]: "postgres",
          [label.migrationFor]: app,
          [label.appVersion]: tag,
        },
        job: { runsIn: "postgres" },
      }),
      [this.primary],
      parent,
    );
    return runtime.workload(
      workload({
        ...common,
        name: `${app}-migration`,
        component: "migration",
        image: appImage,
        command,
        labels: { [label.migrationFor]: app, [label.appVersion]: tag },
        job: { runsIn },
      }),
      [backup],
      parent,
    );
  }
}
