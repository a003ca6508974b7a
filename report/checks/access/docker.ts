/**
 * Docker: commands by `docker exec` into `<prefix>-<workload>`, ports through the host ports the
 * spec publishes on 127.0.0.1 (hostPorts), health from `docker inspect` (the container's state and
 * its health check's status).
 */
import type { LiveEnvironment } from "../../../policies/lib/contract";
import { docker } from "../probe";
import { atLeast, lines, type InstanceState, type RuntimeAccess } from ".";

export const minimumDocker = [20, 10] as const;

/** The inspect template whose lines `dockerStates` reads. */
export const inspectFormat =
  "{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}";

/** A workload's containers among all names: its own, or one per replica (`-1`, `-2`, …). */
export function containersOf(names: readonly string[], base: string): string[] {
  return names.filter((n) => n === base || new RegExp(`^${base}-\\d+$`).test(n));
}

/** The lines of `docker inspect --format inspectFormat` as instance states. */
export function dockerStates(workload: string, out: string): InstanceState[] {
  return lines(out).map((line) => {
    const [name, state, health] = line.replace(/^\//, "").split(" ");
    return {
      workload,
      instance: name,
      ok: state === "running" && (health === "healthy" || health === "none"),
      state: state !== "running" ? state : health === "none" ? "running" : health,
    };
  });
}

export function dockerAccess(env: LiveEnvironment): RuntimeAccess {
  const container = (w: string) => `${env.prefix}-${w}`;
  const hostPort = (w: string, port: string) => env.hostPorts[w]?.[port];
  return {
    runtime: "docker",
    where: container,
    exec: (w, command, opts) =>
      docker(["exec", container(w), ...command], opts?.timeoutSeconds ?? 10),
    command: (w, command, opts) =>
      Promise.resolve({
        file: "docker",
        args: ["exec", ...(opts?.stdin ? ["-i"] : []), container(w), ...command],
      }),
    unreachable: (w, port) =>
      hostPort(w, port) === undefined
        ? `${w} publishes no host port (hostPorts.${w}.${port}) to reach it by`
        : undefined,
    forward: (w, port, use) => {
      const p = hostPort(w, port);
      if (p === undefined)
        return Promise.reject(
          new Error(`${w} publishes no host port (hostPorts.${w}.${port}) to reach it by`),
        );
      return use(p);
    },
    instances: async (workloads) => {
      const names = lines(await docker(["ps", "-a", "--format", "{{.Names}}"])).filter((n) =>
        n.startsWith(`${env.prefix}-`),
      );
      const states: InstanceState[] = [];
      for (const w of workloads) {
        const mine = containersOf(names, container(w));
        if (mine.length === 0) {
          states.push({
            workload: w,
            ok: false,
            state: `no container ${container(w)}`,
          });
          continue;
        }
        states.push(
          ...dockerStates(w, await docker(["inspect", "--format", inspectFormat, ...mine])),
        );
      }
      return states;
    },
    engine: async () => {
      const version = (await docker(["version", "--format", "{{.Server.Version}}"])).trim();
      return {
        name: "Docker server",
        version,
        minimum: minimumDocker.join("."),
        ok: atLeast(version, minimumDocker),
      };
    },
    gpuProblem: async () =>
      (await docker(["info", "--format", "{{json .Runtimes}}"])).includes("nvidia")
        ? undefined
        : "this Docker engine has no nvidia runtime",
  };
}
