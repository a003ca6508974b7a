import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatProblems, parseSpec } from "../../components/config/load";

const valid = {
  runtime: "docker",
  tier: "dev",
  services: { api: { image: "golive/demo-app:1.0.0", ports: [{ name: "http", port: 8080 }] } },
};

describe("parseSpec", () => {
  it("accepts a minimal spec and fills the documented defaults", () => {
    const r = parseSpec(valid);
    assert.ok(r.ok);
    assert.equal(r.spec.services.api.replicas, 1);
    assert.equal(r.spec.services.api.ports[0].public, false);
    assert.equal(r.spec.imageRegistry, "");
  });

  it("reports a missing spec with its key", () => {
    const r = parseSpec(undefined);
    assert.ok(!r.ok);
    assert.deepEqual(
      r.problems.map((p) => p.path),
      ["golive:environment"],
    );
  });

  it("collects every problem, each with its config path", () => {
    const r = parseSpec({ ...valid, runtime: "nomad", services: { api: { image: 42, typo: 1 } } });
    assert.ok(!r.ok);
    const paths = r.problems.map((p) => p.path).sort();
    assert.deepEqual(paths, [
      "golive:environment.runtime",
      "golive:environment.services.api.image",
      "golive:environment.services.api.typo",
    ]);
    const text = formatProblems(r.problems);
    assert.match(text, /3 problems\); nothing was deployed/);
    assert.match(text, /services\.api\.typo: is not a setting golive knows/);
  });

  it("refuses a dependency on an unknown service, naming the list index", () => {
    const r = parseSpec({
      ...valid,
      services: { api: { image: "golive/demo-app:1.0.0", dependsOn: ["postgres"] } },
    });
    assert.ok(!r.ok);
    assert.equal(r.problems[0].path, "golive:environment.services.api.dependsOn[0]");
    assert.match(r.problems[0].message, /"postgres" is neither a service nor a data service/);
  });

  it("takes a waiver's unquoted YAML date as Pulumi hands it on, and keeps the day", () => {
    // YAML reads `until: 2027-03-31` as a timestamp; Pulumi's config passes it on as Go prints it.
    for (const until of ["2027-03-31", "2027-03-31 00:00:00 +0000 UTC", "2027-03-31T00:00:00Z"]) {
      const r = parseSpec({
        ...valid,
        waivers: {
          api: { "rabbitmq-enforce-min-version": { reason: "upgrade in OPS-42", until } },
        },
      });
      assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
      assert.equal(r.spec.waivers.api["rabbitmq-enforce-min-version"].until, "2027-03-31");
    }
  });

  it("accepts root and privileged mode: the policy pack's gates refuse them, not the schema", () => {
    const r = parseSpec({
      ...valid,
      services: {
        api: { ...valid.services.api, securityContext: { runAsUser: 0, privileged: true } },
      },
    });
    assert.ok(r.ok);
    assert.deepEqual(r.spec.services.api.securityContext, { runAsUser: 0, privileged: true });
    const unset = parseSpec(valid);
    assert.ok(unset.ok);
    assert.equal(unset.spec.services.api.securityContext, undefined, "golive's defaults hold");
  });

  it("accepts a Prometheus without HighErrorRate: monitoring-configure-alert-rules judges it", () => {
    const r = parseSpec({
      ...valid,
      monitoring: { receiver: { kind: "null" }, disableDefaultRules: ["HighErrorRate"] },
    });
    assert.ok(r.ok);
    assert.deepEqual(r.spec.monitoring?.disableDefaultRules, ["HighErrorRate"]);
    assert.deepEqual(r.spec.monitoring?.alertRules, []);
  });
});
