/**
 * The blue/green switch on Docker and LXC: the gateway's haproxy.cfg carries no colour weight (so
 * a switch changes no input that would replace the gateway), and a command run inside the
 * gateway sets the weights through HAProxy's runtime API, re-run when the gateway is replaced.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { parseSpec } from "../../../components/config/load";
import type { EnvironmentSpec } from "../../../components/config/spec";
import { one, recordResources, settle, type Recorded } from "../mocks";

const recorded: Recorded[] = recordResources();

function spec(runtime: "docker" | "lxc", active: "blue" | "green"): EnvironmentSpec {
  const parsed = parseSpec({
    runtime,
    tier: "dev",
    ...(runtime === "lxc" ? { lxc: { node: { host: "pve1" }, firstId: 100 } } : {}),
    gateway: { domain: "localhost", proxy: "haproxy", tls: { source: "internal" } },
    services: {
      api: {
        image: "acme/api",
        ports: [{ name: "http", port: 8080, public: true }],
        healthCheck: { path: "/health", port: 8080 },
        blueGreen: { active, blue: "1.0.0", green: "1.1.0" },
      },
    },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems, null, 2));
  return parsed.spec;
}

const gateway = (env: string) =>
  one(recorded, "docker:index/container:Container", `${env}-gateway`);
const upload = (env: string) =>
  (gateway(env).inputs.uploads as { file: string; content: string }[]).find((u) =>
    u.file.endsWith("haproxy.cfg"),
  )!.content;

describe("the blue/green switch", () => {
  before(async () => {
    const { Environment } = await import("../../../components/environment");
    new Environment("bg-blue", { spec: spec("docker", "blue") });
    new Environment("bg-green", { spec: spec("docker", "green") });
    new Environment("bg-lxc", { spec: spec("lxc", "green") });
    await settle();
  });

  it("uploads the same haproxy.cfg whichever colour is active, every colour server at weight 0", () => {
    assert.equal(upload("bg-blue"), upload("bg-green"));
    assert.match(upload("bg-blue"), /server api_blue_8080 api-blue:8080 check .* weight 0 /);
    assert.match(upload("bg-blue"), /server api_green_8080 api-green:8080 check .* weight 0 /);
    assert.match(upload("bg-blue"), /load-server-state-from-file global/);
  });

  it("labels the gateway identically whichever colour is active, with no reload label", () => {
    const labels = (env: string) =>
      (gateway(env).inputs.labels as { label: string; value: string }[]).filter(
        (l) => l.label !== "app.kubernetes.io/instance" && l.label !== "golive.dev/environment",
      );
    assert.deepEqual(labels("bg-blue"), labels("bg-green"));
    assert.ok(!labels("bg-blue").some((l) => l.label.startsWith("golive.dev/reload")));
  });

  it("on Docker, runs the switch inside the gateway with docker exec, re-run on a new container", () => {
    const sw = one(recorded, "command:local:Command", "bg-blue-gateway-switch");
    assert.equal(sw.inputs.create, "docker exec -i bg-blue-gateway sh -s");
    assert.equal(sw.inputs.update, sw.inputs.create);
    assert.deepEqual(sw.inputs.triggers, ["bg-blue-gateway-id"]);
    assert.match(sw.inputs.stdin, /set server be_default\/api_blue_8080 weight 100"/);
    assert.match(sw.inputs.stdin, /set server be_default\/api_green_8080 weight 0"/);
    const green = one(recorded, "command:local:Command", "bg-green-gateway-switch");
    assert.match(green.inputs.stdin, /set server be_default\/api_blue_8080 weight 0"/);
    assert.match(green.inputs.stdin, /set server be_default\/api_green_8080 weight 100"/);
  });

  it("on LXC, runs the switch with pct exec in the gateway's container over SSH", () => {
    const ct = one(recorded, "command:remote:Command", "bg-lxc-gateway-ct");
    const sw = one(recorded, "command:remote:Command", "bg-lxc-gateway-switch");
    assert.equal(sw.inputs.create, `pct exec ${ct.inputs.environment.GOLIVE_CT_ID} -- sh -s`);
    assert.deepEqual(sw.inputs.connection, ct.inputs.connection, "the runtime's SSH connection");
    assert.deepEqual(sw.inputs.triggers, ["bg-lxc-gateway-ct-id"]);
    assert.equal(sw.inputs.environment, undefined, "the script travels on stdin alone");
    assert.equal(sw.inputs.addPreviousOutputInEnv, false);
    assert.match(sw.inputs.stdin, /set server be_default\/api_green_8080 weight 100"/);
  });
});
