/**
 * waivers-*: a valid waiver silences its policy on its resource and is reported; an expired or
 * malformed one waives nothing and is refused. The wrapper that applies waivers keeps every
 * validation's result, asynchronous ones included.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type {
  PolicyResource,
  ResourceValidation,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { parseWaiver, waivableResource, waivableStack } from "../../../policies/lib/waivers";
import { policies, rawPolicies } from "../../../policies/rules";
import { dockerApp, onDay, resourceArgs, runResource, runStack } from "./harness";

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

  it("a valid waiver silences its policy on that resource, and is reported", async () => {
    await onDay("2026-11-21", async () => {
      const r = waived(value);
      assert.deepEqual(await runResource(wrapped, r), []);
      assert.match(
        (await runStack(report, [r]))[0].message,
        /waiver of image-disallow-latest-tag until 2026-12-31: vendor ships/,
      );
      assert.deepEqual(await runStack(expiredPolicy, [r]), []);
    });
  });

  it("an expired waiver no longer waives, and is refused", async () => {
    await onDay("2027-01-05", async () => {
      const r = waived(value);
      assert.equal((await runResource(wrapped, r)).length, 1);
      assert.match((await runStack(expiredPolicy, [r]))[0].message, /expired on 2026-12-31/);
      assert.deepEqual(await runStack(report, [r]), []);
    });
  });

  it("a waiver without a date or a reason is invalid", () => {
    assert.match(parseWaiver("x", "reason=because").problem ?? "", /not a date/);
    assert.match(parseWaiver("x", "until=2027-01-01").problem ?? "", /no reason/);
  });
});

describe("the waiver wrapper", () => {
  const later = () => new Promise((resolve) => setTimeout(resolve, 5));
  const meta = {
    description: "A policy of these tests, asynchronous in part.",
    enforcementLevel: "mandatory" as const,
  };
  const waiver = "until=2999-12-31; reason=a waiver that does not expire in these tests";

  /** The single validation the wrapper makes of a resource policy. */
  const validationOf = (p: ResourceValidationPolicy): ResourceValidation => {
    const v = p.validateResource;
    assert.ok(typeof v === "function", "the wrapper makes one validation");
    return v;
  };

  const resourcePolicy: ResourceValidationPolicy = {
    ...meta,
    name: "test-enforce-async",
    validateResource: [
      async (_args, report) => {
        await later();
        report("late");
      },
      (_args, report) => report("now"),
    ],
  };

  it("hands the SDK a promise that settles after every asynchronous validation has reported", async () => {
    const found: string[] = [];
    const pending = validationOf(waivableResource(resourcePolicy))(
      resourceArgs(resourcePolicy, dockerApp()),
      (m) => found.push(m),
    );
    assert.ok(pending instanceof Promise, "a promise the SDK awaits");
    assert.deepEqual(found, ["now"]);
    await pending;
    assert.deepEqual(found, ["now", "late"]);
  });

  it("keeps a synchronous policy synchronous", () => {
    const found: string[] = [];
    const sync: ResourceValidationPolicy = {
      ...meta,
      name: "test-enforce-sync",
      validateResource: (_args, report) => report("now"),
    };
    const result = validationOf(waivableResource(sync))(resourceArgs(sync, dockerApp()), (m) =>
      found.push(m),
    );
    assert.equal(result, undefined);
    assert.deepEqual(found, ["now"]);
  });

  it("runs no validation on a resource with a valid waiver of the policy", () => {
    const found: string[] = [];
    const r = dockerApp({}, { "golive.dev/waive.test-enforce-async": waiver });
    const result = validationOf(waivableResource(resourcePolicy))(
      resourceArgs(resourcePolicy, r),
      (m) => found.push(m),
    );
    assert.equal(result, undefined);
    assert.deepEqual(found, []);
  });

  it("drops what an asynchronous stack policy reports late against a waived resource, keeps the rest", async () => {
    const resource = (name: string, labels: Record<string, string>): PolicyResource =>
      ({
        type: "docker:index/container:Container",
        name,
        urn: `urn:pulumi:test::golive::docker:index/container:Container::${name}`,
        props: dockerApp({}, labels).props,
      }) as unknown as PolicyResource;
    const resources = [
      resource("waived", { "golive.dev/waive.test-enforce-async-stack": waiver }),
      resource("plain", {}),
    ];
    const policy: StackValidationPolicy = {
      ...meta,
      name: "test-enforce-async-stack",
      validateStack: async (args, report) => {
        await later();
        for (const r of args.resources) report(`late on ${r.name}`, r.urn);
      },
    };
    const found: string[] = [];
    const pending = waivableStack(policy).validateStack(
      {
        resources,
        stackTags: new Map(),
        getConfig: <T extends object>() => ({}) as T,
        notApplicable: (reason?: string): never => {
          throw new Error(`not applicable: ${reason}`);
        },
      },
      (m) => found.push(m),
    );
    assert.ok(pending instanceof Promise, "a promise the SDK awaits");
    await pending;
    assert.deepEqual(found, ["late on plain"]);
  });
});
