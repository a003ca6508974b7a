import type * as pulumi from "@pulumi/pulumi";
import type { Runtime, Workload } from "../../runtime/workload";
import type { ScrapeTarget } from "./config";

export interface ExporterArgs {
  /** Workload name, e.g. "redis-exporter". */
  readonly name: string;
  /** The instance it exports (label golive.dev/exporter-for). */
  readonly exporterFor: string;
  /** Image reference, registry prefix included. */
  readonly image: string;
  /** Metrics port. */
  readonly port: number;
  readonly env?: Record<string, string>;
  readonly secretEnv?: Record<string, pulumi.Output<string>>;
  /** The Debian package (and its systemd unit) on LXC. */
  readonly debianPackage: string;
}

/**
 * A Prometheus exporter next to the instance it reads, realised by any runtime. Returns the
 * scrape target for the monitoring stack.
 */
export function exporter(
  runtime: Runtime,
  args: ExporterArgs,
  target: Workload,
  parent: pulumi.Resource,
): ScrapeTarget {
  runtime.workload(
    {
      name: args.name,
      component: "exporter",
      image: args.image,
      env: args.env ?? {},
      secretEnv: args.secretEnv ?? {},
      ports: [{ name: "metrics", port: args.port, public: false }],
      volumes: [],
      files: [],
      healthCheck: {
        path: "/metrics",
        port: args.port,
        intervalSeconds: 15,
        timeoutSeconds: 5,
        retries: 3,
        startPeriodSeconds: 5,
      },
      resources: {
        requests: { cpu: "50m", memory: "32Mi" },
        limits: { cpu: "250m", memory: "128Mi" },
      },
      replicas: 1,
      startOrder: 20,
      stateful: false,
      labels: { "golive.dev/exporter-for": args.exporterFor },
      packages: [args.debianPackage],
      systemdService: args.debianPackage,
      // Docker: the exporters' images run as nobody (their USER).
      dockerUser: "image",
    },
    [target],
    parent,
  );
  return { job: args.name, address: `${args.name}:${args.port}` };
}
