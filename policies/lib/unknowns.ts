/**
 * At preview, inputs computed from other resources are unknown, and the policy SDK's proxy throws
 * when a policy reads one: the whole policy is then downgraded to "can't run during preview". A
 * gate must only read what it needs, and treat an unknown part as what it is (a value another
 * resource computes, never a literal). `known` reads one value and answers `undefined` when it is
 * unknown, so that an unknown password does not switch off the image or health-check gates.
 */
/** A value the pack cannot read at preview (computed by another resource, or hidden from it). */
export const UNKNOWN: unique symbol = Symbol("unknown at preview");
export type Fact<T> = T | typeof UNKNOWN;

export function isKnown<T>(v: Fact<T>): v is T {
  return v !== UNKNOWN;
}

/** Reads a value; UNKNOWN when the SDK reports it unknown at preview. */
export function read<T>(f: () => T): Fact<T> {
  try {
    return f();
  } catch (e) {
    if (e instanceof Error && e.constructor.name === "UnknownValueError") return UNKNOWN;
    throw e;
  }
}

/** Reads a value; `undefined` when it is unknown at preview (where unknown may read as absent). */
export function known<T>(f: () => T): T | undefined {
  const v = read(f);
  return isKnown(v) ? v : undefined;
}
