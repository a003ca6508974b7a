/**
 * Runs golive through the real Pulumi engine: each scenario gets a work folder holding a copy of
 * the program's entry files, links to components/, policies/ and node_modules, its own stack
 * config, and its own local file backend, so tests never touch the repository's stacks.
 * Expects the environment of scripts/env.sh (toolchain on PATH, PULUMI_HOME with providers).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const repo = path.resolve(__dirname, "..", "..");
const workRoot = path.join(repo, "test", ".work");

export interface RunResult {
  readonly code: number;
  readonly output: string;
  readonly seconds: number;
}

let packBuilt = false;

/**
 * The engine runs the policy pack compiled (policies/bin/): make sure it is the current sources'
 * build, so a test never judges a stale pack (a no-op costing milliseconds when it is current).
 */
function ensurePolicyPackBuilt(): void {
  if (packBuilt) return;
  const r = spawnSync("bash", [path.join(repo, "scripts", "build-policy-pack.sh")], {
    encoding: "utf8",
  });
  if (r.status !== 0) {
    throw new Error(`compiling the policy pack failed:\n${r.stdout ?? ""}${r.stderr ?? ""}`);
  }
  packBuilt = true;
}

export class Project {
  public readonly dir: string;
  /** The environment every pulumi command of this project runs with. */
  public readonly env: NodeJS.ProcessEnv;

  /**
   * @param name  the scenario's folder name under test/.work
   * @param stack the stack name (also the Pulumi.<stack>.yaml written)
   * @param stackConfig the YAML text of Pulumi.<stack>.yaml
   */
  constructor(
    name: string,
    public readonly stack: string,
    stackConfig: string,
    /** A program of its own (Pulumi.yaml and index.ts), e.g. under test/programs; golive's by default. */
    program: string = repo,
  ) {
    if (!process.env.GOLIVE_TOOLCHAIN_BIN) {
      throw new Error(
        "engine tests need the toolchain environment: run them through scripts/test.sh",
      );
    }
    ensurePolicyPackBuilt();
    this.dir = path.join(workRoot, name);
    fs.rmSync(this.dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(this.dir, "backend"), { recursive: true });
    for (const f of ["Pulumi.yaml", "index.ts"]) {
      fs.copyFileSync(path.join(program, f), path.join(this.dir, f));
    }
    for (const f of ["package.json", "tsconfig.json"]) {
      fs.copyFileSync(path.join(repo, f), path.join(this.dir, f));
    }
    for (const d of ["components", "policies", "node_modules", "license"]) {
      fs.symlinkSync(path.join(repo, d), path.join(this.dir, d));
    }
    fs.writeFileSync(path.join(this.dir, `Pulumi.${stack}.yaml`), stackConfig);
    this.env = {
      ...process.env,
      PULUMI_BACKEND_URL: `file://${path.join(this.dir, "backend")}`,
      PULUMI_CONFIG_PASSPHRASE: process.env.GOLIVE_DEV_PASSPHRASE ?? "golive-dev-only-not-a-secret",
    };
    delete this.env.PULUMI_CONFIG_PASSPHRASE_FILE;
    const init = this.pulumi(["stack", "init", stack, "--non-interactive"]);
    if (init.code !== 0) {
      throw new Error(`pulumi stack init ${stack} failed:\n${init.output}`);
    }
  }

  /** The stack's config file (it also holds what `pulumi config set` added). */
  public get stackFile(): string {
    return path.join(this.dir, `Pulumi.${this.stack}.yaml`);
  }

  public stackText(): string {
    return fs.readFileSync(this.stackFile, "utf8");
  }

  /** Runs a pulumi command in the work folder; stdout and stderr together. */
  public pulumi(args: readonly string[], timeoutSeconds = 600): RunResult {
    const start = process.hrtime.bigint();
    const r = spawnSync("pulumi", [...args], {
      cwd: this.dir,
      env: this.env,
      encoding: "utf8",
      timeout: timeoutSeconds * 1000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
    if (r.error) {
      return { code: -1, output: `${output}\n${String(r.error)}`, seconds };
    }
    return { code: r.status ?? -1, output, seconds };
  }

  /**
   * `pulumi preview` through the policy pack, with the pack config `packConfig`: a stack name
   * (policies/config/<name>.json) or a path relative to the repository.
   */
  public preview(packConfig: string, extra: readonly string[] = []): RunResult {
    const config = packConfig.endsWith(".json")
      ? path.join(repo, packConfig)
      : `policies/config/${packConfig}.json`;
    return this.pulumi([
      "preview",
      "--non-interactive",
      "--policy-pack",
      "policies",
      "--policy-pack-config",
      config,
      ...extra,
    ]);
  }
}

/**
 * Removes Docker volumes left behind on purpose (retainOnDelete) by a test stack: their names all
 * start with `<prefix>-`. Returns the names removed.
 */
export function removeRetainedVolumes(prefix: string): string[] {
  const ls = spawnSync("docker", ["volume", "ls", "--format", "{{.Name}}"], { encoding: "utf8" });
  const names = (ls.stdout ?? "").split("\n").filter((n) => n.startsWith(`${prefix}-`));
  if (names.length > 0) {
    spawnSync("docker", ["volume", "rm", "-f", ...names], { encoding: "utf8" });
  }
  return names;
}

/** The YAML of one of the repository's stack files. */
export function stackFile(stack: string): string {
  return fs.readFileSync(path.join(repo, `Pulumi.${stack}.yaml`), "utf8");
}

/** The number of resources a preview says it will create ("+ N to create"). */
export function toCreate(output: string): number {
  const m = /\+ (\d+) to create/.exec(output);
  return m ? Number(m[1]) : 0;
}

/** Writes a figure for the closing note / benchmarks: `figure: <name> <value>`. */
export function figure(name: string, value: string | number): void {
  process.stdout.write(`figure: ${name} ${value}\n`);
}
