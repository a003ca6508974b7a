/**
 * The five seed systems, each previewed through the real engine and the policy pack with the
 * settings of its tier: every one must come out clean.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { figure, Project, repo, toCreate } from "./harness";

const systems = fs
  .readdirSync(path.join(repo, "systems"))
  .filter((f) => f.endsWith(".yaml") && !f.endsWith(".policy.json"))
  .sort();

describe("the seed systems preview clean", () => {
  it("all five systems have a config", () => {
    for (const system of [
      "cgs-assist",
      "valero-neuroerp",
      "ablage",
      "psa-platform",
      "branchen-pakete",
    ]) {
      assert.ok(
        systems.some((f) => f.startsWith(system)),
        `systems/${system}*.yaml`,
      );
    }
  });
  for (const file of systems) {
    it(file, () => {
      const yaml = fs.readFileSync(path.join(repo, "systems", file), "utf8");
      const tier = /^\s+tier: (\w+)/m.exec(yaml)?.[1] ?? "production";
      const stack = file.replace(/\.yaml$/, "").replace(/\./g, "-");
      const p = new Project(`system-${stack}`, stack, yaml);
      // Secrets the operator would set with `pulumi config set --secret`: test stand-ins.
      for (const m of yaml.matchAll(/\{ config: (\w+) \}/g)) {
        const set = p.pulumi(["config", "set", "--secret", `golive:${m[1]}`, `test-${m[1]}-value`]);
        assert.equal(set.code, 0, set.output);
      }
      // The system's own pack settings (thresholds of its checklist) where it has them.
      const own = `systems/${file.replace(/\.yaml$/, "")}.policy.json`;
      const r = p.preview(fs.existsSync(path.join(repo, own)) ? own : tier);
      figure(`preview-seconds-${stack}`, r.seconds.toFixed(1));
      figure(`preview-resources-${stack}`, toCreate(r.output));
      assert.equal(r.code, 0, r.output);
      assert.doesNotMatch(r.output, /\[mandatory\]/, r.output);
      assert.doesNotMatch(r.output, /\[advisory\](?!.*waivers-report-active)/, r.output);
      assert.doesNotMatch(r.output, /can't run policy/, r.output);
    });
  }
});
