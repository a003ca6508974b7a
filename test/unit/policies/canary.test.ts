/** canary-*: an agent package's tenant canary climbs its ladder one rung at a time. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canaryEnforceLadderOrder } from "../../../policies/rules/canary-enforce-ladder-order";
import { messages, runStack, workload } from "./harness";

describe("canary-enforce-ladder-order", () => {
  const agents = (value: string) =>
    workload("agents", "app", { "golive.dev/canary.gastronomy": value });

  it("accepts a step to the next rung", async () => {
    assert.deepEqual(
      messages(
        await runStack(canaryEnforceLadderOrder, [agents("step=10%,previous=pilot,enabled=2/12")]),
      ),
      [],
    );
  });

  it("accepts rolling back to a lower rung", async () => {
    assert.deepEqual(
      messages(
        await runStack(canaryEnforceLadderOrder, [agents("step=10%,previous=50%,enabled=2/12")]),
      ),
      [],
      "rolling back is allowed",
    );
  });

  it("refuses a step that skips rungs", async () => {
    assert.match(
      messages(
        await runStack(canaryEnforceLadderOrder, [agents("step=50%,previous=10%,enabled=6/12")]),
      )[0],
      /step 50% skips rungs after 10%/,
    );
  });
});
