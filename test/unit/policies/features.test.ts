/** features-*: the feature flags a system requires are declared. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { featuresRequireCriticalFlags } from "../../../policies/rules/features-require-critical-flags";
import { facts, messages, runStack } from "./harness";

describe("features-require-critical-flags", () => {
  it("accepts an environment that declares every required flag", async () => {
    assert.deepEqual(
      messages(
        await runStack(
          featuresRequireCriticalFlags,
          [facts({ features: { ai_assistant: true } })],
          {
            requiredFlags: ["ai_assistant"],
          },
        ),
      ),
      [],
    );
  });

  it("refuses an environment that leaves a required flag undeclared, naming it", async () => {
    assert.match(
      messages(
        await runStack(featuresRequireCriticalFlags, [facts({ features: {} })], {
          requiredFlags: ["ai_assistant"],
        }),
      )[0],
      /"ai_assistant" is not declared/,
    );
  });
});
