/**
 * proxmox-quorum and proxmox-storage: facts of the Proxmox node an LXC stack runs on. They do not
 * apply to Docker and Kubernetes stacks; on LXC they wait for the node probes (`pvecm status`,
 * `pvesm status` over the node's SSH) and answer unknown until then, never a pass.
 */
import { skipped, unknown, type LiveCheck } from "./check";

const notProxmox = (runtime: string) => skipped(`the stack runs on ${runtime}, not on Proxmox`);

export const proxmoxQuorum: LiveCheck = {
  id: "proxmox-quorum",
  items: ["psa-platform.quorum-konfiguriert-3-votes"],
  timeoutSeconds: 20,
  run: (ctx) =>
    Promise.resolve(
      ctx.env.runtime !== "lxc"
        ? notProxmox(ctx.env.runtime)
        : unknown("pvecm status on the Proxmox node is not read yet: quorum and votes not seen"),
    ),
};

export const proxmoxStorage: LiveCheck = {
  id: "proxmox-storage",
  items: [
    "psa-platform.shared-storage-zfs-ceph-eingerichtet",
    "psa-platform.backup-storage-verfuegbar",
  ],
  timeoutSeconds: 20,
  run: (ctx) =>
    Promise.resolve(
      ctx.env.runtime !== "lxc"
        ? notProxmox(ctx.env.runtime)
        : unknown("pvesm status on the Proxmox node is not read yet: its storages not seen"),
    ),
};
