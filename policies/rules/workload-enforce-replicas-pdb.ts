import type { StackValidationPolicy } from "@pulumi/policy";
import { known } from "../lib/unknowns";

interface Config {
  minReplicas: number;
}

/**
 * Production app Deployments run replicated (HPA-aware: an HPA's minReplicas counts) and a
 * PodDisruptionBudget that allows at least one pod keeps them available through node drains.
 */
export const workloadEnforceReplicasPdb: StackValidationPolicy = {
  name: "workload-enforce-replicas-pdb",
  description:
    "App Deployments have at least the configured replicas and a matching PodDisruptionBudget.",
  severity: "high",
  tags: ["workloads"],
  remediationSteps: "Set `replicas: 2` or more; golive adds the PodDisruptionBudget.",
  url: "https://golive.dev/checklists#001_2c0f42d52e13659e.txt",
  configSchema: { properties: { minReplicas: { type: "integer", default: 2, minimum: 1 } } },
  validateStack: (args, reportViolation) => {
    const { minReplicas } = args.getConfig<Config>();
    const pdbs = args.resources.filter(
      (r) => r.type === "kubernetes:policy/v1:PodDisruptionBudget",
    );
    const hpas = args.resources.filter((r) => r.type.startsWith("kubernetes:autoscaling/"));
    for (const d of args.resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment")) {
      const labels = known(() => ({ ...(d.props.spec?.template?.metadata?.labels ?? {}) })) ?? {};
      const component = labels["app.kubernetes.io/component"];
      if (component !== "app") continue;
      const name = known(() => d.props.metadata?.name as string) ?? d.name;
      const hpa = hpas.find((h) => known(() => h.props.spec?.scaleTargetRef?.name) === name);
      const replicas = hpa
        ? Number(known(() => hpa.props.spec?.minReplicas) ?? 1)
        : Number(known(() => d.props.spec?.replicas) ?? 1);
      if (replicas < minReplicas) {
        reportViolation(
          `Deployment ${name} runs ${replicas} replica(s); at least ${minReplicas} are required.`,
          d.urn,
        );
        continue;
      }
      const selector = known(() => ({ ...(d.props.spec?.selector?.matchLabels ?? {}) })) ?? {};
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
          d.urn,
        );
    }
  },
};
