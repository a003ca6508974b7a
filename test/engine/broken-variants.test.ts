/**
 * Deliberately broken variants of the seed systems, each through the real engine and the
 * system's own policy settings: preview fails, naming the policy that encodes the checklist item.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { Project, repo } from "./harness";

type Variant = [title: string, system: string, from: string | RegExp, to: string, policy: string];

const variants: Variant[] = [
  [
    "CGS Assist uses a module its license does not cover",
    "cgs-assist",
    "requiredModules: [llm, rag]",
    "requiredModules: [llm, rag, imagegen]",
    "license-require-valid",
  ],
  [
    "CGS Assist on a 4-core host",
    "cgs-assist",
    "cpuCores: 8",
    "cpuCores: 4",
    "host-enforce-minimums",
  ],
  [
    "Ablage lets the OCR worker take the whole GPU",
    "ablage",
    "memoryLimitGb: 13.6",
    "memoryLimitGb: 16",
    "gpu-enforce-memory-limit",
  ],
  [
    "PSA-Platform on RabbitMQ 3.10",
    "psa-platform",
    'version: "3.12"',
    'version: "3.10"',
    "rabbitmq-enforce-min-version",
  ],
  [
    "PSA-Platform without its PostgreSQL replica",
    "psa-platform",
    // No replica, and so no CT-ID for it either (an ID for no workload is refused).
    /\s*postgres-replica-1: 201,\n([\s\S]*?)replicas: 1\n/,
    "\n$1replicas: 0\n",
    "postgres-missing-replica",
  ],
  [
    "PSA-Platform with Redis refusing writes when full",
    "psa-platform",
    "maxmemoryPolicy: allkeys-lru",
    "maxmemoryPolicy: noeviction",
    "redis-configure-eviction",
  ],
  [
    "Branchen-Pakete jumps from the pilot to 50 %",
    "branchen-pakete",
    'step: "10%"',
    'step: "50%"',
    "canary-enforce-ladder-order",
  ],
  [
    "VALERO production sends alerts nowhere",
    "valero-neuroerp.production",
    /receiver: \{[^}]*\}/,
    'receiver: { kind: "null" }',
    "alertmanager-disallow-null-receiver",
  ],
];

describe("broken variants of the seed systems are refused", () => {
  for (const [title, system, from, to, policy] of variants) {
    it(`${title} → ${policy}`, () => {
      const original = fs.readFileSync(path.join(repo, "systems", `${system}.yaml`), "utf8");
      const broken = original.replace(from, to);
      assert.notEqual(broken, original, "the mutation must change the config");
      const stack = `broken-${system.replace(/\./g, "-")}`;
      const p = new Project(stack, stack, broken);
      for (const m of broken.matchAll(/\{ config: (\w+) \}/g)) {
        assert.equal(
          p.pulumi(["config", "set", "--secret", `golive:${m[1]}`, "test-value"]).code,
          0,
        );
      }
      const own = `systems/${system}.policy.json`;
      const r = p.preview(fs.existsSync(path.join(repo, own)) ? own : "production");
      assert.notEqual(r.code, 0, r.output);
      assert.match(r.output, new RegExp(`\\[mandatory\\].*\\b${policy}\\b`), r.output);
    });
  }
});
