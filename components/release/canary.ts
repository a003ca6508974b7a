import * as crypto from "crypto";
import { label } from "../../policies/lib/contract";
import { canaryLadder, type CanarySpec } from "../config/spec";
import type { WorkloadFile } from "../runtime/workload";

/** The share of accounts each ladder step enables (the pilot step enables the pilot accounts only). */
export const ladderShare: Record<(typeof canaryLadder)[number], number> = {
  pilot: 0,
  "10%": 0.1,
  "25%": 0.25,
  "50%": 0.5,
  "100%": 1,
};

/**
 * The accounts enabled at the canary's step: the pilot accounts, plus the first share of all
 * accounts in a stable pseudo-random order (a hash of package and account), so each step keeps
 * every account the previous step enabled.
 */
export function enabledAccounts(c: CanarySpec): string[] {
  const ordered = [...c.accounts].sort((a, b) =>
    rank(c.package, a).localeCompare(rank(c.package, b)),
  );
  const count = Math.ceil(ladderShare[c.step] * c.accounts.length);
  return [...new Set([...c.pilotAccounts, ...ordered.slice(0, count)])].sort();
}

function rank(pkg: string, account: string): string {
  return crypto.createHash("sha256").update(`${pkg}/${account}`).digest("hex");
}

/** One package manifest per account: enabled agents, or none (the orchestrator's fallback routes). */
export function manifests(c: CanarySpec): { account: string; manifest: string }[] {
  const enabled = new Set(enabledAccounts(c));
  return c.accounts.map((account) => ({
    account,
    manifest: `${JSON.stringify(
      {
        account_id: account,
        package: c.package,
        canary_step: c.step,
        enabled_agents: enabled.has(account) ? c.agents : [],
      },
      null,
      2,
    )}\n`,
  }));
}

/** Whether `step` follows `previous` on the ladder without skipping a rung (or repeats it, or rolls back). */
export function stepInOrder(previous: string, step: string): boolean {
  const order = ["none", ...canaryLadder];
  return order.indexOf(step) <= order.indexOf(previous) + 1;
}

/**
 * What a service's canaries deliver to it: each package's manifest per account under
 * /etc/golive/packages/<package>/, and a label per package with its step and enabled share.
 */
export function canaryDelivery(
  canaries: readonly CanarySpec[],
  service: string,
): { files: WorkloadFile[]; labels: Record<string, string> } {
  const own = canaries.filter((c) => c.service === service);
  return {
    files: own.flatMap((c) =>
      manifests(c).map((m) => ({
        path: `/etc/golive/packages/${c.package}/${m.account}.json`,
        content: m.manifest,
        secret: false,
      })),
    ),
    labels: Object.fromEntries(
      own.map((c) => [
        `${label.canaryPrefix}${c.package}`,
        `step=${c.step},previous=${c.previousStep},enabled=${enabledAccounts(c).length}/${c.accounts.length}`,
      ]),
    ),
  };
}
