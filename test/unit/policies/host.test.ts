/** host-*: the host is sized to the system's minimums, and (where required) runs containers with HA. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hostEnforceMinimums } from "../../../policies/rules/host-enforce-minimums";
import { facts, messages, runStack, type Res } from "./harness";

describe("host-enforce-minimums", () => {
  /** CGS Assist's thresholds. */
  const cgs = { minCpuCores: 8, minMemoryGb: 16, minDiskGb: 100 };
  /** The PSA platform's thresholds: a 3-node cluster. */
  const psa = { minDiskGb: 5000, minNodes: 3 };

  it("accepts a host that meets the system's thresholds", async () => {
    assert.deepEqual(
      messages(
        await runStack(
          hostEnforceMinimums,
          [facts({ host: { cpuCores: 8, memoryGb: 32, diskGb: 200, nodes: 1 } })],
          cgs,
        ),
      ),
      [],
    );
  });

  it("refuses a host with fewer cores than required", async () => {
    assert.match(
      messages(
        await runStack(
          hostEnforceMinimums,
          [facts({ host: { cpuCores: 4, memoryGb: 32, diskGb: 200, nodes: 1 } })],
          cgs,
        ),
      )[0],
      /4 cores; at least 8/,
    );
  });

  it("refuses an environment that declares no host sizing", async () => {
    assert.match(
      messages(await runStack(hostEnforceMinimums, [facts({})], cgs))[0],
      /declares no host sizing/,
    );
  });

  it("refuses a cluster with fewer nodes than required", async () => {
    assert.match(
      messages(
        await runStack(
          hostEnforceMinimums,
          [facts({ host: { cpuCores: 96, memoryGb: 768, diskGb: 6000, nodes: 2 } })],
          psa,
        ),
      )[0],
      /2 node\(s\); at least 3/,
    );
  });

  describe("with requireHa", () => {
    const ct = (ha: string): Res => ({
      type: "command:remote:Command",
      name: "ct",
      props: {
        environment: { GOLIVE_CT_ID: "200", GOLIVE_CT_HOSTNAME: "psa-db", GOLIVE_CT_HA: ha },
      },
    });
    const cluster = facts({ host: { cpuCores: 96, memoryGb: 768, diskGb: 6000, nodes: 3 } });

    it("accepts an LXC container registered with HA", async () => {
      assert.deepEqual(
        messages(
          await runStack(hostEnforceMinimums, [cluster, ct("1")], { ...psa, requireHa: true }),
        ),
        [],
      );
    });

    it("refuses an LXC container not registered with HA, naming it", async () => {
      assert.match(
        messages(
          await runStack(hostEnforceMinimums, [cluster, ct("0")], { ...psa, requireHa: true }),
        )[0],
        /200 \(psa-db\) is not registered with HA/,
      );
    });
  });
});
