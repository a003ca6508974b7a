import type * as pulumi from "@pulumi/pulumi";
import type { EnvironmentSpec } from "../config/spec";
import { workloadNames } from "../services";
import { DockerRuntime } from "./docker";
import { KubernetesRuntime } from "./kubernetes";
import type { RuntimeContext } from "./labels";
import { allocateIds, LxcRuntime } from "./lxc";
import type { Runtime } from "./workload";

/**
 * The runtime the spec names, as a child of `parent`: Docker, Kubernetes (namespace, optional
 * render to YAML), or Proxmox LXC (SSH connection, CT-IDs for every workload the spec makes).
 */
export function makeRuntime(
  name: string,
  spec: EnvironmentSpec,
  context: RuntimeContext,
  config: pulumi.Config,
  parent: pulumi.Resource,
): Runtime {
  switch (spec.runtime) {
    case "docker":
      return new DockerRuntime(`${name}-docker`, { context }, { parent });
    case "kubernetes":
      return new KubernetesRuntime(
        `${name}-kubernetes`,
        {
          context,
          namespace: spec.kubernetes.namespace,
          renderYamlToDirectory: spec.kubernetes.renderYamlToDirectory,
        },
        { parent },
      );
    case "lxc": {
      // The spec's refinement guarantees the lxc block for the lxc runtime.
      const lxc = spec.lxc!;
      return new LxcRuntime(
        `${name}-lxc`,
        {
          context,
          connection: {
            host: lxc.node.host,
            port: lxc.node.port,
            user: lxc.node.user,
            privateKey: lxc.node.privateKeyConfig
              ? config.requireSecret(lxc.node.privateKeyConfig)
              : undefined,
          },
          template: lxc.template,
          storage: lxc.storage,
          bridge: lxc.bridge,
          ids: allocateIds(workloadNames(spec), lxc.ids, lxc.firstId),
          firstId: lxc.firstId,
          network: lxc.network,
        },
        { parent },
      );
    }
  }
}
