/**
 * `pulumi up` of the end-to-end Docker stack, then: the generated secrets really reached the
 * containers, and none of them appears in clear in `pulumi stack export`. Destroys what it made.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { figure, Project, removeRetainedVolumes, repo } from "./harness";

function containerEnv(name: string): Record<string, string> {
  const r = spawnSync("docker", ["inspect", "--format", "{{json .Config.Env}}", name], {
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  return Object.fromEntries(
    (JSON.parse(r.stdout) as string[]).map((l) => [
      l.slice(0, l.indexOf("=")),
      l.slice(l.indexOf("=") + 1),
    ]),
  );
}

describe("secrets stay secret in state", () => {
  let p: Project;
  before(() => {
    removeRetainedVolumes("golive-e2e"); // a previous run's data would carry its old password
    const images = spawnSync(
      path.join(repo, "test", "images", "build.sh"),
      ["postgres", "pgbouncer", "postgres-exporter", "app", "caddy"],
      {
        encoding: "utf8",
        stdio: ["ignore", "inherit", "inherit"],
      },
    );
    assert.equal(images.status, 0, "the offline test images must build");
    p = new Project(
      "e2e-secrets",
      "e2e",
      fs.readFileSync(path.join(repo, "test", "scenarios", "e2e-docker.yaml"), "utf8"),
    );
  });
  after(() => {
    const d = p.pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
    // The data volumes are retained by design; this test's data is not worth keeping.
    removeRetainedVolumes("golive-e2e");
    assert.equal(d.code, 0, d.output);
  });

  it("up deploys the stack, and stack export holds no generated secret in clear", () => {
    const up = p.pulumi([
      "up",
      "--yes",
      "--non-interactive",
      "--skip-preview",
      "--policy-pack",
      "policies",
      "--policy-pack-config",
      "policies/config/dev.json",
    ]);
    figure("up-seconds-e2e-secrets", up.seconds.toFixed(1));
    assert.equal(up.code, 0, up.output);

    const pg = containerEnv("golive-e2e-postgres");
    const api = containerEnv("golive-e2e-api");
    assert.equal(pg.POSTGRES_PASSWORD.length, 32, "the generated password reached PostgreSQL");
    assert.equal(api.DATABASE_PASSWORD, pg.POSTGRES_PASSWORD, "and the app");
    assert.equal(api.SECRET_KEY.length, 48);

    const exported = p.pulumi(["stack", "export"]);
    assert.equal(exported.code, 0, exported.output);
    for (const [name, value] of [
      ["POSTGRES_PASSWORD", pg.POSTGRES_PASSWORD],
      ["SECRET_KEY", api.SECRET_KEY],
    ]) {
      assert.ok(!exported.output.includes(value), `${name} appears in clear in stack export`);
    }
    assert.match(exported.output, /"ciphertext"/, "secrets are stored encrypted");
  });
});
