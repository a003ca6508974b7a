/**
 * The workloads a spec makes, known before any component runs: for LXC's CT-IDs and for checking
 * spec `hostPorts` at load time (consistency.ts), so that a wrong name stops the run before anything
 * is deployed.
 */
import type { EnvironmentSpec } from "./spec";

/**
 * Every workload an environment runs, in a stable order (LXC gives each a container and a CT-ID),
 * with the names of the ports it declares (spec `hostPorts` may publish those on Docker).
 * A unit test checks this against the workloads the components actually declare.
 */
export function workloadPorts(spec: EnvironmentSpec): Record<string, string[]> {
  const w: Record<string, string[]> = {};
  for (const [n, s] of Object.entries(spec.services)) {
    const ports = s.ports.map((p) => p.name);
    for (const name of s.blueGreen ? [`${n}-blue`, `${n}-green`] : [n]) w[name] = ports;
  }
  if (spec.postgres) {
    w["postgres"] = ["postgres"];
    w["postgres-exporter"] = ["metrics"];
    for (let n = 1; n <= spec.postgres.replicas; n++) {
      w[`postgres-replica-${n}`] = ["postgres"];
      w[`postgres-replica-${n}-exporter`] = ["metrics"];
    }
    if (spec.postgres.backups.enabled) w["postgres-backup"] = [];
    if (spec.postgres.pgbouncer.enabled) w["pgbouncer"] = ["pgbouncer"];
  }
  if (spec.redis) {
    w["redis"] = ["redis"];
    w["redis-exporter"] = ["metrics"];
  }
  if (spec.rabbitmq) w["rabbitmq"] = ["amqp", "management", "prometheus"];
  if (spec.elasticsearch) w["elasticsearch"] = ["http"];
  if (spec.minio) w["minio"] = ["s3", "console"];
  if (spec.mongodb) w["mongodb"] = ["mongodb"];
  if (spec.monitoring) {
    w["node-exporter"] = ["metrics"];
    w["alertmanager"] = ["http"];
    w["prometheus"] = ["http"];
    if (spec.monitoring.grafana.enabled) w["grafana"] = ["http"];
  }
  if (spec.gateway) w["gateway"] = ["http", "https"];
  return w;
}

/** Every workload an environment runs (LXC gives each a container and a CT-ID). */
export function workloadNames(spec: EnvironmentSpec): string[] {
  return Object.keys(workloadPorts(spec));
}
