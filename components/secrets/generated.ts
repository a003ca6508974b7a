import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { withLength } from "./lengths";

/** Letters and digits only: safe in URLs, env files and shell without quoting. */
const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A uniformly random string of `length` characters from `alphabet` (rejection sampling). */
export function randomSecret(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const b of crypto.randomBytes(length * 2)) {
      // 248 = 62 * 4: bytes above it would bias the first characters.
      if (b < 248 && out.length < length) {
        out += alphabet[b % alphabet.length];
      }
    }
  }
  return out;
}

const provider: pulumi.dynamic.ResourceProvider = {
  create(inputs: { length: number }) {
    return Promise.resolve({
      id: crypto.randomUUID(),
      outs: { length: inputs.length, value: randomSecret(inputs.length) },
    });
  },
  diff(_id: string, olds: { length: number }, news: { length: number }) {
    const changed = olds.length !== news.length;
    return Promise.resolve({ changes: changed, replaces: changed ? ["length"] : [] });
  },
};

export interface GeneratedSecretArgs {
  /** Number of characters (letters and digits). Defaults to 32. */
  readonly length?: number;
}

/**
 * A secret golive generates once and keeps in state, encrypted: database passwords and app keys
 * that no operator needs to type. Its `value` is a secret Output from the start.
 */
export class GeneratedSecret extends pulumi.dynamic.Resource {
  /** The generated value, in state only (kept secret by `additionalSecretOutputs`). */
  declare public readonly value: pulumi.Output<string>;

  /** The value as a secret Output, whatever the engine (or a test's mocks) does with outputs. */
  public get secret(): pulumi.Output<string> {
    // One Output per secret, so that its recorded length (secrets/lengths.ts) is found again.
    this.cached ??= withLength(pulumi.secret(this.value), this.declaredLength);
    return this.cached;
  }

  private cached?: pulumi.Output<string>;
  private readonly declaredLength: number;

  constructor(name: string, args: GeneratedSecretArgs, opts?: pulumi.CustomResourceOptions) {
    const length = args.length ?? 32;
    super(
      provider,
      name,
      { length, value: undefined },
      { ...opts, additionalSecretOutputs: ["value"] },
      "golive",
      "GeneratedSecret",
    );
    this.declaredLength = length;
  }
}
