import * as pulumi from "@pulumi/pulumi";
import { loadSpec } from "./components/config/load";
import { Environment } from "./components/environment";

// Validate the whole stack config first: an invalid spec stops here, before any resource exists.
const spec = loadSpec();

const env = new Environment(`${pulumi.getProject()}-${pulumi.getStack()}`, { spec });

export const runtime = spec.runtime;
export const tier = spec.tier;
export const services = Object.keys(env.services);
