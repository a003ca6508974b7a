import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { label, role } from "../../../policies/lib/contract";
import type { HealthCheckSpec } from "../../config/spec";
import { secretLengths } from "../../secrets/lengths";
import {
  cpuCores,
  defaultRunAsUser,
  keepsOnDestroy,
  memoryMiB,
  standardLabels,
  type RuntimeContext,
} from "../labels";
import { shellQuote } from "../shell";
import type { Runtime, Workload, WorkloadExec, WorkloadSpec } from "../workload";

export interface DockerRuntimeArgs {
  /** Names, tier and labels shared by every workload. */
  readonly context: RuntimeContext;
  /**
   * The Docker daemon `exec` scripts reach, as the docker provider's `host` setting. Defaults to
   * the stack's `docker:host`, else the docker CLI's own (DOCKER_HOST, else the default socket).
   */
  readonly host?: string;
}

/** The command line that runs a script (on standard input) inside a container. */
export function dockerExecCommand(container: string): string {
  return `docker exec -i ${shellQuote(container)} sh -s`;
}

/** Docker's healthcheck `tests` for a spec health check (HTTP probed from inside the container). */
export function dockerHealthTests(h: HealthCheckSpec, defaultPort: number | undefined): string[] {
  if (h.command) {
    return ["CMD", ...h.command];
  }
  const url = `http://127.0.0.1:${h.port ?? defaultPort ?? 80}${h.path}`;
  return ["CMD-SHELL", `curl -fsS -o /dev/null ${url} || wget -q -O /dev/null ${url} || exit 1`];
}

/**
 * The Docker runtime: one bridge network per environment, and per workload its named volumes and
 * containers with health checks, restart policy, CPU/memory limits, GPU device requests and ports
 * published on 127.0.0.1 where the spec asks.
 */
export class DockerRuntime extends pulumi.ComponentResource implements Runtime {
  public readonly kind = "docker" as const;
  public readonly network: docker.Network;
  private readonly ctx: RuntimeContext;
  private readonly host?: string;
  /** The realised workloads by name, for `exec`. */
  private readonly realised = new Map<string, DockerWorkload>();

  constructor(name: string, args: DockerRuntimeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("golive:docker:Runtime", name, {}, opts);
    this.ctx = args.context;
    this.host = args.host ?? new pulumi.Config("docker").get("host");
    this.network = new docker.Network(
      `${name}-network`,
      {
        name: `${args.context.prefix}-net`,
        driver: "bridge",
        labels: toLabels({ ...args.context.labels, "app.kubernetes.io/managed-by": "golive" }),
      },
      { parent: this },
    );
    this.registerOutputs({ network: this.network.name });
  }

  public workload(
    spec: WorkloadSpec,
    dependsOn: readonly Workload[],
    parent: pulumi.Resource,
  ): Workload {
    const w = new DockerWorkload(
      `${this.ctx.prefix}-${spec.name}`,
      {
        spec,
        context: this.ctx,
        network: this.network.name,
        hostPorts: this.ctx.hostPorts?.[spec.name],
      },
      { parent, dependsOn: dependsOn.flatMap((d) => d.readiness) },
    );
    this.realised.set(spec.name, w);
    return { name: spec.name, host: pulumi.output(spec.name), readiness: w.containers };
  }

  public exec(spec: WorkloadExec, parent: pulumi.Resource): pulumi.Resource[] {
    const w = this.realised.get(spec.workload.name);
    if (!w) {
      throw new pulumi.ResourceError(
        `exec "${spec.name}": workload "${spec.workload.name}" is not one of this runtime's`,
        parent,
      );
    }
    return w.containers.map((c, i) => {
      const name = w.containerNames[i];
      const run = dockerExecCommand(name);
      return new command.local.Command(
        `${name}-${spec.name}`,
        {
          create: run,
          update: run,
          stdin: spec.script,
          environment: this.host ? { DOCKER_HOST: this.host } : undefined,
          // A replaced container has lost what the script did to the old one.
          triggers: [c.id],
        },
        { parent, dependsOn: [c] },
      );
    });
  }
}

/**
 * The UID an uploaded file belongs to: the container's user where that is a UID, else the image's
 * (`imageUser`), else root. Numeric: upstream resolves an owner's name on the machine running
 * Pulumi, not in the image.
 */
export function uploadOwner(
  containerUser: string | undefined,
  imageUser: number | undefined,
): string | undefined {
  const uid =
    containerUser !== undefined && /^\d+$/.test(containerUser) ? Number(containerUser) : imageUser;
  return uid === undefined ? undefined : String(uid);
}

function toLabels(
  labels: Record<string, pulumi.Input<string> | undefined>,
): docker.types.input.ContainerLabel[] {
  return Object.entries(labels)
    .filter((e): e is [string, pulumi.Input<string>] => e[1] !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, value]) => ({ label, value }));
}

export interface DockerWorkloadArgs {
  readonly spec: WorkloadSpec;
  readonly context: RuntimeContext;
  /** The environment's network; the workload is reachable on it by its name. */
  readonly network: pulumi.Input<string>;
  /** Host ports to publish on 127.0.0.1, by port name (spec `hostPorts`). Defaults to none. */
  readonly hostPorts?: Readonly<Record<string, number>>;
}

/** One workload on Docker: its volumes and one container per replica. */
export class DockerWorkload extends pulumi.ComponentResource {
  public readonly containers: docker.Container[];
  /** The containers' names, in the order of `containers`. */
  public readonly containerNames: string[] = [];
  public readonly volumes: docker.Volume[];

  constructor(name: string, args: DockerWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
    super("golive:docker:Workload", name, {}, opts);
    const { spec, context } = args;
    const labels = standardLabels(context, spec);
    const volumeName = (v: { readonly name: string }) => `${name}-${v.name}`;

    this.volumes = spec.volumes.map(
      (v) =>
        new docker.Volume(
          volumeName(v),
          { name: volumeName(v), labels: toLabels(labels) },
          // Docker cannot change a volume's labels, so upstream replaces a volume whose labels
          // change, and a workload's labels change with its version, its receiver, its
          // certificate's expiry: the replace deletes the volume first, which the running
          // container still mounts, and the update fails. The labels are the ones it was made with.
          { parent: this, retainOnDelete: keepsOnDestroy(context, v), ignoreChanges: ["labels"] },
        ),
    );

    // A fresh Docker volume mounted where the image has no folder belongs to root: hand the ones
    // the spec names an owner for to that user before the workload starts (a one-off job, like
    // the Bitnami charts' volume-permissions init container).
    const owned = spec.volumes.filter((v) => v.owner !== undefined);
    const ready: pulumi.Resource[] = [...this.volumes];
    if (owned.length > 0) {
      ready.push(
        new docker.Container(
          `${name}-volume-owner`,
          {
            name: `${name}-volume-owner`,
            image: spec.image,
            entrypoints: ["sh", "-c"],
            // "user:" is the user's login group; a bare UID has none to name, so it is its own GID.
            command: [
              owned
                .map(
                  // Docker copies the image's folder (and its owner) into a volume that is still
                  // empty each time one is mounted: a marker file keeps the volume from being empty.
                  (v) =>
                    `chown ${v.owner}:${/^\d+$/.test(v.owner!) ? v.owner : ""} ${v.mountPath} && touch ${v.mountPath}/.golive-owner`,
                )
                .join(" && "),
            ],
            user: "0",
            restart: "no",
            attach: true,
            logs: true,
            mustRun: false,
            // Its own name and component, none of the workload's role labels: policies must not
            // take it for the workload (a PostgreSQL primary without WAL archiving, say).
            labels: toLabels({
              ...standardLabels(context, {
                ...spec,
                name: `${spec.name}-volume-owner`,
                component: role.volumeOwner,
                secretEnv: {},
                labels: {},
              }),
              [label.job]: role.volumeOwner,
            }),
            volumes: owned.map((v) => ({ volumeName: volumeName(v), containerPath: v.mountPath })),
            memory: 64,
            cpus: "0.25",
          },
          { parent: this, dependsOn: this.volumes },
        ),
      );
    }

    // One entry per variable: plain ones are literals, each secret one a secret Output of its
    // own. A generated secret is unknown at the first preview, but only its own entry is: the
    // policy pack still reads every other variable (a list built in one apply would be unknown
    // whole, and the env gates blind).
    const envs: pulumi.Input<string>[] = [
      ...Object.keys(spec.env)
        .sort()
        .map((k) => `${k}=${spec.env[k]}`),
      ...Object.keys(spec.secretEnv)
        .sort()
        .map((k) => pulumi.interpolate`${k}=${spec.secretEnv[k]}`),
    ];
    const containerLabels = toLabels({
      ...labels,
      [label.secretLengths]: secretLengths(spec.secretEnv),
    });

    const limits = spec.resources.limits;
    const requests = spec.resources.requests;
    // The spec's user and privileged mode; absent, the workload's Docker user ("image": the
    // image's own), else golive's default; unprivileged.
    const sc = spec.securityContext;
    const hints = spec.docker ?? {};
    const dockerUser =
      sc?.runAsUser !== undefined
        ? String(sc.runAsUser)
        : hints.user === "image" || (hints.user === undefined && spec.imageUser !== undefined)
          ? undefined
          : (hints.user ?? String(defaultRunAsUser));
    const hostPorts = args.hostPorts ?? {};
    const firstPort = spec.ports[0]?.port;
    const replicas = spec.stateful ? Math.min(spec.replicas, 1) : spec.replicas;
    this.containers = [];
    for (let i = 0; i < replicas; i++) {
      const containerName = replicas === 1 ? name : `${name}-${i + 1}`;
      this.containerNames.push(containerName);
      this.containers.push(
        new docker.Container(
          containerName,
          {
            name: containerName,
            image: spec.image,
            entrypoints: spec.entrypoint ? [...spec.entrypoint] : undefined,
            command: spec.command ? [...spec.command] : undefined,
            envs,
            hostname: spec.name,
            privileged: sc?.privileged ? true : undefined,
            restart: spec.job ? "no" : "unless-stopped",
            // A job runs to completion: the create waits for its exit and fails on a non-zero code.
            attach: spec.job ? true : undefined,
            logs: spec.job ? true : undefined,
            mustRun: spec.job ? false : undefined,
            labels: containerLabels,
            // Stated, unless the image is one whose own USER or entrypoint runs it unprivileged:
            // the policy pack cannot read an image's USER at preview.
            user: dockerUser,
            networksAdvanced: [
              {
                name: args.network,
                aliases: replicas === 1 ? [spec.name] : [spec.name, containerName],
              },
            ],
            ports: spec.ports
              .filter((p) => hostPorts[p.name] !== undefined)
              .map((p) => ({ internal: p.port, external: hostPorts[p.name], ip: "127.0.0.1" })),
            volumes: spec.volumes.map((v) => ({
              volumeName: volumeName(v),
              containerPath: v.mountPath,
            })),
            uploads: spec.files.map((f) => ({
              file: f.path,
              content: f.secret ? pulumi.secret(f.content) : f.content,
              permissions: f.secret ? "0600" : "0644",
              // A secret file must be readable by the user the workload runs as: a UID, since
              // upstream resolves an owner's name on the machine running Pulumi, not the image.
              owner: uploadOwner(dockerUser, spec.imageUser),
            })),
            healthcheck: spec.healthCheck && {
              tests: dockerHealthTests(spec.healthCheck, firstPort),
              interval: `${spec.healthCheck.intervalSeconds}s`,
              timeout: `${spec.healthCheck.timeoutSeconds}s`,
              retries: spec.healthCheck.retries,
              startPeriod: `${spec.healthCheck.startPeriodSeconds}s`,
            },
            // Dependants start only once this container reports healthy.
            wait: spec.healthCheck !== undefined && !spec.job,
            waitTimeout: 180,
            memory: limits ? memoryMiB(limits.memory) : undefined,
            memoryReservation: requests ? memoryMiB(requests.memory) : undefined,
            cpus: limits ? String(cpuCores(limits.cpu)) : undefined,
            gpus: spec.gpu ? (spec.gpu.count > 0 ? `count=${spec.gpu.count}` : "all") : undefined,
          },
          { parent: this, dependsOn: ready },
        ),
      );
    }
    this.registerOutputs({ containers: this.containers.map((c) => c.name) });
  }
}
