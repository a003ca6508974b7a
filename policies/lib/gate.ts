/**
 * What gates share: the wording of a fact the gate cannot read at preview (a violation, never a
 * pass), the app test, and reading configuration texts wherever the stack delivers them.
 */
import type { PolicyResource } from "@pulumi/policy";
import { dataRoles, label, role } from "./contract";
import { servicesOf } from "./identify";
import { filesOf } from "./resources";
import { isKnown, parseImage, type WorkloadView } from "./workloads";

/** The message of a gate that cannot decide because a fact is unknown at preview. */
export function unknownAtPreview(subject: string, fact: string): string {
  return `${subject}: ${fact} is unknown at preview, so this gate cannot pass it (make it a value known at preview, or waive the policy for this resource).`;
}

/** "docker workload "api"" — how gates name a workload in messages. */
export function subject(w: WorkloadView): string {
  const c = w.container && w.container !== w.name ? ` (container ${w.container})` : "";
  return `${w.runtime} workload "${w.name}"${c}`;
}

const notApps = new Set<string>([
  role.gateway,
  role.maintenance,
  role.exporter,
  role.backup,
  role.migration,
  role.setup,
  role.volumeOwner,
  role.dashboards,
  role.monitoring,
  role.alerting,
  ...dataRoles,
]);

const infraImages = /(^|\/)(caddy|haproxy|nginx|traefik|envoy|grafana|[\w.-]*exporter[\w.-]*)$/;

/**
 * Whether a workload is an application service: golive's app/worker role, or, on resources
 * without golive's role, a long-running workload that is none of the known data, monitoring or
 * proxy services.
 */
export function isApp(w: WorkloadView): boolean {
  if (w.role !== "main") return false;
  const component = w.labels[label.component];
  if (component === role.app || component === role.worker) return true;
  if (component !== undefined && notApps.has(component)) return false;
  if (servicesOf(w).length > 0) return false;
  if (w.image !== undefined && isKnown(w.image) && infraImages.test(parseImage(w.image).repository))
    return false;
  return true;
}

/** Every configuration text of the stack: files delivered with workloads and ConfigMap data. */
export function configTexts(
  resources: readonly PolicyResource[],
): { urn: string; path: string; content: string }[] {
  const out: { urn: string; path: string; content: string }[] = [];
  for (const r of resources) {
    for (const f of filesOf(r.type, r.props)) out.push({ urn: r.urn, ...f });
  }
  return out;
}
