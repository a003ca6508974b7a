import type * as pulumi from "@pulumi/pulumi";
import { label } from "../../../policies/lib/contract";
import {
  workload,
  type DeclaredWorkload,
  type Runtime,
  type Workload,
} from "../../runtime/workload";
import type { ScrapeTarget } from "./config";

/** The exporter next to `instance`: its workload name and metrics port. */
export function exporterWorkload(instance: string, port: number): DeclaredWorkload {
  return { name: `${instance}-exporter`, ports: [{ name: "metrics", port, public: false }] };
}

export interface ExporterArgs {
  /** Its name and metrics port (`exporterWorkload`). */
  readonly declared: DeclaredWorkload;
  /** The instance it exports (label golive.dev/exporter-for). */
  readonly exporterFor: string;
  /** Image reference, registry prefix included. */
  readonly image: string;
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
  const { name, ports } = args.declared;
  const port = ports[0].port;
  runtime.workload(
    workload({
      name,
      component: "exporter",
      image: args.image,
      env: args.env ?? {},
      secretEnv: args.secretEnv ?? {},
      ports,
      healthCheck: {
        path: "/metrics",
        port,
        intervalSeconds: 15,
        timeoutSeconds: 5,
        retries: 3,
        startPeriodSeconds: 5,
      },
      resources: {
        requests: { cpu: "50m", memory: "32Mi" },
        limits: { cpu: "250m", memory: "128Mi" },
      },
      startOrder: 20,
      labels: { [label.exporterFor]: args.exporterFor },
      lxc: { packages: [args.debianPackage], systemdService: args.debianPackage },
      // Docker: the exporters' images run as nobody (their USER).
      docker: { user: "image" },
      // A single binary that writes nothing: its root filesystem can be read-only.
      kubernetes: { readOnlyRootFilesystem: true },
    }),
    [target],
    parent,
  );
  return { job: name, address: `${name}:${port}` };
}
