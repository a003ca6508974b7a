/**
 * waivers-*: a valid waiver silences its policy on its resource and is reported; an expired or
 * malformed one waives nothing and is refused.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseWaiver } from "../../../policies/lib/waivers";
import { policies, rawPolicies } from "../../../policies/rules";
import { dockerApp, onDay, runResource, runStack } from "./harness";

describe("waivers-report-active and waivers-disallow-expired", () => {
  const waived = (value: string) =>
    dockerApp(
      { image: "acme/api:latest" },
      { "golive.dev/waive.image-disallow-latest-tag": value },
    );
  const wrapped = policies.find((p) => p.name === "image-disallow-latest-tag")! as any;
  const report = rawPolicies.find((p) => p.name === "waivers-report-active")! as any;
  const expiredPolicy = rawPolicies.find((p) => p.name === "waivers-disallow-expired")! as any;
  const value = "until=2026-12-31; reason=vendor ships no tagged build yet, ticket OPS-42";

  it("a valid waiver silences its policy on that resource, and is reported", () => {
    onDay("2026-11-21", () => {
      const r = waived(value);
      assert.deepEqual(runResource(wrapped, r), []);
      assert.match(
        runStack(report, [r])[0].message,
        /waiver of image-disallow-latest-tag until 2026-12-31: vendor ships/,
      );
      assert.deepEqual(runStack(expiredPolicy, [r]), []);
    });
  });

  it("an expired waiver no longer waives, and is refused", () => {
    onDay("2027-01-05", () => {
      const r = waived(value);
      assert.equal(runResource(wrapped, r).length, 1);
      assert.match(runStack(expiredPolicy, [r])[0].message, /expired on 2026-12-31/);
      assert.deepEqual(runStack(report, [r]), []);
    });
  });

  it("a waiver without a date or a reason is invalid", () => {
    assert.match(parseWaiver("x", "reason=because").problem ?? "", /not a date/);
    assert.match(parseWaiver("x", "until=2027-01-01").problem ?? "", /no reason/);
  });
});
