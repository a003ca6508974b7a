import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canarySpec } from "../../components/config/spec";
import { enabledAccounts, manifests, stepInOrder } from "../../components/release/canary";

const accounts = Array.from({ length: 40 }, (_, i) => `tenant-${String(i + 1).padStart(2, "0")}`);
const at = (step: string) =>
  canarySpec.parse({
    package: "gastronomy",
    service: "agents",
    agents: ["a", "b"],
    accounts,
    pilotAccounts: ["tenant-07"],
    step,
  });

describe("the tenant canary ladder", () => {
  it("the pilot step enables only the pilot accounts", () => {
    assert.deepEqual(enabledAccounts(at("pilot")), ["tenant-07"]);
  });

  it("each step enables its share of all accounts, plus the pilots", () => {
    assert.equal(enabledAccounts(at("10%")).length, 5); // 4 + the pilot (unless drawn)
    assert.ok(enabledAccounts(at("25%")).length >= 10);
    assert.ok(enabledAccounts(at("50%")).length >= 20);
    assert.equal(enabledAccounts(at("100%")).length, 40);
  });

  it("every step keeps the accounts of the step before (no tenant flips back)", () => {
    const steps = ["pilot", "10%", "25%", "50%", "100%"];
    for (let i = 1; i < steps.length; i++) {
      const before = new Set(enabledAccounts(at(steps[i - 1])));
      const after = new Set(enabledAccounts(at(steps[i])));
      for (const a of before) {
        assert.ok(after.has(a), `${a} enabled at ${steps[i - 1]} but not at ${steps[i]}`);
      }
    }
  });

  it("writes one manifest per account; disabled accounts get no agents (fallback routing)", () => {
    const m = manifests(at("pilot"));
    assert.equal(m.length, 40);
    const pilot = JSON.parse(m.find((x) => x.account === "tenant-07")!.manifest);
    const other = JSON.parse(m.find((x) => x.account === "tenant-01")!.manifest);
    assert.deepEqual(pilot.enabled_agents, ["a", "b"]);
    assert.deepEqual(other.enabled_agents, []);
  });

  it("steps may advance one rung, repeat or roll back, never skip", () => {
    assert.ok(stepInOrder("none", "pilot"));
    assert.ok(stepInOrder("pilot", "10%"));
    assert.ok(stepInOrder("25%", "25%"));
    assert.ok(stepInOrder("50%", "10%"));
    assert.ok(!stepInOrder("pilot", "25%"));
    assert.ok(!stepInOrder("none", "100%"));
  });
});
