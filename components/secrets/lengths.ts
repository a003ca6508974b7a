import * as pulumi from "@pulumi/pulumi";
import { formatLengths } from "../../policies/lib/contract";

/**
 * The lengths of secrets, kept beside them so that the policy pack can measure a secret without
 * its value (secrets-enforce-min-length): a generated secret's length is known when it is
 * declared; a config secret's is read from the value and travels declassified (a length says
 * nothing an attacker can use against a key of the required length). Derived secrets (URLs that
 * embed a password) have none.
 */
const lengths = new WeakMap<pulumi.Output<string>, number | pulumi.Output<number>>();

/** Records the length of a secret Output. */
export function withLength(
  secret: pulumi.Output<string>,
  length: number | pulumi.Output<number>,
): pulumi.Output<string> {
  lengths.set(secret, length);
  return secret;
}

/** A config secret, with its length recorded. */
export function configSecret(config: pulumi.Config, key: string): pulumi.Output<string> {
  const secret = config.requireSecret(key);
  return withLength(secret, pulumi.unsecret(secret.apply((v) => v.length)));
}

/**
 * `NAME=48,…` for the secret variables whose length is recorded; a plain string when every length
 * is known when declared, undefined when none is recorded.
 */
export function secretLengths(
  secretEnv: Readonly<Record<string, pulumi.Output<string>>>,
): pulumi.Input<string> | undefined {
  const entries = Object.keys(secretEnv)
    .sort()
    .flatMap((k) => {
      const l = lengths.get(secretEnv[k]);
      return l === undefined ? [] : [[k, l] as const];
    });
  if (entries.length === 0) return undefined;
  if (entries.every(([, l]) => typeof l === "number")) {
    return formatLengths(Object.fromEntries(entries) as Record<string, number>);
  }
  return pulumi
    .all(entries.map(([k, l]) => pulumi.output(l).apply((n) => [k, n] as const)))
    .apply((pairs) => formatLengths(Object.fromEntries(pairs)));
}
