import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import type { BlueGreenFacts, EnvironmentFactsShape } from "../policies/lib/contract";
import type { EnvironmentSpec } from "./config/spec";
import { readLicense } from "./license";
import { blueGreenFacts } from "./release/bluegreen";

/**
 * The facts of an environment that no deployed resource carries (host sizing, tier, license,
 * feature flags), recorded as the inputs of one resource so that the policy pack can read them at
 * preview: policies never see component resources' properties, only custom resources'.
 * It deploys nothing; its inputs are known at preview, so the gates that read it run on a first
 * `up` as strictly as on later ones.
 */
/** The facts' shape is part of the contract with the policy pack (policies/lib/contract.ts). */
export type EnvironmentFactsArgs = EnvironmentFactsShape & {
  /**
   * Blue/green services: the active colour, each colour's traffic weight and release. Kept here
   * rather than on the gateway, where a changed label would replace the gateway (Docker cannot
   * relabel a container) and drop connections on every switch.
   */
  readonly blueGreen: Readonly<Record<string, BlueGreenFacts>>;
};

export type { BlueGreenFacts };

/** The facts of `spec`, its license file read from `root`. */
export function environmentFacts(spec: EnvironmentSpec, root: string): EnvironmentFactsArgs {
  const license = spec.license ? readLicense(spec.license, root) : undefined;
  return {
    tier: spec.tier,
    runtime: spec.runtime,
    host: spec.host,
    features: spec.features,
    license:
      spec.license && license?.license
        ? {
            file: spec.license.file,
            customer: license.license.customer,
            modules: license.license.modules,
            expires: license.license.expires,
            requiredModules: spec.license.requiredModules,
          }
        : undefined,
    licenseProblems: license?.problems ?? [],
    blueGreen: blueGreenFacts(spec.services),
  };
}

const provider: pulumi.dynamic.ResourceProvider = {
  create(inputs: Record<string, unknown>) {
    return Promise.resolve({ id: crypto.randomUUID(), outs: inputs });
  },
  update(_id: string, _olds: Record<string, unknown>, news: Record<string, unknown>) {
    return Promise.resolve({ outs: news });
  },
};

export class EnvironmentFacts extends pulumi.dynamic.Resource {
  constructor(name: string, args: EnvironmentFactsArgs, opts?: pulumi.CustomResourceOptions) {
    super(provider, name, { ...args }, opts, "golive", "EnvironmentFacts");
  }
}
