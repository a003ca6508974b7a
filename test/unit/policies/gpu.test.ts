/** gpu-*: a GPU workload declares a memory limit within 85 % of the card. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gpuEnforceMemoryLimit } from "../../../policies/rules/gpu-enforce-memory-limit";
import { facts, messages, runStack, workload } from "./harness";

describe("gpu-enforce-memory-limit", () => {
  const card = facts({
    host: {
      cpuCores: 16,
      memoryGb: 64,
      diskGb: 1000,
      nodes: 1,
      gpu: { model: "RTX 4080", memoryGb: 16 },
    },
  });
  const worker = (limit?: string) => {
    const r = workload("ocr", "worker", limit ? { "golive.dev/gpu-memory-limit-gb": limit } : {});
    r.props.gpus = "count=1";
    return r;
  };

  it("accepts a limit of 85 % of the card's memory", async () => {
    assert.deepEqual(messages(await runStack(gpuEnforceMemoryLimit, [card, worker("13.6")])), []);
  });

  it("refuses a limit above 85 % of the card, saying the most it may be", async () => {
    assert.match(
      messages(await runStack(gpuEnforceMemoryLimit, [card, worker("15")]))[0],
      /at most 13\.6 GB/,
    );
  });

  it("refuses a GPU workload without a memory limit", async () => {
    assert.match(
      messages(await runStack(gpuEnforceMemoryLimit, [card, worker()]))[0],
      /declares no GPU memory limit/,
    );
  });
});
