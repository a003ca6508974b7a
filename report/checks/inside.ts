/**
 * Looking inside a workload, the runtime-specific part of the checks that do: its containers, a
 * command run in one (exit code and output, not thrown), its environment, its logs since it
 * started, and the image it runs. Docker only so far (the callers ask `dockerOnly` first); the
 * Kubernetes and LXC probes add their own versions of these few functions.
 */
import { execFile } from "node:child_process";
import type { CheckContext } from "./check";
import { container } from "./check";
import { docker } from "./probe";

export interface Exec {
  /** The command's exit code; 127 when it is not found, -1 when it was stopped by the deadline. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program, resolving its exit code and output whatever the code (rejects only on spawn errors). */
export function exec(
  cmd: string,
  args: readonly string[],
  opts: { timeoutSeconds: number; env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<Exec> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      [...args],
      {
        timeout: opts.timeoutSeconds * 1000,
        env: opts.env ?? process.env,
        cwd: opts.cwd,
        maxBuffer: 16 * 1024 * 1024,
        encoding: "utf8",
      },
      (err, stdout, stderr) => {
        if (!err) return resolve({ code: 0, stdout, stderr });
        const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
        if (e.killed) return resolve({ code: -1, stdout, stderr });
        if (typeof e.code === "number") return resolve({ code: e.code, stdout, stderr });
        if (e.code === "ENOENT") return resolve({ code: 127, stdout, stderr: `${cmd}: not found` });
        reject(new Error(`${cmd}: ${err.message}`));
      },
    );
  });
}

/** The containers of a workload: its own name, or one per replica (`-1`, `-2`, …). */
export async function containersOf(ctx: CheckContext, workload: string): Promise<string[]> {
  const base = container(ctx, workload);
  const names = (await docker(["ps", "-a", "--format", "{{.Names}}"])).split("\n");
  return names.filter((n) => n === base || new RegExp(`^${base}-\\d+$`).test(n)).sort();
}

/** Runs a command in a running container (no shell unless the command is one). */
export function execIn(name: string, argv: readonly string[], timeoutSeconds = 15): Promise<Exec> {
  return exec("docker", ["exec", name, ...argv], { timeoutSeconds });
}

/** A container's environment variables, as its process sees them at start. */
export async function containerEnv(name: string): Promise<Record<string, string>> {
  const list = JSON.parse(
    await docker(["inspect", "--format", "{{json .Config.Env}}", name]),
  ) as string[];
  return Object.fromEntries(
    list.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
  );
}

/** A container's log lines (stdout and stderr) since its current start. */
export async function logsSinceStart(name: string, timeoutSeconds = 15): Promise<string[]> {
  const started = (await docker(["inspect", "--format", "{{.State.StartedAt}}", name])).trim();
  const r = await exec("docker", ["logs", "--since", started, name], { timeoutSeconds });
  if (r.code !== 0) throw new Error(`docker logs ${name}: ${r.stderr.trim()}`);
  return `${r.stdout}\n${r.stderr}`.split("\n").filter((l) => l.trim() !== "");
}

/** The image reference a container was created from, the image ID it runs, and that tag's ID now. */
export async function containerImage(
  name: string,
): Promise<{ ref: string; running: string; tagged?: string }> {
  const [ref, running] = (
    await docker(["inspect", "--format", "{{.Config.Image}} {{.Image}}", name])
  )
    .trim()
    .split(" ");
  const r = await exec("docker", ["image", "inspect", "--format", "{{.Id}}", ref], {
    timeoutSeconds: 10,
  });
  return { ref, running, ...(r.code === 0 ? { tagged: r.stdout.trim() } : {}) };
}

/**
 * `GET url` from inside a container, with the first HTTP client it has (curl, wget, python3):
 * the status code, or `undefined` when it has none of them.
 */
export async function httpFromInside(
  name: string,
  url: string,
  timeoutSeconds = 5,
): Promise<number | undefined> {
  const t = String(timeoutSeconds);
  const script = [
    `if command -v curl >/dev/null 2>&1; then curl -s -o /dev/null -m ${t} -w '%{http_code}' "$0"; exit 0; fi`,
    `if command -v python3 >/dev/null 2>&1; then exec python3 -c 'import sys,urllib.request as u,urllib.error as e
try: print(u.urlopen(sys.argv[1], timeout=${t}).status)
except e.HTTPError as x: print(x.code)
except Exception: print(0)' "$0"; fi`,
    `if command -v wget >/dev/null 2>&1; then wget -q -T ${t} -O /dev/null "$0" && echo 200 || echo 0; exit 0; fi`,
    "exit 127",
  ].join("\n");
  const r = await execIn(name, ["sh", "-c", script, url], timeoutSeconds + 5);
  if (r.code === 127) return undefined;
  if (r.code !== 0) throw new Error(`docker exec ${name}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return Number(r.stdout.trim()) || 0;
}

/**
 * A TCP connection from inside a container to host:port, with the first tool it has
 * (pg_isready for PostgreSQL, bash's /dev/tcp, python3, nc): true/false, or `undefined` when it
 * has none of them.
 */
export async function tcpFromInside(
  name: string,
  host: string,
  port: number,
  timeoutSeconds = 5,
): Promise<{ ok: boolean; via: string } | undefined> {
  const t = String(timeoutSeconds);
  const script = [
    `if command -v pg_isready >/dev/null 2>&1; then echo pg_isready; pg_isready -q -h "$0" -p "$1" -t ${t}; exit $?; fi`,
    `if command -v bash >/dev/null 2>&1; then echo bash; timeout ${t} bash -c 'exec 3<>/dev/tcp/$0/$1' "$0" "$1"; exit $?; fi`,
    `if command -v python3 >/dev/null 2>&1; then echo python3; exec python3 -c 'import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), ${t})' "$0" "$1"; fi`,
    `if command -v nc >/dev/null 2>&1; then echo nc; nc -z -w ${t} "$0" "$1"; exit $?; fi`,
    "exit 127",
  ].join("\n");
  const r = await execIn(name, ["sh", "-c", script, host, String(port)], timeoutSeconds + 5);
  if (r.code === 127 && r.stdout.trim() === "") return undefined;
  return { ok: r.code === 0, via: r.stdout.trim().split("\n")[0] };
}
