/** bluegreen-*: the idle colour stays deployed for rollback, and the active colour gets traffic. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bluegreenKeepPreviousColour } from "../../../policies/rules/bluegreen-keep-previous-colour";
import { facts, messages, runStack, workload } from "./harness";

describe("bluegreen-keep-previous-colour", () => {
  const bg = (active: "blue" | "green", blue: number, green: number) =>
    facts({
      tier: "production",
      runtime: "docker",
      features: {},
      licenseProblems: [],
      blueGreen: {
        crm: { active, weights: { blue, green }, releases: { blue: "1.0.0", green: "1.1.0" } },
      },
    });
  const both = [workload("crm-blue", "app"), workload("crm-green", "app")];

  it("accepts both colours deployed with all traffic on the active one", async () => {
    assert.deepEqual(
      messages(await runStack(bluegreenKeepPreviousColour, [bg("green", 0, 100), ...both])),
      [],
    );
  });

  it("accepts a split between the colours during a switch", async () => {
    assert.deepEqual(
      messages(await runStack(bluegreenKeepPreviousColour, [bg("green", 50, 50), ...both])),
      [],
    );
  });

  it("refuses a switch that removes the previous colour, naming its release", async () => {
    assert.match(
      messages(await runStack(bluegreenKeepPreviousColour, [bg("green", 0, 100), both[1]]))[0],
      /blue colour \(1\.0\.0\) is not deployed/,
    );
  });

  it("refuses an active colour that gets no traffic", async () => {
    assert.match(
      messages(await runStack(bluegreenKeepPreviousColour, [bg("green", 100, 0), ...both]))[0],
      /active colour green gets no traffic/,
    );
  });
});
