/**
 * The steps only an in-place release has (the Ablage procedure: `docker-compose stop worker`, the
 * migration, `docker-compose up -d` in order). stop-workers: each worker told to stop and given
 * the plan's `workerStopSeconds` to finish (on Docker a `docker stop --time`, SIGTERM then SIGKILL;
 * on Kubernetes scaling to 0 sends SIGTERM and waits the pod's grace period), then `replicas: 0`
 * in the spec and `up`, so that the stack file says they are stopped. deploy: the service's image
 * at the new tag, `up`: golive's pre-migration backup and migration job run first (the job follows
 * the image: components/services/postgres), then the service is replaced. start-workers: the
 * workers' replicas as they were, `up`; the engine starts them in their dependency order.
 */
import { spawnSync } from "node:child_process";
import { migrated } from "./traffic";
import { inPlaceLog, replicasPath, type StepRun } from "./step";

/** The Docker containers of a workload (`<prefix>-<name>`, or `-<n>` for each replica). */
export function workloadContainers(all: readonly string[], prefix: string, name: string): string[] {
  const own = new RegExp(`^${`${prefix}-${name}`.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(-\\d+)?$`);
  return all.filter((c) => own.test(c));
}

function dockerStop(prefix: string, workers: readonly string[], seconds: number): string {
  const ps = spawnSync("docker", ["ps", "--format", "{{.Names}}"], { encoding: "utf8" });
  if (ps.status !== 0) throw new Error(`docker ps failed: ${ps.stderr.trim().split("\n")[0]}`);
  const all = ps.stdout.split("\n").filter(Boolean);
  const containers = workers.flatMap((w) => workloadContainers(all, prefix, w));
  if (containers.length === 0) return "no worker container was running";
  const t = Date.now();
  const stop = spawnSync("docker", ["stop", "--time", String(seconds), ...containers], {
    encoding: "utf8",
    timeout: (seconds + 60) * 1000,
  });
  if (stop.status !== 0)
    throw new Error(`docker stop failed: ${stop.stderr.trim().split("\n")[0] || stop.error}`);
  return `${containers.join(", ")} stopped in ${((Date.now() - t) / 1000).toFixed(1)} s`;
}

/**
 * Starts the workers' Docker containers a stop-workers step stopped but whose `up` never removed
 * (it failed): the engine does not read a container's state without a refresh, so an `up` that
 * gives them their replicas back would leave them stopped. Returns what it started.
 */
export function startStoppedContainers(prefix: string, workers: readonly string[]): string[] {
  const ps = spawnSync(
    "docker",
    ["ps", "-a", "--filter", "status=exited", "--format", "{{.Names}}"],
    {
      encoding: "utf8",
    },
  );
  if (ps.status !== 0) return [];
  const all = ps.stdout.split("\n").filter(Boolean);
  const containers = workers.flatMap((w) => workloadContainers(all, prefix, w));
  if (containers.length === 0) return [];
  const start = spawnSync("docker", ["start", ...containers], {
    encoding: "utf8",
    timeout: 60_000,
  });
  return start.status === 0 ? containers : [];
}

export const stopWorkers: StepRun = async (ctx, anyLog, step) => {
  const log = inPlaceLog(anyLog);
  const names = log.before.workers.map((w) => w.name);
  const { env } = await ctx.live();
  const stopped =
    env.runtime === "docker"
      ? dockerStop(env.prefix, names, log.plan.workerStopSeconds)
      : "scaled to 0 (SIGTERM, the pods' grace period)";
  ctx.doc.set(names.map((n) => [replicasPath(n), 0] as [string[], number]));
  const r = await ctx.up(log, step.name);
  return {
    ok: r.ok,
    message: r.ok ? `${names.join(", ")}: ${stopped}; replicas: 0; ${r.message}` : r.message,
    data: { changes: r.changes },
  };
};

export const deploy: StepRun = async (ctx, anyLog, step) => {
  const log = inPlaceLog(anyLog);
  ctx.doc.set([[["services", log.service, "image"], log.image]]);
  const r = await ctx.up(log, step.name);
  const ran = migrated(log, r.ran);
  return {
    ok: r.ok,
    message: r.ok
      ? `${log.service} ${log.version} deployed (${log.image})${ran ? "; migration job ran" : ""}; ${r.message}`
      : r.message,
    data: { changes: r.changes, migrated: ran },
  };
};

/** The spec changes that give the workers their replicas back (absent where the spec had none). */
export const workersBack = (log: ReturnType<typeof inPlaceLog>): [string[], number | undefined][] =>
  log.before.workers.map((w) => [replicasPath(w.name), w.declared ? w.replicas : undefined]);

export const startWorkers: StepRun = async (ctx, anyLog, step) => {
  const log = inPlaceLog(anyLog);
  ctx.doc.set(workersBack(log));
  const r = await ctx.up(log, step.name);
  return {
    ok: r.ok,
    message: r.ok
      ? `${log.before.workers.map((w) => `${w.name} × ${w.replicas}`).join(", ")} started; ${r.message}`
      : r.message,
    data: { changes: r.changes },
  };
};
