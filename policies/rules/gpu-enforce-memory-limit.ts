import type { StackValidationPolicy } from "@pulumi/policy";
import { label } from "../lib/contract";
import { podSpecOf } from "../lib/kinds";
import { known } from "../lib/unknowns";
import { factsOf, workloads } from "../lib/stack";

interface Config {
  maxShare: number;
}

/** A GPU workload caps its GPU memory at 85 % of the card (Ablage: 13.6 GB of 16 GB). */
export const gpuEnforceMemoryLimit: StackValidationPolicy = {
  name: "gpu-enforce-memory-limit",
  description:
    "GPU workloads declare a GPU memory limit within the configured share of the card (85 %).",
  severity: "high",
  tags: ["host", "workloads"],
  remediationSteps:
    "Set `gpu.memoryLimitGb` (and the app's own limit) to at most 85 % of `host.gpu.memoryGb`.",
  url: "https://golive.dev/checklists#002_3edfb88dbd4090f7.txt",
  configSchema: {
    properties: { maxShare: { type: "number", default: 0.85, minimum: 0, maximum: 1 } },
  },
  validateStack: (args, reportViolation) => {
    const { maxShare } = args.getConfig<Config>();
    const card = factsOf(args.resources)?.facts.host?.gpu;
    for (const w of workloads(args.resources)) {
      const p = w.resource.props;
      const gpu =
        (w.resource.type === "docker:index/container:Container" &&
          known(() => p.gpus) !== undefined) ||
        (known(() => JSON.stringify(podSpecOf(w.resource.type, p)?.containers ?? []))?.includes(
          "nvidia.com/gpu",
        ) ??
          false);
      if (!gpu) continue;
      const limit = Number(w.labels[label.gpuMemoryLimitGb]);
      if (!Number.isFinite(limit)) {
        reportViolation(`GPU workload ${w.name} declares no GPU memory limit.`, w.resource.urn);
      } else if (!card) {
        reportViolation(
          `GPU workload ${w.name} runs on a host with no declared GPU (host.gpu).`,
          w.resource.urn,
        );
      } else if (limit > card.memoryGb * maxShare + 1e-9) {
        reportViolation(
          `GPU workload ${w.name} may use ${limit} GB of the ${card.memoryGb} GB card; at most ${(card.memoryGb * maxShare).toFixed(1)} GB (${maxShare * 100} %).`,
          w.resource.urn,
        );
      }
    }
  },
};
