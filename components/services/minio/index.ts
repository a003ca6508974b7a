import * as pulumi from "@pulumi/pulumi";
import { label } from "../../../policies/lib/contract";
import type { MinioSpec } from "../../config/spec";
import { workload, type Runtime, type Workload } from "../../runtime/workload";
import { GeneratedSecret } from "../../secrets/generated";
import type { ServiceClient } from "../client";

export interface MinioArgs {
  /** The validated MinIO spec. */
  readonly spec: MinioSpec;
  /** The runtime that realises MinIO. */
  readonly runtime: Runtime;
  /** Prefix for images (registry or mirror). Defaults to none. */
  readonly imageRegistry?: string;
}

/** The workloads MinIO runs: one server (S3 API and console). */
export function minioWorkloads() {
  return {
    minio: {
      name: "minio",
      ports: [
        { name: "s3", port: 9000, public: false },
        { name: "console", port: 9001, public: false },
      ],
    },
  } as const;
}

/** MinIO object storage with generated root credentials and its buckets created at start. */
export class Minio extends pulumi.ComponentResource {
  public readonly workload: Workload;
  public readonly endpoint = "http://minio:9000";
  public readonly accessKey = "golive-admin";
  public readonly secretKey: pulumi.Output<string>;
  /**
   * S3_ENDPOINT, S3_ACCESS_KEY and S3_SECRET_KEY for S3 clients, MINIO_ENDPOINT as the Ablage
   * checklist names it; Prometheus scrapes MinIO's own cluster metrics (public, see env).
   */
  public readonly client: ServiceClient;

  constructor(name: string, args: MinioArgs, opts?: pulumi.ComponentResourceOptions) {
    super("golive:data:Minio", name, {}, opts);
    const { spec, runtime } = args;
    const secret = new GeneratedSecret(`${name}-root-password`, { length: 40 }, { parent: this });
    this.secretKey = secret.secret;
    // Buckets are folders of the data directory: made before the server starts, idempotently.
    const buckets = spec.buckets.map((b) => `mkdir -p /data/${b}`).join(" && ");
    const declared = minioWorkloads().minio;
    this.workload = runtime.workload(
      workload({
        ...declared,
        component: "object-storage",
        image: `${args.imageRegistry ?? ""}${spec.image}`,
        command: [
          "sh",
          "-c",
          `${buckets ? `${buckets} && ` : ""}exec minio server /data --console-address :9001`,
        ],
        env: { MINIO_ROOT_USER: this.accessKey, MINIO_PROMETHEUS_AUTH_TYPE: "public" },
        secretEnv: { MINIO_ROOT_PASSWORD: secret.secret },
        // MinIO runs as root by default; golive runs it as 1000, which owns its data.
        volumes: [
          { name: "data", mountPath: "/data", sizeGb: spec.storageGb, retain: true, owner: "1000" },
        ],
        healthCheck: {
          path: "/minio/health/live",
          port: 9000,
          intervalSeconds: 10,
          timeoutSeconds: 5,
          retries: 6,
          startPeriodSeconds: 10,
        },
        resources: spec.resources,
        startOrder: 10,
        stateful: true,
        labels: { [label.buckets]: spec.buckets.join(",") },
        docker: { user: "1000" },
        kubernetes: { runAsUser: 1000 },
      }),
      [],
      this,
    );
    this.client = {
      env: {
        S3_ENDPOINT: this.endpoint,
        MINIO_ENDPOINT: this.endpoint,
        S3_ACCESS_KEY: this.accessKey,
      },
      secretEnv: { S3_SECRET_KEY: this.secretKey },
      ready: [this.workload],
      scrapeTargets: [
        {
          job: declared.name,
          address: `${declared.name}:${declared.ports[0].port}`,
          path: "/minio/v2/metrics/cluster",
        },
      ],
    };
    this.registerOutputs({ endpoint: this.endpoint });
  }
}
