/**
 * The live checks `golive verify` runs, one module each, and the runner: every check bounded by
 * its own deadline, an error or a timeout answering `unknown` with what was tried (never a pass),
 * a progress line per check.
 */
import type { CheckId } from "../checklist/checks";
import type { CheckResult } from "../model";
import { alertsNoneFiring } from "./alerts-none-firing";
import type { CheckContext, LiveCheck, Outcome } from "./check";
import { cors } from "./cors";
import { engineVersion } from "./engine-version";
import { gatewayHealth } from "./gateway-health";
import { gpuVisible } from "./gpu-visible";
import { hostResources } from "./host-resources";
import { pgbouncer } from "./pgbouncer";
import { postgresBackup } from "./postgres-backup";
import { postgresReady } from "./postgres-ready";
import { postgresReplication } from "./postgres-replication";
import { postgresWalArchive } from "./postgres-wal-archive";
import { prometheusTargets } from "./prometheus-targets";
import { rabbitmqConfig } from "./rabbitmq-config";
import { redisConfig } from "./redis-config";
import { restoreDrill } from "./restore-drill";
import { serviceHealthy } from "./service-healthy";
import { tlsCertificate } from "./tls-certificate";

export type { CheckContext, LiveCheck } from "./check";

/** Every implemented check, in the order they run (cheap and fundamental first). */
export const liveChecks: readonly LiveCheck[] = [
  engineVersion,
  serviceHealthy,
  gatewayHealth,
  tlsCertificate,
  cors,
  postgresReady,
  postgresReplication,
  postgresWalArchive,
  postgresBackup,
  restoreDrill,
  pgbouncer,
  redisConfig,
  rabbitmqConfig,
  prometheusTargets,
  alertsNoneFiring,
  hostResources,
  gpuVisible,
];

/** Runs one check within its deadline; an error or the deadline is `unknown`, saying what failed. */
export async function runCheck(check: LiveCheck, ctx: CheckContext): Promise<CheckResult> {
  const start = process.hrtime.bigint();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Outcome>((resolve) => {
    timer = setTimeout(
      () => resolve({ status: "unknown", message: `no answer within ${check.timeoutSeconds} s` }),
      check.timeoutSeconds * 1000,
    );
  });
  let outcome: Outcome;
  try {
    outcome = await Promise.race([check.run(ctx), deadline]);
  } catch (e) {
    outcome = { status: "unknown", message: `could not look: ${(e as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { checkId: check.id, ...outcome, seconds: Math.round(seconds * 100) / 100 };
}

/** Runs the checks one after the other (they share one engine), calling `progress` after each. */
export async function runChecks(
  ctx: CheckContext,
  progress: (r: CheckResult, index: number, total: number) => void = () => {},
  only?: readonly CheckId[],
): Promise<CheckResult[]> {
  const chosen = only ? liveChecks.filter((c) => only.includes(c.id)) : liveChecks;
  const results: CheckResult[] = [];
  for (const [i, check] of chosen.entries()) {
    const r = await runCheck(check, ctx);
    results.push(r);
    progress(r, i + 1, chosen.length);
  }
  return results;
}
