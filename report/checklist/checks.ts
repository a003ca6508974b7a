/**
 * The live checks the go-live report runs after a deploy: one ID each, the name a verified item
 * of the checklist (items.yaml) cites and a check result (`{checkId, status, …}`) carries. The set
 * is fixed here so that a misspelt ID in the registry or in a results file is refused instead of
 * leaving an item unjudged. What each check looks at is said once, here; how the registry's items
 * use it is in their `note`.
 */
export const checkIds = [
  "engine-version",
  "package-version",
  "app-dependencies",
  "service-healthy",
  "gateway-health",
  "app-health",
  "gateway-routes",
  "gateway-latency",
  "tls-certificate",
  "cors",
  "websocket-upgrade",
  "app-login",
  "app-auth-required",
  "app-smoke",
  "load-test",
  "latency-p95",
  "error-rate",
  "host-resources",
  "prometheus-targets",
  "alerts-none-firing",
  "alert-history",
  "logs-no-errors",
  "postgres-ready",
  "postgres-reachable",
  "postgres-replication",
  "postgres-wal-archive",
  "postgres-backup",
  "pgbouncer",
  "redis-config",
  "rabbitmq-config",
  "restore-drill",
  "image-pinned",
  "gpu-visible",
  "gpu-memory",
  "proxmox-quorum",
  "proxmox-storage",
  "dns-resolves",
  "elasticsearch-indices",
] as const;

export type CheckId = (typeof checkIds)[number];

/** What each check looks at, in one sentence (shown in the coverage document and the reports). */
export const checkDescriptions: Record<CheckId, string> = {
  "engine-version": "the container engine golive deploys to reports a supported server version",
  "package-version":
    "a runtime package (e.g. Node.js) in every app container has the required major version",
  "app-dependencies":
    "the application's installed dependencies are complete in every app container",
  "service-healthy":
    "the runtime reports every workload healthy (Docker health, Deployment ready, systemd unit active)",
  "gateway-health": "the health path answers 200 over TLS through the gateway",
  "app-health": "every app's own health endpoint answers 200 from inside the environment",
  "gateway-routes":
    "every public route of the gateway (and the paths the item names) answers without a 5xx",
  "gateway-latency": "the health path through the gateway answers within the item's latency bound",
  "tls-certificate":
    "the gateway's certificate is valid for its domain and not about to expire, and plain HTTP redirects to HTTPS",
  cors: "a CORS preflight echoes an allowed origin and refuses a foreign one",
  "websocket-upgrade": "a WebSocket upgrade through the gateway answers 101 Switching Protocols",
  "app-login":
    "a scripted login of the test account through the gateway returns a session or token",
  "app-auth-required":
    "a protected route refuses a request without credentials and accepts the test account's",
  "app-smoke": "the application's own smoke suite, run against the gateway, exits 0",
  "load-test":
    "a load test through the gateway stays below the spec's p95 latency and error-rate thresholds",
  "latency-p95":
    "Prometheus p95 request latency per job is below monitoring.thresholds.latencyP95Ms",
  "error-rate": "Prometheus 5xx share per job is below monitoring.thresholds.errorRatePercent",
  "host-resources":
    "node-exporter CPU, memory and filesystem series are within limits; DiskSpaceLow and ServiceDown are not firing",
  "prometheus-targets": "every Prometheus scrape target is up",
  "alerts-none-firing": "Alertmanager routes to a real receiver and has no firing alert",
  "alert-history": "no critical alert fired during the watch window after the deploy",
  "logs-no-errors": "the services' logs since the deploy contain no ERROR or worse",
  "postgres-ready": "PostgreSQL answers pg_isready and pg_up is 1 on every postgres_exporter",
  "postgres-reachable": "PostgreSQL is reachable from inside the app containers",
  "postgres-replication":
    "every replica streams from the primary (pg_stat_replication) with replay lag under the threshold",
  "postgres-wal-archive":
    "pg_stat_archiver shows WAL archived and no failure since the last success",
  "postgres-backup": "the newest base backup is younger than the backup interval",
  pgbouncer: "pgBouncer answers a query as the application's user",
  "redis-config":
    "Redis reports the spec's persistence (appendonly) and eviction settings (CONFIG GET)",
  "rabbitmq-config":
    "RabbitMQ's management API lists the spec's vhosts, users and queues, and no guest user",
  "restore-drill": "the newest backup restores into a scratch database with matching table counts",
  "image-pinned": "every container runs the image its pinned tag names",
  "gpu-visible": "the GPU worker sees its GPU (nvidia-smi)",
  "gpu-memory": "the GPU worker's memory use is below 85 %",
  "proxmox-quorum": "the Proxmox cluster is quorate with the expected votes",
  "proxmox-storage": "the Proxmox storages golive uses (CT and backup) are active",
  "dns-resolves": "the gateway domain resolves to the gateway's address",
  "elasticsearch-indices": "the expected Elasticsearch indices exist",
};
