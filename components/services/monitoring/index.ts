import * as pulumi from "@pulumi/pulumi";
import { label } from "../../../policies/lib/contract";
import type { MonitoringSpec } from "../../config/spec";
import { workload, type Runtime, type Workload } from "../../runtime/workload";
import { GeneratedSecret } from "../../secrets/generated";
import {
  alertmanagerYml,
  alertRules,
  grafanaDashboardProvider,
  grafanaDatasource,
  overviewDashboard,
  prometheusYml,
  type ScrapeTarget,
} from "./config";

export interface MonitoringStackArgs {
  /** The validated monitoring spec. */
  readonly spec: MonitoringSpec;
  /** The runtime that realises the stack. */
  readonly runtime: Runtime;
  /** Every service and exporter Prometheus scrapes. */
  readonly targets: readonly ScrapeTarget[];
  /** The workloads monitored (the stack starts after them). */
  readonly dependsOn?: readonly Workload[];
  /** Prefix for images (registry or mirror). Defaults to none. */
  readonly imageRegistry?: string;
}

/** The workloads the stack runs: the node exporter, Alertmanager, Prometheus and Grafana. */
export function monitoringWorkloads(spec: MonitoringSpec) {
  const http = (port: number) => [{ name: "http", port, public: false }];
  return {
    nodeExporter: {
      name: "node-exporter",
      ports: [{ name: "metrics", port: 9100, public: false }],
    },
    alertmanager: { name: "alertmanager", ports: http(9093) },
    prometheus: { name: "prometheus", ports: http(9090) },
    grafana: spec.grafana.enabled ? { name: "grafana", ports: http(3000) } : undefined,
  };
}

/**
 * Prometheus scraping every service and exporter with golive's alert rules, Alertmanager routed to
 * the spec's receiver, Grafana with a provisioned datasource and dashboard, and a node exporter
 * for host disk.
 */
export class MonitoringStack extends pulumi.ComponentResource {
  public readonly prometheus: Workload;
  public readonly alertmanager: Workload;

  constructor(name: string, args: MonitoringStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("golive:monitoring:MonitoringStack", name, {}, opts);
    const { spec, runtime } = args;
    const registry = args.imageRegistry ?? "";
    const small = {
      requests: { cpu: "50m", memory: "64Mi" },
      limits: { cpu: "500m", memory: "256Mi" },
    };
    const declared = monitoringWorkloads(spec);
    const alertmanagerArgs = [
      "--config.file=/etc/alertmanager/alertmanager.yml",
      "--storage.path=/alertmanager",
    ];
    const prometheusArgs = [
      "--config.file=/etc/prometheus/prometheus.yml",
      "--storage.tsdb.path=/prometheus",
      `--storage.tsdb.retention.time=${spec.retentionDays}d`,
      "--web.enable-lifecycle",
    ];
    const nodeExporter = runtime.workload(
      workload({
        ...declared.nodeExporter,
        component: "exporter",
        image: `${registry}${spec.nodeExporterImage}`,
        healthCheck: {
          path: "/metrics",
          port: 9100,
          intervalSeconds: 15,
          timeoutSeconds: 5,
          retries: 3,
          startPeriodSeconds: 5,
        },
        resources: small,
        startOrder: 60,
        lxc: { packages: ["prometheus-node-exporter"], systemdService: "prometheus-node-exporter" },
        // Docker: the image runs as nobody (its USER).
        docker: { user: "image" },
        // A single binary that writes nothing: its root filesystem can be read-only.
        kubernetes: { readOnlyRootFilesystem: true },
      }),
      [],
      this,
    );
    const targets = [
      ...args.targets,
      { job: "node-exporter", address: "node-exporter:9100" },
      { job: "alertmanager", address: "alertmanager:9093" },
      { job: "prometheus", address: "localhost:9090" },
    ];
    this.alertmanager = runtime.workload(
      workload({
        ...declared.alertmanager,
        component: "alerting",
        image: `${registry}${spec.alertmanagerImage}`,
        // The official image's entrypoint is the binary: flags only, and the binary named for LXC.
        entrypoint: ["alertmanager"],
        command: alertmanagerArgs,
        volumes: [{ name: "data", mountPath: "/alertmanager", sizeGb: 1, retain: false }],
        files: [
          {
            path: "/etc/alertmanager/alertmanager.yml",
            content: alertmanagerYml(spec.receiver),
            secret: false,
          },
        ],
        healthCheck: {
          path: "/-/healthy",
          port: 9093,
          intervalSeconds: 10,
          timeoutSeconds: 5,
          retries: 6,
          startPeriodSeconds: 5,
        },
        resources: small,
        startOrder: 61,
        labels: { [label.alertReceiver]: spec.receiver.kind },
        lxc: {
          packages: ["prometheus-alertmanager"],
          systemdService: "prometheus-alertmanager",
          // Debian's package installs the binary under its own name; golive's unit runs it as the
          // package's user. A single Alertmanager gossips with no peer: clustering is off, as it
          // refuses to start on an address outside the private ranges without an explicit one.
          command: [
            "/usr/bin/prometheus-alertmanager",
            ...alertmanagerArgs,
            "--cluster.listen-address=",
          ],
          user: "prometheus",
        },
        docker: { user: "image" },
        // It writes only its storage path, the volume: its root filesystem can be read-only.
        kubernetes: { readOnlyRootFilesystem: true },
      }),
      [],
      this,
    );
    this.prometheus = runtime.workload(
      workload({
        ...declared.prometheus,
        component: "monitoring",
        image: `${registry}${spec.prometheusImage}`,
        entrypoint: ["prometheus"],
        command: prometheusArgs,
        volumes: [{ name: "data", mountPath: "/prometheus", sizeGb: spec.storageGb, retain: true }],
        files: [
          {
            path: "/etc/prometheus/prometheus.yml",
            content: prometheusYml(targets),
            secret: false,
          },
          {
            path: "/etc/prometheus/rules/golive.yml",
            content: alertRules(spec.thresholds, {
              rules: spec.alertRules,
              disabled: spec.disableDefaultRules,
            }),
            secret: false,
          },
        ],
        healthCheck: {
          path: "/-/ready",
          port: 9090,
          intervalSeconds: 10,
          timeoutSeconds: 5,
          retries: 6,
          startPeriodSeconds: 10,
        },
        resources: {
          requests: { cpu: "250m", memory: "512Mi" },
          limits: { cpu: "1", memory: "2Gi" },
        },
        startOrder: 62,
        stateful: true,
        imageUser: 65534,
        // It writes only its TSDB, the volume: its root filesystem can be read-only.
        kubernetes: { readOnlyRootFilesystem: true },
        labels: {
          [label.retentionDays]: String(spec.retentionDays),
          [label.scrapeJobs]: targets
            .map((t) => t.job)
            .sort()
            .join(","),
        },
        // Debian's Prometheus under golive's unit, as the package's user.
        lxc: {
          packages: ["prometheus"],
          systemdService: "prometheus",
          command: ["/usr/bin/prometheus", ...prometheusArgs],
          user: "prometheus",
        },
      }),
      [this.alertmanager, nodeExporter, ...(args.dependsOn ?? [])],
      this,
    );
    if (declared.grafana) {
      const admin = new GeneratedSecret(`${name}-grafana-admin`, { length: 32 }, { parent: this });
      runtime.workload(
        workload({
          ...declared.grafana,
          component: "dashboards",
          image: `${registry}${spec.grafanaImage}`,
          env: {
            GF_SECURITY_ADMIN_USER: "admin",
            GF_USERS_ALLOW_SIGN_UP: "false",
            GF_ANALYTICS_REPORTING_ENABLED: "false",
          },
          secretEnv: { GF_SECURITY_ADMIN_PASSWORD: admin.secret },
          volumes: [{ name: "data", mountPath: "/var/lib/grafana", sizeGb: 1, retain: true }],
          files: [
            {
              path: "/etc/grafana/provisioning/datasources/prometheus.yaml",
              content: grafanaDatasource(),
              secret: false,
            },
            {
              path: "/etc/grafana/provisioning/dashboards/golive.yaml",
              content: grafanaDashboardProvider(),
              secret: false,
            },
            {
              path: "/var/lib/grafana/dashboards/golive-overview.json",
              content: overviewDashboard(),
              secret: false,
            },
          ],
          healthCheck: {
            path: "/api/health",
            port: 3000,
            intervalSeconds: 10,
            timeoutSeconds: 5,
            retries: 6,
            startPeriodSeconds: 10,
          },
          resources: small,
          startOrder: 63,
          stateful: true,
          imageUser: 472,
          // LXC: Grafana's APT package (its repository must be in the template); grafana-server runs as grafana.
          lxc: { packages: ["grafana"], systemdService: "grafana-server" },
        }),
        [this.prometheus],
        this,
      );
    }
    this.registerOutputs({});
  }
}
