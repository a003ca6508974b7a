/**
 * The live checks `golive verify` runs, one module each, and the runner: every check bounded by
 * its own deadline, an error or a timeout answering `unknown` with what was tried (never a pass),
 * a progress line per check.
 */
import type { CheckId } from "../checklist/checks";
import type { CheckResult } from "../model";
import { alertsNoneFiring } from "./alerts-none-firing";
import { appDependencies } from "./app-dependencies";
import { appAuthRequired } from "./app-auth-required";
import { appHealth } from "./app-health";
import { appLogin } from "./app-login";
import { appSmoke } from "./app-smoke";
import { alertHistory } from "./alert-history";
import { dnsResolves } from "./dns-resolves";
import { elasticsearchIndices } from "./elasticsearch-indices";
import { errorRate } from "./error-rate";
import { gatewayLatency } from "./gateway-latency";
import { gatewayRoutes } from "./gateway-routes";
import { gpuMemoryCheck } from "./gpu-memory";
import { imagePinned } from "./image-pinned";
import { latencyP95 } from "./latency-p95";
import { loadTest } from "./load-test";
import { logsNoErrors } from "./logs-no-errors";
import { packageVersion } from "./package-version";
import { postgresReachable } from "./postgres-reachable";
import { proxmoxQuorum, proxmoxStorage } from "./proxmox";
import { websocketUpgradeCheck } from "./websocket-upgrade";
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
  imagePinned,
  packageVersion,
  appDependencies,
  appHealth,
  gatewayHealth,
  tlsCertificate,
  cors,
  dnsResolves,
  gatewayRoutes,
  gatewayLatency,
  websocketUpgradeCheck,
  appLogin,
  appAuthRequired,
  appSmoke,
  postgresReady,
  postgresReachable,
  postgresReplication,
  postgresWalArchive,
  postgresBackup,
  restoreDrill,
  pgbouncer,
  redisConfig,
  rabbitmqConfig,
  prometheusTargets,
  alertsNoneFiring,
  alertHistory,
  hostResources,
  loadTest,
  latencyP95,
  errorRate,
  logsNoErrors,
  gpuVisible,
  gpuMemoryCheck,
  elasticsearchIndices,
  proxmoxQuorum,
  proxmoxStorage,
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
