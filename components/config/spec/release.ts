/** Releases: the license a deployment runs under and the tenant canary ladder for agent packages. */
import { z } from "zod";
import { name } from "./common";

export const licenseSpec = z
  .object({
    /** Path of the license file (relative to the project), e.g. "license/license.json". */
    file: z.string().min(1),
    /** Modules the deployment uses: each must be licensed. */
    requiredModules: z.array(z.string()).default([]),
  })
  .strict();

/** The license file's content (CGS Assist's license/license.json). */
export const licenseFileSpec = z
  .object({
    customer: z.string().min(1),
    modules: z.array(z.string()).min(1),
    expires: z.iso.date(),
  })
  .passthrough();

/** The tenant canary ladder for agent packages: pilot accounts, then shares of all accounts. */
export const canaryLadder = ["pilot", "10%", "25%", "50%", "100%"] as const;

export const canarySpec = z
  .object({
    /** The agent package rolled out (e.g. "gastronomy"). */
    package: name,
    /** The service that serves the package (gets the manifests). */
    service: name,
    /** Agents the package enables for an account. */
    agents: z.array(z.string().min(1)).min(1),
    /** Every tenant account, in a stable order. */
    accounts: z.array(z.string().min(1)).min(1),
    /** The 1-2 test accounts of the first step. */
    pilotAccounts: z.array(z.string().min(1)).min(1).max(2),
    /** The current step of the ladder. */
    step: z.enum(canaryLadder),
    /** The step rolled out before this one (the policy pack refuses skipped steps). */
    previousStep: z.enum(["none", ...canaryLadder]).default("none"),
  })
  .strict();

export type CanarySpec = z.output<typeof canarySpec>;
export type LicenseSpec = z.output<typeof licenseSpec>;
export type LicenseFile = z.output<typeof licenseFileSpec>;
