import type { ResourceValidationPolicy } from "@pulumi/policy";
import { types } from "../lib/contract";
import type { Facts } from "../lib/stack";
import { lxcFacts } from "../lib/workloads";

interface Config {
  minCpuCores: number;
  minMemoryGb: number;
  minDiskGb: number;
  minFreeDiskGb: number;
  minNodes: number;
  requireHa: boolean;
}

/**
 * The host meets the system's minimums (CGS Assist: 8 cores, 16 GB, 100 GB; Ablage: 50 GB free;
 * PSA: 5 TB over 3 nodes): thresholds per stack in the pack config. LXC production needs HA,
 * which takes at least the configured number of nodes.
 */
export const hostEnforceMinimums: ResourceValidationPolicy = {
  name: "host-enforce-minimums",
  description:
    "The declared host sizing meets the configured minimum cores, memory, disk, free disk and nodes.",
  severity: "high",
  tags: ["host"],
  remediationSteps: "Declare the real host in `host:` and size it to the checklist's minimums.",
  url: "https://golive.dev/checklists#000_a75db8db1bb96064.txt:30",
  configSchema: {
    properties: {
      minCpuCores: { type: "integer", default: 0, minimum: 0 },
      minMemoryGb: { type: "number", default: 0, minimum: 0 },
      minDiskGb: { type: "number", default: 0, minimum: 0 },
      minFreeDiskGb: { type: "number", default: 0, minimum: 0 },
      minNodes: { type: "integer", default: 1, minimum: 1 },
      requireHa: { type: "boolean", default: false },
    },
  },
  // A resource policy: the facts resource carries the sizing, each LXC container its HA state.
  validateResource: (args, reportViolation) => {
    const c = args.getConfig<Config>();
    const ct = lxcFacts(args.type, args.props);
    if (ct) {
      // Every LXC container is registered with the Proxmox HA manager.
      if (c.requireHa && !ct.ha)
        reportViolation(`Container ${ct.id} (${ct.hostname}) is not registered with HA.`);
      return;
    }
    if (args.type !== types.facts) return;
    const found = { facts: args.props as Facts, urn: args.urn };
    const { facts, urn } = found;
    const needsHost =
      c.minCpuCores + c.minMemoryGb + c.minDiskGb + c.minFreeDiskGb > 0 || c.minNodes > 1;
    if (!facts.host) {
      if (needsHost)
        reportViolation(
          "The environment declares no host sizing (`host:`), so its minimums cannot be checked.",
          urn,
        );
      return;
    }
    const h = facts.host;
    const check = (ok: boolean, msg: string) => ok || reportViolation(msg, urn);
    check(
      h.cpuCores >= c.minCpuCores,
      `The host has ${h.cpuCores} cores; at least ${c.minCpuCores} are required.`,
    );
    check(
      h.memoryGb >= c.minMemoryGb,
      `The host has ${h.memoryGb} GB RAM; at least ${c.minMemoryGb} GB are required.`,
    );
    check(
      h.diskGb >= c.minDiskGb,
      `The host has ${h.diskGb} GB disk; at least ${c.minDiskGb} GB are required.`,
    );
    if (c.minFreeDiskGb > 0) {
      check(
        (h.freeDiskGb ?? 0) >= c.minFreeDiskGb,
        `The host has ${h.freeDiskGb ?? "no declared"} GB free; at least ${c.minFreeDiskGb} GB are required.`,
      );
    }
    check(
      h.nodes >= c.minNodes,
      `The cluster has ${h.nodes} node(s); at least ${c.minNodes} are required (HA).`,
    );
  },
};
