import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { label } from "../lib/contract";
import { isApp } from "../lib/gate";
import { isPodKind, k8sPdb } from "../lib/kinds";
import { known } from "../lib/unknowns";
import { isKnown, read, replicasOf, workloadsOf } from "../lib/workloads";

interface Config {
  minReplicas: number;
}

/**
 * Production apps run replicated, on every runtime: a Kubernetes Deployment's (or
 * StatefulSet's) replicas, an HPA's minReplicas counting; on Docker and LXC the containers that
 * carry the same app name. On Kubernetes a PodDisruptionBudget that allows at least one
 * disruption keeps them available through node drains (Docker and LXC have no drains).
 */
export const workloadEnforceReplicasPdb: StackValidationPolicy = {
  name: "workload-enforce-replicas-pdb",
  description:
    "Apps run at least the configured replicas (every runtime) and, on Kubernetes, a matching PodDisruptionBudget.",
  severity: "high",
  tags: ["workloads"],
  remediationSteps: "Set `replicas: 2` or more; golive adds the PodDisruptionBudget.",
  url: "https://golive.dev/checklists#001_2c0f42d52e13659e.txt",
  configSchema: { properties: { minReplicas: { type: "integer", default: 2, minimum: 1 } } },
  validateStack: (args, reportViolation) => {
    const { minReplicas } = args.getConfig<Config>();
    const pdbs = args.resources.filter((r) => r.type === k8sPdb);
    const hpas = args.resources.filter((r) => r.type.startsWith("kubernetes:autoscaling/"));
    // Docker containers and LXC containers of one app, by name.
    const groups = new Map<string, { count: number; first: PolicyResource }>();
    for (const r of args.resources) {
      const views = workloadsOf(r.type, r.props).filter(isApp);
      if (views.length === 0) continue;
      if (isPodKind(r.type)) {
        if (
          r.type !== "kubernetes:apps/v1:Deployment" &&
          r.type !== "kubernetes:apps/v1:StatefulSet"
        )
          continue;
        const name = known(() => r.props.metadata?.name as string) ?? r.name;
        const hpa = hpas.find((h) => known(() => h.props.spec?.scaleTargetRef?.name) === name);
        const replicas = hpa
          ? read(() => Number(hpa.props.spec?.minReplicas ?? 1))
          : replicasOf(r.type, r.props);
        if (replicas === undefined) continue;
        if (!isKnown(replicas)) {
          reportViolation(`Deployment ${name}: its replicas are unknown at preview.`, r.urn);
          continue;
        }
        if (replicas < minReplicas) {
          reportViolation(
            `Deployment ${name} runs ${replicas} replica(s); at least ${minReplicas} are required.`,
            r.urn,
          );
          continue;
        }
        // A budget for a single pod cannot allow a disruption and keep it available.
        if (replicas < 2) continue;
        const selector = known(() => ({ ...(r.props.spec?.selector?.matchLabels ?? {}) })) ?? {};
        const covered = pdbs.some((p) => {
          const m = known(() => ({ ...(p.props.spec?.selector?.matchLabels ?? {}) })) ?? {};
          const allowsOne =
            known(() => p.props.spec?.minAvailable) !== replicas &&
            known(() => p.props.spec?.maxUnavailable) !== 0;
          return (
            Object.keys(m).length > 0 &&
            Object.entries(m).every(([k, v]) => selector[k] === v) &&
            allowsOne
          );
        });
        if (!covered)
          reportViolation(
            `Deployment ${name} has no PodDisruptionBudget that allows a disruption.`,
            r.urn,
          );
        continue;
      }
      const name = views[0].labels[label.name] ?? views[0].container;
      const g = groups.get(name);
      if (g) g.count++;
      else groups.set(name, { count: 1, first: r });
    }
    // LXC: the app's service command runs in one container each; count the containers.
    for (const [name, g] of groups) {
      if (g.count < minReplicas) {
        reportViolation(
          `${name} runs ${g.count} instance(s); at least ${minReplicas} are required.`,
          g.first.urn,
        );
      }
    }
  },
};
