import * as pulumi from "@pulumi/pulumi";
import { loadSpec } from "./components/config/load";
import { Environment } from "./components/environment";
import { liveEnvironment, liveSecrets } from "./components/outputs";

// Validate the whole stack config first: an invalid spec stops here, before any resource exists.
const spec = loadSpec();

const prefix = `${pulumi.getProject()}-${pulumi.getStack()}`;
const env = new Environment(prefix, { spec });

export const runtime = spec.runtime;
export const tier = spec.tier;
export const services = Object.keys(env.services);
// What `golive verify` reads to find and judge the deployed environment (policies/lib/contract.ts
// stackOutputs): the names and ports as data, the passwords its checks log in with as a secret.
export const goliveEnvironment = liveEnvironment(
  spec,
  prefix,
  new pulumi.Config("docker").get("host"),
);
export const goliveSecrets = liveSecrets(env, spec);
