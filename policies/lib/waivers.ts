/**
 * Waivers: a resource may carry an exemption from a named policy, with a reason and an expiry
 * date, as the label (or annotation) `golive.dev/waive.<policy>` = `until=YYYY-MM-DD; reason=…`
 * (golive writes it from the spec's `waivers`). A valid waiver turns the policy's violations on
 * that resource off; every active waiver is reported by `waivers-report-active`; an expired one
 * waives nothing and is refused by `waivers-disallow-expired`.
 */
import type {
  Policy,
  PolicyResource,
  ReportViolation,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { label } from "./contract";
import { labelsOf } from "./workloads";

export const waiverPrefix = label.waiverPrefix;

export interface Waiver {
  readonly policy: string;
  readonly until: string;
  readonly reason: string;
  readonly expired: boolean;
  /** What is wrong with the waiver itself (unparseable date, no reason). */
  readonly problem?: string;
}

/** Today as YYYY-MM-DD (UTC); GOLIVE_TODAY overrides it for tests. */
export function today(): string {
  return process.env.GOLIVE_TODAY ?? new Date().toISOString().slice(0, 10);
}

export function parseWaiver(policy: string, value: string, now = today()): Waiver {
  const fields = Object.fromEntries(
    value.split(";").map((part) => {
      const eq = part.indexOf("=");
      return eq < 0 ? [part.trim(), ""] : [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
    }),
  );
  const until = fields.until ?? "";
  const reason = fields.reason ?? "";
  let problem: string | undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(until))
    problem = `its expiry "${until}" is not a date (until=YYYY-MM-DD)`;
  else if (!reason) problem = "it gives no reason";
  return { policy, until, reason, expired: problem !== undefined || until < now, problem };
}

export function waiversOf(type: string, props: Record<string, any>): Waiver[] {
  return Object.entries(labelsOf(type, props))
    .filter(([k]) => k.startsWith(waiverPrefix))
    .map(([k, v]) => parseWaiver(k.slice(waiverPrefix.length), v));
}

function waived(type: string, props: Record<string, any>, policy: string): boolean {
  return waiversOf(type, props).some((w) => w.policy === policy && !w.expired);
}

/** Wraps a resource policy so that a valid waiver for it silences it on that resource. */
export function waivableResource(p: ResourceValidationPolicy): ResourceValidationPolicy {
  const inner = p.validateResource;
  if (!inner) return p;
  const validations = Array.isArray(inner) ? inner : [inner];
  return {
    ...p,
    validateResource: (args, report) => {
      if (waived(args.type, args.props, p.name)) return;
      // Every validation's result is kept: an asynchronous one is awaited by the SDK through the
      // promise returned here, a synchronous pack stays synchronous.
      const pending = validations
        .map((v) => v(args, report))
        .filter((r): r is Promise<void> => r instanceof Promise);
      return pending.length > 0 ? Promise.all(pending).then(() => undefined) : undefined;
    },
  };
}

/** Wraps a stack policy: violations reported against a resource with a valid waiver are dropped. */
export function waivableStack(p: StackValidationPolicy): StackValidationPolicy {
  return {
    ...p,
    validateStack: (args, report) => {
      const byUrn = new Map<string, PolicyResource>(args.resources.map((r) => [r.urn, r]));
      const filtered: ReportViolation = (message, urn) => {
        const r = urn ? byUrn.get(urn) : undefined;
        if (r && waived(r.type, r.props, p.name)) return;
        report(message, urn);
      };
      return p.validateStack(args, filtered);
    },
  };
}

/** Applies the right wrapper to any policy. */
export function waivable(p: Policy): ResourceValidationPolicy | StackValidationPolicy {
  return "validateStack" in p ? waivableStack(p as StackValidationPolicy) : waivableResource(p);
}
