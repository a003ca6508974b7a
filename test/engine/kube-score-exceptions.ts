/**
 * The critical kube-score findings golive keeps on the staging render, each justified: the check,
 * every object it may flag (named, never a pattern), and why. The render test fails on a critical
 * finding not listed here and on an entry that no longer matches a finding, so the list cannot
 * rot; docs/kube-score.md must name each entry too.
 */
import type { KubeScoreException } from "./kube-score";

export const kubeScoreExceptions: readonly KubeScoreException[] = [
  {
    check: "container-security-context-user-group-id",
    objects: [
      "StatefulSet/postgres",
      "StatefulSet/postgres-replica-1",
      "Deployment/postgres-backup",
      "Deployment/pgbouncer",
      "StatefulSet/grafana",
    ],
    reason:
      "the UID is the image's own user (imageUser), below 10000: PostgreSQL's 999 (the " +
      "instances and the backup loop, which runs pg_dump from the same image), Bitnami " +
      "pgBouncer's 1001 and Grafana's 472 own the files and folders their images ship and " +
      "their entrypoints write; another UID would need a rebuilt image. Their group stays the " +
      "image's (999:999, 1001:0, 472:0), which the container runtime takes from the image",
  },
  {
    check: "container-security-context-user-group-id",
    objects: ["StatefulSet/prometheus"],
    reason:
      "Prometheus runs as its image's user nobody, 65534, whose group the container runtime " +
      "takes from the image's /etc/passwd: 65534. kube-score sees no runAsGroup and cannot read " +
      "the image; golive sets runAsGroup only where the image does not know the UID",
  },
  {
    check: "container-security-context-readonlyrootfilesystem",
    objects: [
      "StatefulSet/postgres",
      "StatefulSet/postgres-replica-1",
      "Deployment/postgres-backup",
      "Deployment/pgbouncer",
      "StatefulSet/grafana",
      "Deployment/api",
    ],
    reason:
      "these containers write outside their volumes: PostgreSQL its socket and lock files in " +
      "/var/run/postgresql, Bitnami pgBouncer's entrypoint the config and pid file it makes " +
      "under /opt/bitnami/pgbouncer, Grafana its log file in /var/log/grafana, the backup " +
      "pod's golive-restore unpacks into PGDATA, which is no volume of that pod, and the app " +
      "writes whatever its authors chose; a read-only root stops them. Each needs its writable " +
      "paths as emptyDir volumes, checked against the running image, which a render cannot do",
  },
  {
    check: "pod-probes-identical",
    objects: ["Deployment/postgres-backup"],
    reason:
      "the backup loop has no port, so there is no listening process to check for liveness; " +
      "its one check (the last backup is younger than one and a half intervals) is its own " +
      "state, and a restart is the remedy for a loop that stopped backing up. It serves no " +
      "traffic, so readiness takes nothing out of rotation",
  },
];
