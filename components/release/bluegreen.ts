import { colours, colourWorkload, label, type BlueGreenFacts } from "../../policies/lib/contract";
import type { EnvironmentSpec, ServiceSpec } from "../config/spec";

export { colours, colourWorkload };

/** One deployed release of an app service: the whole service, or one colour of a blue/green one. */
export interface Release {
  /** The workload's name (its host name): the service's, or `colourWorkload(service, colour)`. */
  readonly workload: string;
  /** The image, the colour's tag in place of the spec's. */
  readonly image: string;
  /** What the release adds to the service's env (APP_COLOR, APP_VERSION). */
  readonly env: Readonly<Record<string, string>>;
  /** What it adds to the service's labels (`golive.dev/color`). */
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The releases a service deploys: itself, or both colours of a blue/green service (the idle one
 * stays for rollback; dependants and the gateway wait for both).
 */
export function releases(service: string, s: ServiceSpec): Release[] {
  const bg = s.blueGreen;
  if (!bg) {
    return [{ workload: service, image: s.image, env: {}, labels: {} }];
  }
  const repo = repository(s.image);
  return colours.map((colour) => ({
    workload: colourWorkload(service, colour),
    image: `${repo}:${bg[colour]}`,
    env: { APP_COLOR: colour, APP_VERSION: bg[colour] },
    labels: { [label.color]: colour },
  }));
}

/** The versions a service deploys: its image's tag, or each blue/green colour's. */
export function releaseVersions(s: ServiceSpec): string[] {
  return s.blueGreen ? colours.map((c) => s.blueGreen![c]) : [versionOf(s.image)];
}

/** An image's version: its tag (`latest` when it has none, the digest when pinned by one). */
export function versionOf(image: string): string {
  const at = image.indexOf("@");
  if (at >= 0) return image.slice(at + 1);
  const repo = repository(image);
  return image.length > repo.length ? image.slice(repo.length + 1) : "latest";
}

/** An image reference without its tag or digest (a registry's port is no tag). */
export function repository(image: string): string {
  const ref = image.includes("@") ? image.slice(0, image.indexOf("@")) : image;
  const colon = ref.lastIndexOf(":");
  return colon > ref.lastIndexOf("/") ? ref.slice(0, colon) : ref;
}

/** The workloads a service runs: its own name, or one per colour. */
export function releaseWorkloads(service: string, s: ServiceSpec): string[] {
  return s.blueGreen ? colours.map((c) => colourWorkload(service, c)) : [service];
}

/**
 * Blue/green services: the active colour, each colour's gateway weight (the explicit split, or all
 * traffic on the active colour) and release. Recorded in the facts and used by the gateway.
 */
export function blueGreenFacts(
  services: EnvironmentSpec["services"],
): Record<string, BlueGreenFacts> {
  const out: Record<string, BlueGreenFacts> = {};
  for (const [svc, s] of Object.entries(services)) {
    const bg = s.blueGreen;
    if (!bg) continue;
    out[svc] = {
      active: bg.active,
      weights: bg.weights ?? {
        blue: bg.active === "blue" ? 100 : 0,
        green: bg.active === "green" ? 100 : 0,
      },
      releases: { blue: bg.blue, green: bg.green },
    };
  }
  return out;
}
