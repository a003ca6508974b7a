import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import {
  lxcEnv,
  lxcFactsEnvironment,
  type LxcContainerFacts,
} from "../../../policies/lib/contract";
import { secretLengths } from "../../secrets/lengths";
import { cpuCores, memoryMiB, standardLabels, type RuntimeContext } from "../labels";
import type { HealthCheckSpec } from "../../config/spec";
import type { Runtime, Workload, WorkloadExec, WorkloadSpec } from "../workload";
import { hostsBlock, lxcAddresses, net0Ip, type LxcAddress, type LxcNetwork } from "./network";
import {
  artifactCurrent,
  hostsScript,
  jobScript,
  pctCreate,
  pctExecScript,
  pctDestroy,
  pctUpdate,
  provisionScript,
  startScript,
  systemdUnit,
  type HealthWait,
} from "./pct";

export { allocateIds } from "./network";

export interface LxcRuntimeArgs {
  /** Names, tier and labels shared by every workload. */
  readonly context: RuntimeContext;
  /** SSH connection to the Proxmox node. */
  readonly connection: command.types.input.remote.ConnectionArgs;
  /** CT template volume. Defaults to the Debian 12 standard template. */
  readonly template: string;
  /** Storage for root filesystems. */
  readonly storage: string;
  /** Bridge of the containers' eth0. */
  readonly bridge: string;
  /** CT-IDs by workload name. */
  readonly ids: Readonly<Record<string, number>>;
  /** First ID for workloads without one in `ids`. */
  readonly firstId: number;
  /** The containers' network (`lxc.network`): static addresses and /etc/hosts. Defaults to DHCP. */
  readonly network?: LxcNetwork;
}

/**
 * The Proxmox LXC runtime: each workload is an unprivileged container created with `pct` over SSH,
 * started on boot in its start order, registered with HA in production, its service installed from
 * Debian packages and run by systemd. Create, update and delete really create, change (`pct set`)
 * and destroy.
 */
export class LxcRuntime extends pulumi.ComponentResource implements Runtime {
  public readonly kind = "lxc" as const;
  private readonly args: LxcRuntimeArgs;
  /** The realised containers by workload name, for `exec`. */
  private readonly realised = new Map<string, LxcContainer>();
  /** Every workload's static address (none without `network`). */
  private readonly addresses: Record<string, LxcAddress> = {};
  /** Jobs waiting for the container they run in, by its workload's name. */
  private readonly deferred = new Map<
    string,
    { spec: WorkloadSpec; dependsOn: readonly Workload[]; parent: pulumi.Resource }[]
  >();

  constructor(name: string, args: LxcRuntimeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("golive:lxc:Runtime", name, {}, opts);
    this.args = args;
    if (args.network) {
      // parseSpec reports these with their config paths first; this guards direct use.
      const { addresses, problems } = lxcAddresses(args.ids, args.network);
      if (problems.length > 0) {
        throw new pulumi.ResourceError(
          problems.map(([p, m]) => `golive:environment.${p.join(".")}: ${m}`).join("\n"),
          this,
        );
      }
      this.addresses = addresses;
    }
    this.registerOutputs({});
  }

  /** The CT-ID a workload gets. */
  public idOf(workload: string): number {
    const id = this.args.ids[workload];
    if (id === undefined) {
      throw new pulumi.ResourceError(`no CT-ID was allocated for workload "${workload}"`, this);
    }
    return id;
  }

  public workload(
    spec: WorkloadSpec,
    dependsOn: readonly Workload[],
    parent: pulumi.Resource,
  ): Workload {
    if (spec.job) {
      // A job runs inside an existing container (its own, or the one named by runsIn).
      const target = spec.job.runsIn ?? spec.name;
      const host = this.realised.get(target);
      if (host === undefined && target !== spec.name && this.args.ids[target] !== undefined) {
        // The container is not declared yet (a migration comes before the app it migrates): the
        // job runs when it is, in it, after its code is in place and before its service starts.
        const queued = this.deferred.get(target) ?? [];
        queued.push({ spec, dependsOn, parent });
        this.deferred.set(target, queued);
        return { name: spec.name, host: pulumi.output(spec.name), readiness: [] };
      }
      const job = this.job(spec, host?.spec, [...dependsOn.flatMap((d) => d.readiness)], parent);
      return { name: spec.name, host: pulumi.output(spec.name), readiness: [job] };
    }
    const jobs = this.deferred.get(spec.name) ?? [];
    this.deferred.delete(spec.name);
    const c = new LxcContainer(
      `${this.args.context.prefix}-${spec.name}`,
      {
        ...this.args,
        spec,
        id: this.idOf(spec.name),
        address: this.addresses[spec.name],
        hosts: Object.keys(this.addresses).length > 0 ? hostsBlock(this.addresses) : undefined,
      },
      { parent, dependsOn: dependsOn.flatMap((d) => d.readiness) },
    );
    this.realised.set(spec.name, c);
    // Every service starts in a command of its own, after provisioning and the jobs that run in
    // its container first: which workload a job runs in may change (a migration follows the live
    // colour) without changing any provisioning, so no service restarts for it.
    const ran = jobs.map((j) =>
      this.job(j.spec, spec, [c.service, ...j.dependsOn.flatMap((d) => d.readiness)], j.parent),
    );
    const start = c.startAfter(ran);
    return {
      name: spec.name,
      host: pulumi.output(spec.name),
      readiness: start ? [start] : [c.service],
    };
  }

  /**
   * A job's command in the container of `host` (the workload it runs in, when golive declared it):
   * as that workload's user, in its release's folder when it has an artefact.
   */
  private job(
    spec: WorkloadSpec,
    host: WorkloadSpec | undefined,
    dependsOn: pulumi.Resource[],
    parent: pulumi.Resource,
  ): command.remote.Command {
    const id = this.idOf(spec.job?.runsIn ?? spec.name);
    const secretExports = Object.keys(spec.secretEnv).sort();
    const argv = [...(spec.entrypoint ?? []), ...(spec.command ?? [])];
    const user =
      spec.lxc?.user ??
      (host && host !== spec ? (host.lxc?.user ?? host.securityContext?.runAsUser) : undefined);
    const jobUser = user === undefined ? "dynamic" : String(user);
    const workingDirectory = host?.lxc?.artifact ? artifactCurrent(host.name) : undefined;
    return new command.remote.Command(
      `${this.args.context.prefix}-${spec.name}`,
      {
        connection: this.args.connection,
        environment: {
          [lxcEnv.ctId]: String(id),
          [lxcEnv.job]: spec.name,
          [lxcEnv.jobUser]: jobUser,
          [lxcEnv.labels]: JSON.stringify(standardLabels(this.args.context, spec)),
          ...spec.env,
          ...Object.fromEntries(secretExports.map((k) => [k, spec.secretEnv[k]])),
        },
        create: jobScript(spec.name, argv, [...Object.keys(spec.env), ...secretExports], {
          user: jobUser,
          workingDirectory,
        }),
      },
      // A job's output is the command's own (a migration may print its connection string):
      // upstream's command provider keeps stdout and stderr plain, so golive marks them secret.
      { parent, dependsOn, additionalSecretOutputs: ["stdout", "stderr"] },
    );
  }

  public exec(spec: WorkloadExec, parent: pulumi.Resource): pulumi.Resource[] {
    const c = this.realised.get(spec.workload.name);
    if (!c) {
      throw new pulumi.ResourceError(
        `exec "${spec.name}": workload "${spec.workload.name}" is not one of this runtime's`,
        parent,
      );
    }
    const run = pctExecScript(this.idOf(spec.workload.name));
    return [
      new command.remote.Command(
        `${this.args.context.prefix}-${spec.workload.name}-${spec.name}`,
        {
          connection: this.args.connection,
          create: run,
          update: run,
          stdin: spec.script,
          // The script needs no previous output; without it the command carries no environment,
          // which golive's command provider cannot send together with stdin.
          addPreviousOutputInEnv: false,
          // A replaced container (same CT-ID, new create) has lost what the script did.
          triggers: [c.container.id],
        },
        { parent, dependsOn: [c.started ?? c.service] },
      ),
    ];
  }
}

export interface LxcContainerArgs extends LxcRuntimeArgs {
  readonly spec: WorkloadSpec;
  /** The container's CT-ID. */
  readonly id: number;
  /** Its static address (with `network`), else DHCP. */
  readonly address?: LxcAddress;
  /** golive's /etc/hosts block of every workload (with `network`). */
  readonly hosts?: string;
}

/** One LXC container and the service inside it. */
export class LxcContainer extends pulumi.ComponentResource {
  /** The workload it runs. */
  public readonly spec: WorkloadSpec;
  /** The container itself (`pct create/set/destroy`); its facts are in `environment`. */
  public readonly container: command.remote.Command;
  /** The service inside (packages, env file, systemd unit), ready once healthy. */
  public readonly service: command.remote.Command;
  /** The environment's names in its /etc/hosts (with `network`). */
  public readonly hosts?: command.remote.Command;

  constructor(name: string, args: LxcContainerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("golive:lxc:Container", name, {}, opts);
    const { spec, context } = args;
    this.spec = spec;
    this.resourceName = name;
    this.connection = args.connection;
    this.id = args.id;
    const hints = spec.lxc ?? {};
    const limits = spec.resources.limits ?? spec.resources.requests;
    const facts: LxcContainerFacts = {
      id: args.id,
      hostname: spec.name,
      cores: limits ? Math.max(1, Math.ceil(cpuCores(limits.cpu))) : 1,
      memoryMb: limits ? memoryMiB(limits.memory) : 512,
      diskGb: 8 + spec.volumes.reduce((sum, v) => sum + v.sizeGb, 0),
      startOrder: spec.startOrder,
      tier: context.tier,
      template: hints.template ?? args.template,
      storage: args.storage,
      bridge: args.bridge,
      ha: context.tier === "production",
      tags: ["golive", context.tier, spec.component].join(";"),
      unprivileged: spec.securityContext?.privileged !== true,
    };
    const privileged = !facts.unprivileged;
    const labels = standardLabels(context, spec);

    this.container = new command.remote.Command(
      `${name}-ct`,
      {
        connection: args.connection,
        environment: {
          ...lxcFactsEnvironment(facts),
          [lxcEnv.ctIp]: net0Ip(args.address, args.network),
          [lxcEnv.labels]: JSON.stringify(labels),
        },
        create: pctCreate(privileged),
        update: pctUpdate(),
        delete: pctDestroy(),
        // pct cannot turn a container privileged or back: it is replaced instead.
        triggers: privileged ? ["privileged"] : undefined,
      },
      // The replacement has the same CT-ID, so the old container must be gone before the new one
      // is created (else the create would keep it, and the delete then destroy it).
      { parent: this, deleteBeforeReplace: true },
    );

    if (args.hosts !== undefined) {
      const script = hostsScript();
      this.hosts = new command.remote.Command(
        `${name}-hosts`,
        {
          connection: args.connection,
          environment: { [lxcEnv.ctId]: String(args.id), [lxcEnv.hosts]: args.hosts },
          create: script,
          update: script,
          // A replaced container (same CT-ID, new create) has a fresh /etc/hosts.
          triggers: [this.container.id],
        },
        { parent: this, dependsOn: [this.container] },
      );
    }

    // Secrets reach the container only through this command's environment (a secret input, kept
    // encrypted in state) and land in a mode-0600 env file inside the container.
    const envKeys = [...Object.keys(spec.env), ...Object.keys(spec.secretEnv)].sort();
    const environment: Record<string, pulumi.Input<string>> = {
      [lxcEnv.ctId]: String(args.id),
      [lxcEnv.labels]: JSON.stringify(labels),
      // What the policy pack judges versions and users by, as structured facts.
      [lxcEnv.packages]: (hints.packages ?? []).join(" "),
    };
    if (hints.systemdService) environment[lxcEnv.systemdService] = hints.systemdService;
    const lengths = secretLengths(spec.secretEnv);
    if (lengths !== undefined) environment[lxcEnv.secretLengths] = lengths;
    for (const [k, v] of Object.entries(spec.env)) {
      environment[`${lxcEnv.envPrefix}${k}`] = v;
    }
    for (const [k, v] of Object.entries(spec.secretEnv)) {
      environment[`${lxcEnv.envPrefix}${k}`] = v;
    }
    // A secret file is readable by the service's user only: owned by it when the service runs as
    // a named user (a 0600 file of root's would be unreadable to it), else by root.
    const files = (hints.files ?? spec.files).map((f, i) => {
      const envKey = `${lxcEnv.filePrefix}${i}`;
      environment[envKey] = f.secret ? pulumi.secret(f.content) : f.content;
      return {
        path: f.path,
        envKey,
        mode: f.secret ? "0600" : "0644",
        owner: f.secret ? hints.user : undefined,
        secret: f.secret,
      };
    });
    // Where each file lands and which are secrets, for the policy pack (which sees secrets
    // unwrapped at `up`).
    if (files.length > 0) {
      environment[lxcEnv.files] = JSON.stringify(
        files.map((f) => ({ key: f.envKey, path: f.path, secret: f.secret })),
      );
    }
    let unit: string | undefined;
    const argv = hints.command ?? [
      ...(hints.entrypoint ?? spec.entrypoint ?? []),
      ...(spec.command ?? []),
    ];
    if (argv.length > 0) {
      unit = systemdUnit(
        spec.name,
        argv,
        hints.user ?? spec.securityContext?.runAsUser,
        hints.stopSignal,
        hints.artifact ? artifactCurrent(spec.name) : undefined,
      );
      environment[lxcEnv.unit] = unit;
    }
    if (hints.setup !== undefined) environment[lxcEnv.setup] = hints.setup;
    if (hints.artifact) {
      environment[lxcEnv.artifactUrl] = hints.artifact.url;
      environment[lxcEnv.artifactSha256] = hints.artifact.sha256;
      environment[lxcEnv.artifactVersion] = hints.artifact.version;
    }
    const unitName =
      unit !== undefined
        ? `golive-${spec.name}.service`
        : hints.systemdService !== undefined
          ? `${hints.systemdService}.service`
          : undefined;
    this.unitName = unitName;
    this.health = spec.healthCheck && unitName ? healthWait(unitName, spec.healthCheck) : undefined;
    const provision = provisionScript({
      service: spec.name,
      packages: hints.packages ?? [],
      envKeys,
      files,
      unit,
      packagedService: hints.systemdService,
      // A volume belongs to the user the service runs as, unless the spec names its owner.
      volumes: spec.volumes.map((v) => ({ path: v.mountPath, owner: v.owner ?? hints.user })),
      setup: hints.setup !== undefined,
      health: this.health,
      artifact: hints.artifact !== undefined,
      // The start is a command of its own (startAfter), after the jobs that run first.
      start: false,
    });
    this.service = new command.remote.Command(
      `${name}-service`,
      {
        connection: args.connection,
        environment,
        create: provision,
        update: provision,
      },
      // The provisioning environment carries the secrets; its output stays secret in state.
      {
        parent: this,
        dependsOn: this.hosts ? [this.container, this.hosts] : [this.container],
        additionalSecretOutputs: ["stdout", "stderr"],
      },
    );
    this.registerOutputs({ id: args.id });
  }

  private readonly resourceName: string;
  private readonly connection: command.types.input.remote.ConnectionArgs;
  private readonly id: number;
  private readonly unitName?: string;
  private readonly health?: HealthWait;

  /** The command that starts the service (none for a container without a service unit). */
  public started?: command.remote.Command;

  /**
   * Starts the service once `jobs` ran in the container, and again after every provisioning: a
   * new provisioning's output triggers it. Undefined when the container runs no unit.
   */
  public startAfter(jobs: readonly pulumi.Resource[]): command.remote.Command | undefined {
    if (this.unitName === undefined) return undefined;
    const script = startScript(this.spec.name, this.unitName, this.health);
    this.started = new command.remote.Command(
      `${this.resourceName}-start`,
      {
        connection: this.connection,
        environment: { [lxcEnv.ctId]: String(this.id) },
        create: script,
        update: script,
        triggers: [this.service.stdout],
      },
      { parent: this, dependsOn: [this.service, ...jobs], additionalSecretOutputs: ["stdout"] },
    );
    return this.started;
  }
}

/**
 * The bounded wait for a workload's health check on LXC: as long as Docker would take to call it
 * unhealthy (its start period, then each retry's interval and timeout).
 */
export function healthWait(unit: string, h: HealthCheckSpec): HealthWait {
  return {
    unit,
    check:
      h.command !== undefined
        ? { command: h.command }
        : { path: h.path ?? "/", port: h.port ?? 80 },
    timeoutSeconds: h.timeoutSeconds,
    intervalSeconds: Math.min(h.intervalSeconds, 5),
    deadlineSeconds: h.startPeriodSeconds + h.retries * (h.intervalSeconds + h.timeoutSeconds),
  };
}
