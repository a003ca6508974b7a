import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { formatProblems, loadSpec, parseSpec } from "../../components/config/load";

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

  it("folds every host port into hostPorts by workload and port name, the spec's own entries winning", () => {
    const r = parseSpec({
      ...valid,
      services: {
        api: { image: "a:1", ports: [{ name: "http", port: 8080, hostPort: 28080 }] },
        web: {
          image: "w:1",
          ports: [
            { name: "http", port: 3000, hostPort: 23000 },
            { name: "admin", port: 3001, hostPort: 23001 },
          ],
          blueGreen: { active: "blue", blue: "1", green: "2" },
        },
      },
      gateway: {
        domain: "localhost",
        proxy: "haproxy",
        tls: { source: "internal" },
        hostPorts: { http: 18080, https: 18443 },
      },
      hostPorts: { "web-green": { http: 24000, admin: 24001 } },
    });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
    assert.deepEqual(r.spec.hostPorts, {
      api: { http: 28080 },
      "web-blue": { http: 23000, admin: 23001 },
      "web-green": { http: 24000, admin: 24001 },
      gateway: { http: 18080, https: 18443 },
    });
    // One mechanism past the boundary: nothing else carries a host port.
    assert.deepEqual(r.spec.services.api.ports, [{ name: "http", port: 8080, public: false }]);
    assert.ok(r.spec.services.web.ports.every((p) => p.hostPort === undefined));
    assert.equal(r.spec.gateway?.hostPorts, undefined);
  });

  it("reports a host port published twice under the config key that set it, before folding", () => {
    const r = parseSpec({
      ...valid,
      services: { api: { image: "a:1", ports: [{ name: "http", port: 8080, hostPort: 18443 }] } },
      gateway: {
        domain: "localhost",
        proxy: "haproxy",
        tls: { source: "internal" },
        hostPorts: { http: 18080, https: 18443 },
      },
    });
    assert.ok(!r.ok);
    assert.deepEqual(
      r.problems.map((p) => p.path),
      ["golive:environment.gateway.hostPorts.https"],
    );
    assert.match(
      r.problems[0].message,
      /already published by .*services\.api\.ports\[0\]\.hostPort/,
    );
  });
});

describe("loadSpec", () => {
  /** A stand-in for pulumi.Config("golive") holding `values` (objects as the engine gives them). */
  const config = (values: Record<string, unknown>) =>
    ({
      get: (key: string) => values[key] as string | undefined,
      getObject: (key: string) => values[key],
    }) as unknown as pulumi.Config;

  const project = fs.mkdtempSync(path.join(os.tmpdir(), "golive-spec-"));
  after(() => fs.rmSync(project, { recursive: true, force: true }));
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
    fs.writeFileSync(path.join(project, file), text);
  };
  const failure = (values: Record<string, unknown>): string => {
    try {
      loadSpec(config(values), project);
    } catch (e) {
      assert.ok(e instanceof pulumi.RunError, `expected a RunError, got ${String(e)}`);
      return e.message;
    }
    assert.fail("loadSpec accepted the config");
  };

  it("reads the spec from golive:environment", () => {
    assert.equal(loadSpec(config({ environment: valid }), project).services.api.replicas, 1);
  });

  it("reads the same spec from a YAML file golive:specFile names, relative to the project", () => {
    write("systems/small.yaml", YAML.stringify(valid));
    const spec = loadSpec(config({ specFile: "systems/small.yaml" }), project);
    assert.deepEqual(spec, loadSpec(config({ environment: valid }), project));
  });

  it("reads a JSON spec file", () => {
    write("systems/small.json", JSON.stringify(valid));
    assert.equal(loadSpec(config({ specFile: "systems/small.json" }), project).runtime, "docker");
  });

  it("refuses both keys at once, naming both", () => {
    write("systems/small.yaml", YAML.stringify(valid));
    const text = failure({ environment: valid, specFile: "systems/small.yaml" });
    assert.match(text, /golive:environment and golive:specFile: are both set/);
  });

  it("names both keys when neither is set", () => {
    assert.match(failure({}), /golive:environment: is missing: .*golive:specFile/);
  });

  it("names the file and the path inside it for every problem in a spec file", () => {
    write(
      "systems/bad.yaml",
      YAML.stringify({
        ...valid,
        runtime: "nomad",
        services: { api: { image: "a:1", replicas: "2" } },
      }),
    );
    const text = failure({ specFile: "systems/bad.yaml" });
    assert.match(text, /2 problems\); nothing was deployed/);
    assert.match(text, /- systems\/bad\.yaml: runtime: Invalid option/);
    assert.match(text, /- systems\/bad\.yaml: services\.api\.replicas: .*expected number/);
    assert.doesNotMatch(text, /golive:environment/);
  });

  it("names the file when its top level is not a spec", () => {
    write("systems/list.yaml", "- a\n- b\n");
    assert.match(
      failure({ specFile: "systems/list.yaml" }),
      /- systems\/list\.yaml: .*expected object/,
    );
  });

  it("names the key and the file when the file is missing", () => {
    assert.match(
      failure({ specFile: "systems/nope.yaml" }),
      /- golive:specFile: systems\/nope\.yaml does not exist \(relative to the project root\)/,
    );
  });

  it("names the key and the file when the file cannot be read", () => {
    fs.mkdirSync(path.join(project, "systems/dir.yaml"), { recursive: true });
    assert.match(
      failure({ specFile: "systems/dir.yaml" }),
      /- golive:specFile: systems\/dir\.yaml cannot be read \(EISDIR\)/,
    );
  });

  it("names the key, the file and the line when the file is not YAML", () => {
    write("systems/broken.yaml", "runtime: docker\nservices: { api: [\n");
    assert.match(
      failure({ specFile: "systems/broken.yaml" }),
      /- golive:specFile: systems\/broken\.yaml is not valid YAML: .*line \d+/,
    );
  });

  it("names the key and the file when a .json file is not JSON", () => {
    write("systems/broken.json", '{"runtime": "docker",');
    assert.match(
      failure({ specFile: "systems/broken.json" }),
      /- golive:specFile: systems\/broken\.json is not valid JSON: /,
    );
  });

  it("refuses an empty golive:specFile", () => {
    assert.match(failure({ specFile: " " }), /- golive:specFile: is empty/);
  });
});
