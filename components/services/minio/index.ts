import * as pulumi from "@pulumi/pulumi";
import type { MinioSpec } from "../../config/spec";
import type { Runtime, Workload } from "../../runtime/workload";
import { GeneratedSecret } from "../../secrets/generated";

export interface MinioArgs {
  /** The validated MinIO spec. */
  readonly spec: MinioSpec;
  /** The runtime that realises MinIO. */
  readonly runtime: Runtime;
  /** Prefix for images (registry or mirror). Defaults to none. */
  readonly imageRegistry?: string;
}

/** MinIO object storage with generated root credentials and its buckets created at start. */
export class Minio extends pulumi.ComponentResource {
  public readonly workload: Workload;
  public readonly endpoint = "http://minio:9000";
  public readonly accessKey = "golive-admin";
  public readonly secretKey: pulumi.Output<string>;

  constructor(name: string, args: MinioArgs, opts?: pulumi.ComponentResourceOptions) {
    super("golive:data:Minio", name, {}, opts);
    const { spec, runtime } = args;
    const secret = new GeneratedSecret(`${name}-root-password`, { length: 40 }, { parent: this });
    this.secretKey = secret.secret;
    // Buckets are folders of the data directory: made before the server starts, idempotently.
    const buckets = spec.buckets.map((b) => `mkdir -p /data/${b}`).join(" && ");
    this.workload = runtime.workload(
      {
        name: "minio",
        component: "object-storage",
        image: `${args.imageRegistry ?? ""}${spec.image}`,
        command: [
          "sh",
          "-c",
          `${buckets ? `${buckets} && ` : ""}exec minio server /data --console-address :9001`,
        ],
        env: { MINIO_ROOT_USER: this.accessKey, MINIO_PROMETHEUS_AUTH_TYPE: "public" },
        secretEnv: { MINIO_ROOT_PASSWORD: secret.secret },
        ports: [
          { name: "s3", port: 9000, public: false },
          { name: "console", port: 9001, public: false },
        ],
        // MinIO runs as root by default; golive runs it as 1000, which owns its data.
        volumes: [
          { name: "data", mountPath: "/data", sizeGb: spec.storageGb, retain: true, owner: "1000" },
        ],
        files: [],
        healthCheck: {
          path: "/minio/health/live",
          port: 9000,
          intervalSeconds: 10,
          timeoutSeconds: 5,
          retries: 6,
          startPeriodSeconds: 10,
        },
        resources: spec.resources,
        replicas: 1,
        startOrder: 10,
        stateful: true,
        runAsUser: 1000,
        labels: { "golive.dev/buckets": spec.buckets.join(",") },
      },
      [],
      this,
    );
    this.registerOutputs({ endpoint: this.endpoint });
  }
}
