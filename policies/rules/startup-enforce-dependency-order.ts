import type { StackValidationPolicy } from "@pulumi/policy";
import { dataRoles, label } from "../lib/contract";
import { isApp } from "../lib/gate";
import { servicesOf } from "../lib/identify";
import { running, waitsFor, workloads } from "../lib/stack";
import { known } from "../lib/unknowns";
import { isKnown, type WorkloadView } from "../lib/workloads";

const dataRoleSet = new Set<string>(dataRoles);
const dataServices = new Set([
  "postgres",
  "pgbouncer",
  "redis",
  "rabbitmq",
  "elasticsearch",
  "mongodb",
  "minio",
]);

function isData(w: WorkloadView): boolean {
  return (
    dataRoleSet.has(w.labels[label.component] ?? "") ||
    servicesOf(w).some((s) => dataServices.has(s))
  );
}

/** Data services an app names in its environment as a host (`DATABASE_HOST=postgres`, `redis://cache:6379`). */
function named(app: WorkloadView, data: readonly string[]): string[] {
  if (!isKnown(app.env)) return [];
  const values = app.env.vars.flatMap((e) => (isKnown(e.value) ? [e.value] : [])).join("\n");
  return data.filter((d) =>
    new RegExp(`(^|[/@=\\s,])${d.replace(/[.-]/g, "\\$&")}([:/\\s,]|$)`, "m").test(values),
  );
}

/**
 * Every app starts after its databases: its resource waits (dependsOn, directly or through its
 * component) for every data service it depends on — the ones golive records, and the ones it
 * names as a host in its environment — and, where start orders are declared (LXC), its start
 * order is later than theirs.
 */
export const startupEnforceDependencyOrder: StackValidationPolicy = {
  name: "startup-enforce-dependency-order",
  description: "Apps wait for the data services they depend on, and start after them.",
  severity: "high",
  tags: ["workloads", "data"],
  remediationSteps: "List the data services in the service's `dependsOn`.",
  url: "https://golive.dev/checklists#003_0b0814f5192e47dd.txt",
  validateStack: (args, reportViolation) => {
    const all = workloads(args.resources);
    const processes = running(args.resources);
    const views = new Map(processes.map((r) => [r.resource.urn, r.views]));
    const viewOf = (urn: string) => views.get(urn)?.[0];
    // LXC: the container command realises the workload; its service command holds the env.
    const lxcServices = new Map<string, WorkloadView>();
    for (const { views: vs } of processes) {
      for (const v of vs)
        if (v.runtime === "lxc" && !lxcServices.has(v.name)) lxcServices.set(v.name, v);
    }
    const serviceOf = (name: string) => lxcServices.get(name);
    const data = all.filter((w) => {
      const v = viewOf(w.resource.urn) ?? serviceOf(w.name);
      return v !== undefined ? isData(v) : dataRoleSet.has(w.component);
    });
    // The host names a data service is reached by: its name, its container's (Docker alias,
    // hostname), its Kubernetes object's (a Service usually shares it).
    const hostsOf = (w: (typeof data)[number]): string[] => {
      const v = viewOf(w.resource.urn);
      const meta = known(() => w.resource.props.metadata?.name as string | undefined);
      return [...new Set([w.name, v?.container, meta].filter((n): n is string => !!n))];
    };
    const byHost = new Map<string, string>();
    for (const d of data) for (const h of hostsOf(d)) if (!byHost.has(h)) byHost.set(h, d.name);
    const dataNames = [...byHost.keys()];
    for (const app of all) {
      const view = viewOf(app.resource.urn) ?? serviceOf(app.name);
      if (!view || !isApp(view)) continue;
      const waits = waitsFor(app.resource);
      const deps = new Set([
        ...(app.labels[label.dependsOn] ?? "").split(",").filter(Boolean),
        ...named(view, dataNames).map((h) => byHost.get(h) ?? h),
      ]);
      for (const dep of deps) {
        const realised = data.filter((w) => w.name === dep);
        if (realised.length === 0) continue;
        if (!realised.some((d) => waits.has(d.resource.urn))) {
          reportViolation(
            `${app.name} depends on ${dep} but its deployment does not wait for it.`,
            app.resource.urn,
          );
        }
        const appOrder = Number(app.labels[label.startOrder]);
        for (const d of realised) {
          const dataOrder = Number(d.labels[label.startOrder]);
          if (Number.isFinite(appOrder) && Number.isFinite(dataOrder) && appOrder <= dataOrder) {
            reportViolation(
              `${app.name} starts at order ${appOrder}, not after ${dep} (${dataOrder}).`,
              app.resource.urn,
            );
          }
        }
      }
    }
  },
};
