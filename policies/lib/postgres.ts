/** PostgreSQL servers as any program declares them: primaries, replicas, their settings. */
import { label } from "./contract";
import { postgresSettings, runs } from "./identify";
import { isKnown, type WorkloadView } from "./workloads";

/**
 * Whether a PostgreSQL server is a streaming replica: golive's role label, or what it runs
 * (primary_conninfo / a standby set up with pg_basebackup, Bitnami's replication mode "slave").
 */
export function isReplica(w: WorkloadView): boolean {
  const hint = w.labels[label.postgresRole];
  if (hint !== undefined) return hint === "replica";
  const line = isKnown(w.argv) ? w.argv.join(" ") : "";
  if (/primary_conninfo|pg_basebackup|standby_mode|hot_standby=on\b.*primary/.test(line))
    return true;
  if (isKnown(w.env)) {
    return w.env.vars.some(
      (e) =>
        (/^(POSTGRES(QL)?_REPLICATION_MODE|REPLICATION_ROLE)$/.test(e.name) &&
          isKnown(e.value) &&
          /^(slave|replica|standby)$/i.test(e.value)) ||
        /^(POSTGRES(QL)?_MASTER_HOST|POSTGRES_PRIMARY_HOST|PRIMARY_HOST)$/.test(e.name),
    );
  }
  return false;
}

export function isPrimary(w: WorkloadView): boolean {
  return runs(w, "postgres") && !isReplica(w);
}

/** The server's settings: `-c` options, and postgresql.conf where it is delivered with it. */
export function settingsOf(w: WorkloadView): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of w.files) {
    if (
      !/postgresql[\w.-]*\.conf$|\.conf$/.test(f.path) ||
      !/archive_mode|wal_level/.test(f.content)
    )
      continue;
    for (const line of f.content.split("\n")) {
      const m = /^\s*([a-z_]+)\s*=\s*'?([^'#]*?)'?\s*(#.*)?$/.exec(line);
      if (m) out[m[1]] = m[2];
    }
  }
  if (isKnown(w.argv)) Object.assign(out, postgresSettings(w.argv));
  return out;
}
