/** What the runtimes need beyond the workloads: the host, the Proxmox node (LXC), Kubernetes. */
import { z } from "zod";
import { name, port } from "./common";

/** The host (or cluster) the environment runs on, as the policy pack's sizing gates judge it. */
export const hostSpec = z
  .object({
    cpuCores: z.number().int().min(1),
    memoryGb: z.number().positive(),
    diskGb: z.number().positive(),
    /** Free disk at go-live (Ablage demands 50 GB free). */
    freeDiskGb: z.number().nonnegative().optional(),
    /** Cluster nodes (Proxmox): the PSA checklist demands 3 with HA. */
    nodes: z.number().int().min(1).default(1),
    gpu: z
      .object({ model: z.string().min(1), memoryGb: z.number().positive() })
      .strict()
      .optional(),
  })
  .strict();

export const lxcSpec = z
  .object({
    /** The Proxmox node golive drives over SSH. */
    node: z
      .object({
        host: z.string().min(1),
        port: port.default(22),
        user: z.string().min(1).default("root"),
        /**
         * Config key of the SSH private key (set with `pulumi config set --secret`). Without one,
         * golive authenticates through the SSH agent ($SSH_AUTH_SOCK).
         */
        privateKeyConfig: z.string().min(1).optional(),
      })
      .strict(),
    template: z.string().min(1).default("local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"),
    storage: z.string().min(1).default("local-lvm"),
    bridge: z.string().min(1).default("vmbr0"),
    /**
     * The containers' IPv4 network on the bridge. With it, each container gets a static address,
     * the network's address plus its CT-ID (CT 210 in 10.0.0.0/24: 10.0.0.210), and golive writes
     * every workload's name and address into each container's /etc/hosts, so workloads reach each
     * other by name as on Docker's and Kubernetes' DNS (Proxmox gives containers no names of each
     * other). Without it the containers take DHCP (`ip=dhcp`) and names resolve only through the
     * site's own DNS.
     */
    network: z
      .object({
        /** The network in CIDR notation (`10.0.0.0/24`). */
        cidr: z
          .string()
          .regex(
            /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/,
            "an IPv4 network in CIDR notation (10.0.0.0/24)",
          ),
        /** The containers' default gateway, an address inside the network. */
        gateway: z
          .string()
          .regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/, "an IPv4 address"),
      })
      .strict()
      .optional(),
    /** CT-IDs by service name; services without one get the next free ID from `firstId`. */
    ids: z.record(z.string(), z.number().int().min(100).max(999_999_999)).default({}),
    firstId: z.number().int().min(100).default(200),
  })
  .strict();

export const kubernetesSpec = z
  .object({
    namespace: name.optional(),
    /** Write manifests to this folder instead of applying them (no cluster needed). */
    renderYamlToDirectory: z.string().min(1).optional(),
    /**
     * The StorageClass of every volume claim golive makes (PostgreSQL's data, Prometheus', …).
     * Defaults to none: the claims leave `storageClassName` unset and get the cluster's default
     * StorageClass.
     */
    storageClassName: z
      .string()
      .max(253)
      .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "a StorageClass name (a DNS subdomain)")
      .optional(),
  })
  .strict();
