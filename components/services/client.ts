import type * as pulumi from "@pulumi/pulumi";
import type { DeclaredWorkload, Workload } from "../runtime/workload";
import type { ScrapeTarget } from "./monitoring/config";

/**
 * What a data service offers the app services that depend on it (`dependsOn: [<service>]`),
 * described by the service itself: the Environment only hands it on.
 */
export interface ServiceClient {
  /** Plain connection settings (host, port, user, …) added to each dependant's environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Secret connection settings (passwords, URLs with a password), added as secret env. */
  readonly secretEnv: Readonly<Record<string, pulumi.Output<string>>>;
  /** The workloads dependants wait for before they start. */
  readonly ready: readonly Workload[];
  /** What Prometheus scrapes for the service (its exporters or its own metrics endpoint). */
  readonly scrapeTargets: readonly ScrapeTarget[];
}

/** A service's workloads as its `<service>Workloads(spec)` function declares them. */
export type Declaration =
  DeclaredWorkload | undefined | readonly Declaration[] | { readonly [part: string]: Declaration };

/** Every workload in a declaration, in declaration order. */
function declaredWorkloads(declared: Declaration): DeclaredWorkload[] {
  const out: DeclaredWorkload[] = [];
  const visit = (v: Declaration): void => {
    if (Array.isArray(v)) {
      v.forEach(visit);
    } else if (isDeclared(v)) {
      out.push(v);
    } else if (v !== undefined) {
      Object.values(v).forEach(visit);
    }
  };
  visit(declared);
  return out;
}

/** Every workload in a declaration, in declaration order, as name → port names. */
export function declaredPorts(declared: Declaration): Record<string, string[]> {
  return Object.fromEntries(
    declaredWorkloads(declared).map((w) => [w.name, w.ports.map((p) => p.name)]),
  );
}

/** Every workload in a declaration as name → port name → the port it listens on. */
export function declaredPortNumbers(declared: Declaration): Record<string, Record<string, number>> {
  return Object.fromEntries(
    declaredWorkloads(declared).map((w) => [
      w.name,
      Object.fromEntries(w.ports.map((p) => [p.name, p.port])),
    ]),
  );
}

function isDeclared(v: Declaration): v is DeclaredWorkload {
  return (
    v !== undefined &&
    !Array.isArray(v) &&
    typeof (v as DeclaredWorkload).name === "string" &&
    Array.isArray((v as DeclaredWorkload).ports)
  );
}
