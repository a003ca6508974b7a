/** license-*: a license that is present, current, not about to expire, and covers the modules used. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { licenseRequireValid } from "../../../policies/rules/license-require-valid";
import { facts, messages, onDay, runStack } from "./harness";

describe("license-require-valid", () => {
  const license = (expires: string, modules = ["llm", "rag"]) =>
    facts({
      license: {
        file: "license/license.json",
        customer: "C",
        modules,
        expires,
        requiredModules: ["llm", "rag"],
      },
    });
  const today = "2026-11-21";

  it("accepts a current license covering the required modules", async () => {
    await onDay(today, async () =>
      assert.deepEqual(
        messages(await runStack(licenseRequireValid, [license("2027-12-31")], { required: true })),
        [],
      ),
    );
  });

  it("refuses an expired license, naming the day", async () => {
    await onDay(today, async () =>
      assert.match(
        messages(
          await runStack(licenseRequireValid, [license("2026-11-01")], { required: true }),
        )[0],
        /expired on 2026-11-01/,
      ),
    );
  });

  it("refuses a license that expires within the warning period, saying in how many days", async () => {
    await onDay(today, async () =>
      assert.match(
        messages(
          await runStack(licenseRequireValid, [license("2026-12-01")], { required: true }),
        )[0],
        /in 10 days/,
      ),
    );
  });

  it("refuses a license that does not cover a required module, naming it", async () => {
    await onDay(today, async () =>
      assert.match(
        messages(
          await runStack(licenseRequireValid, [license("2027-12-31", ["llm"])], { required: true }),
        )[0],
        /does not cover: rag/,
      ),
    );
  });

  it("refuses an environment without a license when one is required", async () => {
    await onDay(today, async () =>
      assert.match(
        messages(await runStack(licenseRequireValid, [facts({})], { required: true }))[0],
        /No license/,
      ),
    );
  });

  it("reports the problems golive found reading the license file", async () => {
    await onDay(today, async () =>
      assert.match(
        messages(
          await runStack(licenseRequireValid, [
            facts({ licenseProblems: ["license file license/license.json is missing"] }),
          ]),
        )[0],
        /missing/,
      ),
    );
  });
});
