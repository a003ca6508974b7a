/**
 * At preview, inputs computed from other resources are unknown, and the policy SDK's proxy throws
 * when a policy reads one: the whole policy is then downgraded to "can't run during preview". A
 * gate must only read what it needs, and treat an unknown part as what it is (a value another
 * resource computes, never a literal). `known` reads one value and answers `undefined` when it is
 * unknown, so that an unknown password does not switch off the image or health-check gates.
 */
export function known<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (e instanceof Error && e.constructor.name === "UnknownValueError") {
      return undefined;
    }
    throw e;
  }
}
