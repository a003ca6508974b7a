/**
 * The shared shape of a live check (one module per check ID in this folder) and what every check
 * is given: the stack's outputs (where each workload is and what the spec expects), the secrets it
 * logs in with, the policy pack's thresholds for the stack, and the time.
 */
import type { LiveEnvironment, LiveSecrets } from "../../policies/lib/contract";
import type { CheckId } from "../checklist/checks";
import { accessFor, type RuntimeAccess } from "./access";

export interface CheckContext {
  readonly env: LiveEnvironment;
  /** Never printed, never put into a message. */
  readonly secrets: LiveSecrets;
  /** `tls-enforce-certificate-validity`'s minDaysValid for this stack (policies/config). */
  readonly minCertDays: number;
  /** How recent a restore drill must be (days). */
  readonly restoreDrillDays: number;
  /** Run a restore drill into a scratch instance now (`golive verify --restore-drill`). */
  readonly runRestoreDrill: boolean;
  readonly now: Date;
  /**
   * The Proxmox node's SSH private key (LXC), from the stack's config key `lxc.node.privateKeyConfig`
   * names. Never printed.
   */
  readonly nodeKey?: string;
  /** How the checks reach the runtime. Defaults to the one `env.runtime` names (access/). */
  readonly access?: RuntimeAccess;
}

/** What a check saw. `skipped` only when the check does not apply to the stack (see model.ts). */
export interface Outcome {
  readonly status: "pass" | "fail" | "unknown" | "skipped";
  /** What was seen, and for a failure what was expected. */
  readonly message: string;
}

export interface LiveCheck {
  readonly id: CheckId;
  /** The checklist items this check decides (the registry's items naming it; a unit test compares). */
  readonly items: readonly string[];
  /** The check is stopped, and answers unknown, after this many seconds. */
  readonly timeoutSeconds: number;
  readonly run: (ctx: CheckContext) => Promise<Outcome>;
}

export const pass = (message: string): Outcome => ({ status: "pass", message });
export const fail = (message: string): Outcome => ({ status: "fail", message });
export const unknown = (message: string): Outcome => ({ status: "unknown", message });
export const skipped = (message: string): Outcome => ({ status: "skipped", message });

const made = new WeakMap<CheckContext["env"], RuntimeAccess>();

/** The runtime access of the context: its own, else one per environment, made once. */
export function reach(ctx: CheckContext): RuntimeAccess {
  if (ctx.access) return ctx.access;
  let a = made.get(ctx.env);
  if (!a) {
    a = accessFor(ctx.env, ctx.nodeKey);
    made.set(ctx.env, a);
  }
  return a;
}

/**
 * The answer of a check whose runtime cannot be reached (the access layer's problem: an output of
 * an older golive, a rendered stack): unknown with the reason, never a pass; undefined when it can.
 */
export function unreached(ctx: CheckContext, what: string): Outcome | undefined {
  const problem = reach(ctx).problem;
  return problem === undefined
    ? undefined
    : unknown(`${what} on ${ctx.env.runtime} not reached: ${problem}`);
}

/** A port of a workload this side cannot reach: unknown saying why; undefined when it can. */
export function unreachablePort(
  ctx: CheckContext,
  workload: string,
  port: string,
): Outcome | undefined {
  const why = reach(ctx).unreachable(workload, port);
  return why === undefined ? undefined : unknown(why);
}

/**
 * The answer of a check on a runtime it cannot reach yet: unknown with the reason, never a pass.
 * For a check that is written for Docker only; the runtime-generic ones use `unreached`.
 */
export function dockerOnly(ctx: CheckContext, what: string): Outcome | undefined {
  if (ctx.env.runtime === "docker") return undefined;
  return unknown(
    `${what} is checked on Docker only so far; runtime ${ctx.env.runtime} not reached`,
  );
}

/** The Docker container of a workload (`<prefix>-<workload>`; replicas `-1`, `-2`, …). */
export function container(ctx: CheckContext, workload: string): string {
  return `${ctx.env.prefix}-${workload}`;
}

/** A host port the spec publishes for a workload's named port, if any. */
export function hostPort(ctx: CheckContext, workload: string, port: string): number | undefined {
  return ctx.env.hostPorts[workload]?.[port];
}
