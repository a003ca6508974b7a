/**
 * The pack as a whole: metadata on every policy, one policy per file. Each policy's behaviour is
 * tested in the file of its area (<area>.test.ts); that the checklist names only the pack's
 * policies is tested with the registry (test/unit/report/checklist.test.ts).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { waivableResource, waivableStack } from "../../../policies/lib/waivers";
import { policies, rawPolicies } from "../../../policies/rules";
import { dockerApp, runResource, runStack } from "./harness";

const repo = path.resolve(__dirname, "..", "..", "..");
const names = new Set(rawPolicies.map((p) => p.name));

describe("the policy pack", () => {
  it("every policy has the SDK's metadata and a name of the pack's grammar", () => {
    for (const p of rawPolicies) {
      assert.match(
        p.name,
        /^[a-z]+(-[a-z0-9]+)*-(missing|disallow|enable|configure|enforce|require|keep|report)(-[a-z0-9]+)*$/,
        p.name,
      );
      assert.ok(p.severity, `${p.name}: severity`);
      assert.ok(p.tags && p.tags.length > 0, `${p.name}: tags`);
      assert.ok(p.remediationSteps, `${p.name}: remediationSteps`);
      assert.ok(p.url, `${p.name}: url`);
      assert.ok(p.description.length > 20, `${p.name}: description`);
    }
    assert.equal(names.size, rawPolicies.length, "names are unique");
    assert.equal(policies.length, rawPolicies.length);
  });

  it("one policy per file: the files in policies/rules are the pack", () => {
    const files = fs
      .readdirSync(path.join(repo, "policies", "rules"))
      .filter((f) => f !== "index.ts")
      .map((f) => f.replace(/\.ts$/, ""));
    assert.deepEqual(files.sort(), [...names].sort());
  });

  it("every policy is tested in the file of its area, in a suite named after it", () => {
    for (const name of names) {
      const area = name.split("-")[0];
      const file = path.join(__dirname, `${area}.test.ts`);
      assert.ok(fs.existsSync(file), `${name}: no test file ${area}.test.ts`);
      const suites = [...fs.readFileSync(file, "utf8").matchAll(/describe\("([^"]+)"/g)].map(
        (m) => m[1],
      );
      assert.ok(
        suites.some((title) => title.split(/ and |, /).includes(name)),
        `${name}: no suite of ${area}.test.ts is named after it`,
      );
    }
  });
});

describe("the test harness", () => {
  const later = () => new Promise<void>((resolve) => setTimeout(resolve, 5));
  const meta = {
    description: "A policy of these tests that reports after an await.",
    enforcementLevel: "mandatory" as const,
  };
  const urn = "urn:pulumi:test::golive::docker:index/container:Container::app";

  it("collects what an asynchronous policy reports after an await, through the waiver wrapper, in both runners", async () => {
    // Wrapped as the pack wraps its policies: the runners await what the wrapper returns.
    const resourcePolicy = waivableResource({
      ...meta,
      name: "test-enforce-async",
      validateResource: [
        async (args, report) => {
          await later();
          report(`late on ${args.name}`);
        },
        (args, report) => report(`now on ${args.name}`),
      ],
    });
    const stackPolicy = waivableStack({
      ...meta,
      name: "test-enforce-async-stack",
      validateStack: async (args, report) => {
        await later();
        for (const r of args.resources) report(`late on ${r.name}`, r.urn);
      },
    });
    assert.deepEqual(await runResource(resourcePolicy, dockerApp()), ["now on app", "late on app"]);
    assert.deepEqual(await runStack(resourcePolicy, [dockerApp()]), [
      { message: "now on app", urn },
      { message: "late on app", urn },
    ]);
    assert.deepEqual(await runStack(stackPolicy, [dockerApp()]), [{ message: "late on app", urn }]);
  });

  it("fails the run with the error of a policy whose promise rejects", async () => {
    const resourcePolicy = waivableResource({
      ...meta,
      name: "test-enforce-rejects",
      validateResource: async () => {
        await later();
        throw new Error("the resource validation broke");
      },
    });
    const stackPolicy = waivableStack({
      ...meta,
      name: "test-enforce-rejects-stack",
      validateStack: async () => {
        await later();
        throw new Error("the stack validation broke");
      },
    });
    await assert.rejects(runResource(resourcePolicy, dockerApp()), /the resource validation broke/);
    await assert.rejects(runStack(resourcePolicy, [dockerApp()]), /the resource validation broke/);
    await assert.rejects(runStack(stackPolicy, [dockerApp()]), /the stack validation broke/);
  });
});
