/**
 * Blue/green for real on the local Docker engine: switch to green and back under a bounded
 * loopback load through HAProxy with TLS, with zero failed requests; a green that fails its
 * health check is refused and traffic stays on blue; rows written before the switch survive.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { figure, Project, removeRetainedVolumes, repo } from "./harness";
import { release, report, request, upUnderLoad, type Target, type UpUnderLoad } from "./load";

const template = fs.readFileSync(
  path.join(repo, "test", "scenarios", "e2e-bluegreen.yaml"),
  "utf8",
);
const config = (active: string, green: string) =>
  template.replace("ACTIVE", active).replace("GREEN", green);
/** The gateway's TLS port on the loopback, named localhost (SNI and Host). */
const target: Target = { host: "127.0.0.1", port: 28444, hostname: "localhost" };
const get = (urlPath: string) => request(target, urlPath);
const post = (urlPath: string) => request(target, urlPath, undefined, 5000, "POST");

/** The gateway container's id: a switch must keep the very same container. */
const gatewayId = () =>
  spawnSync("docker", ["inspect", "--format", "{{.Id}}", "golive-bluegreen-gateway"], {
    encoding: "utf8",
  }).stdout.trim();

const colour = async () => release(await get("/"))?.color;

/** Bounds of the load during an up: 4 clients, no pause; the up is interrupted at 300 s. */
const bounds = { seconds: 300, requests: 200_000, pauseMs: 0 };

/**
 * `pulumi up` under the load (test/engine/load.ts), every answer counted; prints what failed and
 * what the engine changed (a switch must update the gateway in place, never replace it).
 */
async function upWithLoad(p: Project): Promise<UpUnderLoad> {
  const r = await upUnderLoad(p, target, bounds);
  report(r);
  for (const line of r.output.split("\n")) {
    if (/ (updated|replaced|created|deleted) /.test(line))
      process.stdout.write(`engine: ${line.trim()}\n`);
  }
  // The load ran for the whole up: it stopped when the up ended, not at its count bound.
  assert.ok(r.ok + r.failed < bounds.requests, `the load reached its bound of ${bounds.requests}`);
  return r;
}

describe("blue/green under load", () => {
  let p: Project;
  before(() => {
    const images = spawnSync(
      path.join(repo, "test", "images", "build.sh"),
      ["postgres", "pgbouncer", "postgres-exporter", "app", "haproxy"],
      { stdio: "inherit" },
    );
    assert.equal(images.status, 0);
    // Two releases of the app, and one whose health check fails.
    assert.equal(
      spawnSync("docker", ["tag", "golive.local/app:1.0.0", "golive.local/app:1.1.0"]).status,
      0,
    );
    const broken = spawnSync("docker", ["build", "-q", "-t", "golive.local/app:broken", "-"], {
      input: "FROM golive.local/app:1.0.0\nENV HEALTH_FAIL=1\n",
      env: { ...process.env, DOCKER_BUILDKIT: "0" },
    });
    assert.equal(broken.status, 0, String(broken.stderr));
    removeRetainedVolumes("golive-bluegreen");
    p = new Project("e2e-bluegreen", "bluegreen", config("blue", "1.0.0"));
  });
  after(() => {
    const d = p.pulumi(["destroy", "--yes", "--non-interactive", "--skip-preview"]);
    removeRetainedVolumes("golive-bluegreen");
    assert.equal(d.code, 0, d.output);
  });

  it("deploys with blue active", async () => {
    const up = p.pulumi(["up", "--yes", "--non-interactive", "--skip-preview"]);
    figure("up-seconds-bluegreen-cold", up.seconds.toFixed(1));
    assert.equal(up.code, 0, up.output);
    assert.equal(await colour(), "blue");
    for (let i = 0; i < 5; i++) assert.equal((await post("/rows")).status, 201);
  });

  it("deploys v2 to the idle colour under load with zero failed requests", async () => {
    fs.writeFileSync(p.stackFile, p.stackText().replace('green: "1.0.0"', 'green: "1.1.0"'));
    const r = await upWithLoad(p);
    figure("bluegreen-deploy-idle-requests-ok", r.ok);
    figure("bluegreen-deploy-idle-requests-failed", r.failed);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /api-green\S* replaced|replaced.*api-green/);
    assert.equal(r.failed, 0);
    assert.deepEqual([...r.colours.keys()], ["blue"], "the idle colour must get no traffic");
  });

  it("switches to green with zero failed requests, keeping the rows", async () => {
    fs.writeFileSync(p.stackFile, p.stackText().replace("active: blue", "active: green"));
    const gateway = gatewayId();
    assert.match(gateway, /^[0-9a-f]{64}$/);
    const r = await upWithLoad(p);
    figure("bluegreen-switch-requests-ok", r.ok);
    figure("bluegreen-switch-requests-failed", r.failed);
    figure("bluegreen-switch-seconds", r.seconds.toFixed(1));
    assert.equal(r.code, 0, r.output);
    assert.equal(r.failed, 0);
    assert.ok(r.ok > 0);
    assert.doesNotMatch(r.output, /gateway\S* replaced/, "a switch must not replace the gateway");
    assert.equal(gatewayId(), gateway, "the same gateway container serves after the switch");
    assert.match(r.output, /gateway-switch updated/, "the switch runs HAProxy's runtime API");
    assert.equal(await colour(), "green");
    const rows = JSON.parse((await get("/rows")).body) as { rows: number };
    assert.ok(rows.rows >= 5);
  });

  it("a restarted gateway keeps the weights the switch set (HAProxy's server-state file)", async () => {
    assert.equal(spawnSync("docker", ["restart", "golive-bluegreen-gateway"]).status, 0);
    let answer: string | undefined;
    for (let i = 0; i < 60 && answer === undefined; i++) {
      await new Promise((r) => setTimeout(r, 500));
      answer = release(await get("/"))?.color;
    }
    assert.equal(answer, "green");
    for (let i = 0; i < 10; i++) assert.equal(await colour(), "green");
  });

  it("rolls back to blue by config, with zero failed requests", async () => {
    fs.writeFileSync(p.stackFile, p.stackText().replace("active: green", "active: blue"));
    const gateway = gatewayId();
    const r = await upWithLoad(p);
    figure("bluegreen-rollback-requests-ok", r.ok);
    figure("bluegreen-rollback-requests-failed", r.failed);
    assert.equal(r.code, 0, r.output);
    assert.equal(r.failed, 0);
    assert.equal(gatewayId(), gateway, "a rollback keeps the gateway container too");
    assert.equal(await colour(), "blue");
  });

  it("refuses a green that fails its health check; traffic stays on blue", async () => {
    fs.writeFileSync(
      p.stackFile,
      p
        .stackText()
        .replace('green: "1.1.0"', 'green: "broken"')
        .replace("active: blue", "active: green"),
    );
    const up = p.pulumi(["up", "--yes", "--non-interactive", "--skip-preview"]);
    assert.notEqual(up.code, 0, "the switch must be refused");
    assert.match(up.output, /unhealthy|was not healthy/);
    assert.equal(await colour(), "blue");
    const rows = JSON.parse((await get("/rows")).body) as { rows: number };
    assert.ok(rows.rows >= 5);
  });
});
