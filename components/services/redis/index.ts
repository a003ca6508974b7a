import * as pulumi from "@pulumi/pulumi";
import { label } from "../../../policies/lib/contract";
import type { RedisSpec } from "../../config/spec";
import { memoryMiB } from "../../runtime/labels";
import { workload, type Runtime, type Workload } from "../../runtime/workload";
import { GeneratedSecret } from "../../secrets/generated";
import type { ServiceClient } from "../client";
import { exporter, exporterWorkload } from "../monitoring/exporter";

export interface RedisArgs {
  /** The validated Redis spec. */
  readonly spec: RedisSpec;
  /** The runtime that realises Redis. */
  readonly runtime: Runtime;
  /** Prefix for images (registry or mirror). Defaults to none. */
  readonly imageRegistry?: string;
}

/**
 * The settings as `redis-server` arguments: plain and known at preview, so the policy pack reads
 * persistence and eviction from them. The password is not among them (see `redisPasswordConf`).
 */
export function redisArgs(spec: RedisSpec): string[] {
  const memLimit = spec.resources.limits ? memoryMiB(spec.resources.limits.memory) : 512;
  const maxmemory = spec.maxmemoryMb ?? Math.floor(memLimit * 0.75);
  return [
    "redis-server",
    "/usr/local/etc/redis/golive-auth.conf",
    "--appendonly",
    spec.appendonly ? "yes" : "no",
    "--appendfsync",
    spec.appendfsync,
    "--save",
    spec.save.join(" "),
    "--maxmemory",
    `${maxmemory}mb`,
    "--maxmemory-policy",
    spec.maxmemoryPolicy,
    "--dir",
    "/data",
    "--rename-command",
    "FLUSHALL",
    "",
    "--rename-command",
    "FLUSHDB",
    "",
  ];
}

/** The workloads Redis runs: the server and its exporter. */
export function redisWorkloads() {
  return {
    redis: { name: "redis", ports: [{ name: "redis", port: 6379, public: false }] },
    exporter: exporterWorkload("redis", 9121),
  } as const;
}

/** Redis 7 with AOF and RDB persistence, maxmemory with an eviction policy, and auth. */
export class Redis extends pulumi.ComponentResource {
  public readonly workload: Workload;
  public readonly host = "redis";
  public readonly port = 6379;
  public readonly password: pulumi.Output<string>;
  public readonly scrapeTargets: { job: string; address: string }[];
  /** REDIS_HOST, REDIS_PORT, REDIS_PASSWORD and REDIS_URL (database 0) for dependants. */
  public readonly client: ServiceClient;

  constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("golive:data:Redis", name, {}, opts);
    const { spec, runtime } = args;
    const registry = args.imageRegistry ?? "";
    const password = new GeneratedSecret(`${name}-password`, { length: 32 }, { parent: this });
    this.password = password.secret;
    const declared = redisWorkloads();
    this.workload = runtime.workload(
      workload({
        ...declared.redis,
        component: "cache",
        image: `${registry}${spec.image ?? `redis:${spec.version}`}`,
        command: redisArgs(spec),
        volumes: [{ name: "data", mountPath: "/data", sizeGb: spec.storageGb, retain: true }],
        files: [
          {
            path: "/usr/local/etc/redis/golive-auth.conf",
            content: pulumi.interpolate`requirepass ${password.secret}\n`,
            secret: true,
          },
        ],
        healthCheck: {
          command: [
            "sh",
            "-c",
            "redis-cli -a \"$(sed -n 's/^requirepass //p' /usr/local/etc/redis/golive-auth.conf)\" --no-auth-warning ping | grep -q PONG",
          ],
          intervalSeconds: 5,
          timeoutSeconds: 3,
          retries: 10,
          startPeriodSeconds: 5,
        },
        resources: spec.resources,
        startOrder: 10,
        stateful: true,
        labels: { [label.redisVersion]: spec.version },
        // Debian's redis-server under golive's unit, as the package's redis user (which owns the
        // volume and the password file); the package's own unit, on its defaults, is replaced.
        lxc: {
          packages: ["redis-server"],
          systemdService: "redis-server",
          command: ["/usr/bin/redis-server", ...redisArgs(spec).slice(1)],
          user: "redis",
        },
        imageUser: 999,
      }),
      [],
      this,
    );
    this.scrapeTargets = [
      exporter(
        runtime,
        {
          declared: declared.exporter,
          exporterFor: "redis",
          image: `${registry}${spec.exporterImage ?? "oliver006/redis_exporter:v1.62.0"}`,
          env: { REDIS_ADDR: "redis://redis:6379" },
          secretEnv: { REDIS_PASSWORD: password.secret },
          debianPackage: "prometheus-redis-exporter",
        },
        this.workload,
        this,
      ),
    ];
    this.client = {
      env: { REDIS_HOST: this.host, REDIS_PORT: String(this.port) },
      secretEnv: {
        REDIS_PASSWORD: this.password,
        REDIS_URL: pulumi.interpolate`redis://:${this.password}@${this.host}:${this.port}/0`,
      },
      ready: [this.workload],
      scrapeTargets: this.scrapeTargets,
    };
    this.registerOutputs({ host: this.host, port: this.port });
  }
}
