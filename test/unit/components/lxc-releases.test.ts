/**
 * A release on LXC: the service's code as a checked release artefact, its own CT template, and
 * its migration run in its own container (the live colour's, for a blue/green service) with that
 * release in place, after provisioning and before the service starts.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { parseSpec } from "../../../components/config/load";
import { one, recordResources, reveal, settle, type Recorded } from "../mocks";

const recorded: Recorded[] = recordResources();
pulumi.runtime.setAllConfig({});

const digest = (c: string) => c.repeat(64);
const trixie = "local:vztmpl/debian-13-standard_13.1-2_amd64.tar.zst";

function spec(extra: Record<string, unknown> = {}) {
  return {
    runtime: "lxc",
    tier: "staging",
    lxc: { node: { host: "pve1.example.internal" }, ids: { postgres: 110 } },
    postgres: { version: "15", backups: { enabled: false } },
    services: {
      api: {
        image: "psa/api",
        template: trixie,
        packages: ["nodejs"],
        command: ["/usr/bin/node", "server.js"],
        ports: [{ name: "http", port: 8080, public: true }],
        healthCheck: { path: "/health", port: 8080 },
        dependsOn: ["postgres"],
        migration: { command: ["/usr/bin/node", "migrate.js"] },
        blueGreen: { active: "green", blue: "1.2.3", green: "1.2.4" },
        artifact: {
          url: "http://repo.example.internal/psa-api-{version}.tar.gz",
          sha256: { "1.2.3": digest("a"), "1.2.4": digest("b") },
        },
      },
    },
    gateway: { domain: "psa.example.com", proxy: "haproxy", tls: { source: "internal" } },
    ...extra,
  };
}

describe("a release on LXC", () => {
  before(async () => {
    const parsed = parseSpec(spec());
    assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
    const { Environment } = await import("../../../components/environment");
    new Environment("rel", { spec: parsed.spec });
    await settle();
  });

  const cmd = (name: string) => one(recorded, "command:remote:Command", name);
  const env = (name: string) => reveal<Record<string, string>>(cmd(name).inputs.environment);

  it("fetches each colour's artefact by its version, checks its digest, and starts the unit in it", () => {
    for (const [colour, version, sha] of [
      ["blue", "1.2.3", digest("a")],
      ["green", "1.2.4", digest("b")],
    ]) {
      const e = env(`rel-api-${colour}-service`);
      assert.equal(e.GOLIVE_ARTIFACT_URL, `http://repo.example.internal/psa-api-${version}.tar.gz`);
      assert.equal(e.GOLIVE_ARTIFACT_SHA256, sha);
      assert.equal(e.GOLIVE_ARTIFACT_VERSION, version);
      assert.match(
        e.GOLIVE_UNIT,
        new RegExp(`\nWorkingDirectory=/opt/golive/api-${colour}/current\n`),
      );
      const create = String(cmd(`rel-api-${colour}-service`).inputs.create);
      assert.match(create, /--no-install-recommends nodejs curl ca-certificates/);
      assert.match(create, /sha256sum "\$tmp"/);
      assert.match(create, /not \$sha: refused/);
      assert.ok(
        create.indexOf("GOLIVE_ARTIFACT_URL") < create.indexOf("GOLIVE_UNIT"),
        "the code is in place before the unit",
      );
    }
  });

  it("creates the service's containers from its own template", () => {
    for (const colour of ["blue", "green"]) {
      assert.equal(env(`rel-api-${colour}-ct`).GOLIVE_CT_TEMPLATE, trixie);
    }
    assert.notEqual(env("rel-postgres-ct").GOLIVE_CT_TEMPLATE, trixie);
  });

  it("runs the migration in the live colour's container, as its user, in its release, with the live version", () => {
    const e = env("rel-api-migration");
    const green = env("rel-api-green-ct").GOLIVE_CT_ID;
    assert.equal(e.GOLIVE_CT_ID, green, "in the live (green) colour's container");
    assert.equal(e.GOLIVE_JOB_USER, "dynamic");
    const create = String(cmd("rel-api-migration").inputs.create);
    assert.match(
      create,
      /-p DynamicUser=yes -p WorkingDirectory=\/opt\/golive\/api-green\/current --/,
    );
    assert.match(create, /'\/usr\/bin\/node' 'migrate\.js'/);
    const labels = JSON.parse(e.GOLIVE_LABELS) as Record<string, string>;
    assert.ok(Object.values(labels).includes("1.2.4"), JSON.stringify(labels));
  });

  it("provisions each colour without starting it; a command of its own starts it, the live one's after the migration", () => {
    for (const colour of ["blue", "green"]) {
      const provision = String(cmd(`rel-api-${colour}-service`).inputs.create);
      assert.doesNotMatch(provision, /systemctl restart/);
      assert.match(provision, new RegExp(`systemctl enable golive-api-${colour}\\.service`));
      assert.match(provision, new RegExp(`golive: api-${colour} provisioned at`));
      const start = cmd(`rel-api-${colour}-start`);
      assert.match(
        String(start.inputs.create),
        new RegExp(`systemctl restart golive-api-${colour}\\.service`),
      );
      assert.match(String(start.inputs.create), new RegExp(`golive: api-${colour} is healthy`));
      assert.equal(start.inputs.environment.GOLIVE_CT_ID, env(`rel-api-${colour}-ct`).GOLIVE_CT_ID);
    }
    // The provisioning is the same whichever colour is live: a switch moves the migration only.
    const other = one(recorded, "command:remote:Command", "rel-api-blue-service").inputs.create;
    assert.equal(
      String(other).replaceAll("api-blue", "api-X"),
      String(cmd("rel-api-green-service").inputs.create).replaceAll("api-green", "api-X"),
    );
  });

  it("refuses a version without its digest and a URL with credentials, naming the config path", () => {
    const s = spec();
    const api = (s.services as Record<string, Record<string, unknown>>).api;
    api.artifact = {
      url: "http://user:pw@repo.example.internal/psa-api-{version}.tar.gz",
      sha256: { "1.2.3": digest("a") },
    };
    const parsed = parseSpec(s);
    assert.equal(parsed.ok, false);
    const problems = !parsed.ok ? parsed.problems : [];
    const text = JSON.stringify(problems);
    assert.match(text, /services\.api\.artifact\.url/);
    assert.match(text, /without credentials/);

    api.artifact = {
      url: "http://repo.example.internal/psa-api-{version}.tar.gz",
      sha256: { "1.2.3": digest("a") },
    };
    const second = parseSpec(s);
    assert.equal(second.ok, false);
    const text2 = JSON.stringify(!second.ok ? second.problems : []);
    assert.match(text2, /services\.api\.artifact\.sha256/);
    assert.match(text2, /no SHA-256 for version 1\.2\.4/);
  });
});
