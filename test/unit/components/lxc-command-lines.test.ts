/**
 * No value of a workload's environment and no secret is ever on a command line on the Proxmox
 * node (`ps` there shows every process, the containers' too). Every script the LXC runtime
 * generates (containers, /etc/hosts, services, jobs) is run here as golive's command provider runs
 * it (`sh -s`, the environment exported at the head of its standard input) against a stand-in
 * `pct` and `ha-manager`, under strace: every argv of every process it starts is recorded and
 * searched for every value; what `pct push` received shows the values did arrive.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { reveal, settle } from "../mocks";
import { specFor } from "./fixtures";

interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, any>;
}
const recorded: Recorded[] = [];
/** Every generated secret's value: distinct, random, long enough to find anywhere. */
const generated: string[] = [];
void pulumi.runtime.setMocks(
  {
    newResource(args) {
      recorded.push({ type: args.type, name: args.name, inputs: args.inputs });
      if (args.type.startsWith("pulumi-nodejs:dynamic") && typeof args.inputs.length === "number") {
        const value = crypto.randomBytes(64).toString("hex").slice(0, args.inputs.length);
        generated.push(value);
        return { id: `${args.name}-id`, state: { ...args.inputs, value } };
      }
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call(args) {
      throw new Error(`unmocked provider call ${args.token}`);
    },
  },
  "golive",
  "test",
  true,
);
const configSecret = `sk-${crypto.randomBytes(12).toString("hex")}`;
pulumi.runtime.setAllConfig({ "golive:openaiKey": configSecret }, ["golive:openaiKey"]);

const haveStrace = spawnSync("strace", ["-V"]).status === 0;

function shellQuote(v: string): string {
  return `'${v.replace(/'/g, `'"'"'`)}'`;
}

/** Runs `script` with `env` as the provider does; every argv it started, and what was pushed. */
function run(
  script: string,
  env: Record<string, string>,
): { code: number; argv: string; pushed: string; stderr: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "golive-argv-"));
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  // pct: push records the file's content; exec consumes its stdin and answers systemctl.
  fs.writeFileSync(
    path.join(bin, "pct"),
    [
      "#!/bin/sh",
      'case "$1" in',
      '  status) echo "status: running" ;;',
      "  config) ;;",
      `  push) cat "$3" >> ${shellQuote(path.join(dir, "pushed"))} ;;`,
      '  exec) shift 3; case "$*" in',
      '    "systemctl is-active"*) echo active ;;',
      '    "systemctl show"*) echo 0 ;;',
      "    *) cat >/dev/null 2>&1 || true ;;",
      "  esac ;;",
      "esac",
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(bin, "ha-manager"), "#!/bin/sh\n", { mode: 0o755 });
  fs.writeFileSync(path.join(bin, "sleep"), "#!/bin/sh\n", { mode: 0o755 });
  const head = Object.entries(env)
    .map(([k, v]) => `export ${k}=${shellQuote(v)}`)
    .join("\n");
  const trace = path.join(dir, "trace");
  const r = spawnSync(
    "strace",
    ["-f", "-qq", "-s", "1000000", "-e", "trace=execve", "-o", trace, "sh", "-s"],
    {
      input: `${head}\n${script}\n`,
      encoding: "utf8",
      env: { PATH: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin` },
      timeout: 60_000,
    },
  );
  const out = {
    code: r.status ?? -1,
    argv: fs.readFileSync(trace, "utf8"),
    pushed: fs.existsSync(path.join(dir, "pushed"))
      ? fs.readFileSync(path.join(dir, "pushed"), "utf8")
      : "",
    stderr: r.stderr,
  };
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

describe("the LXC runtime's command lines", { skip: !haveStrace && "needs strace" }, () => {
  let commands: Recorded[] = [];
  before(async () => {
    const { Environment } = await import("../../../components/environment");
    const spec = specFor({
      runtime: "lxc",
      tier: "production",
      lxc: {
        node: { host: "pve1.example.internal" },
        network: { cidr: "10.20.0.0/24", gateway: "10.20.0.1" },
        ids: { postgres: 110, api: 120 },
        firstId: 130,
      },
      gateway: { domain: "erp.example.com", proxy: "haproxy", tls: { source: "internal" } },
    });
    const api = spec.services.api;
    new Environment("golive-argv", {
      spec: {
        ...spec,
        services: {
          ...spec.services,
          api: { ...api, migration: { command: ["npm", "run", "migrate"] } },
        },
      },
    });
    await settle();
    commands = recorded.filter((r) => r.type === "command:remote:Command");
  });

  it("carries no value of any environment, and no secret, on any process's command line", () => {
    const scripts = commands.filter((c) => typeof c.inputs.create === "string");
    assert.ok(scripts.length > 10, `the environment's commands (${scripts.length})`);
    const kinds = new Set(
      scripts.map((c) =>
        c.name.replace(/^golive-argv-[a-z0-9-]*?-?(?=(ct|hosts|service|migration)$)/, ""),
      ),
    );
    for (const k of ["ct", "hosts", "service"]) assert.ok(kinds.has(k), `${k} commands are run`);
    assert.ok(
      scripts.some((c) => /-migration$/.test(c.name)),
      "a job (the migration) is run",
    );
    let checked = 0;
    const secrets = [...generated, configSecret];
    assert.ok(generated.length >= 3, "generated secrets are known");
    for (const c of scripts) {
      const env = Object.fromEntries(
        Object.entries(reveal<Record<string, unknown>>(c.inputs.environment) ?? {}).map(
          ([k, v]) => [k, String(reveal(v))],
        ),
      );
      const r = run(c.inputs.create, env);
      assert.equal(r.code, 0, `${c.name}: ${r.stderr}`);
      // Every variable's value that is not one of the script's own words ("postgres" is both a
      // host name in DATABASE_HOST and the job's own `pg_dump -h postgres`), and every secret
      // (including those inside a URL), which the script text never holds.
      const values = Object.entries(env)
        .filter(([k]) => k.startsWith("GOLIVE_ENV_") || !k.startsWith("GOLIVE_"))
        .map(([, v]) => v)
        .filter((v) => v.length >= 8 && !c.inputs.create.includes(v));
      for (const s of secrets) {
        assert.ok(!c.inputs.create.includes(s), `${c.name}: the script text holds a secret`);
      }
      for (const v of [...values, ...secrets]) {
        assert.ok(!r.argv.includes(v), `${c.name}: a command line carries ${v.slice(0, 6)}…`);
      }
      for (const s of secrets) {
        if (Object.values(env).some((v) => v.includes(s))) {
          assert.ok(r.pushed.includes(s), `${c.name}: its secret reached the container by push`);
          checked++;
        }
      }
    }
    assert.ok(checked >= 5, `secrets were carried and checked (${checked})`);
  });
});
