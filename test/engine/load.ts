/**
 * Bounded loopback load for the release tests: clients send HTTPS requests to a gateway while a
 * `pulumi up` switches, rolls back or updates a release, and every answer is counted by outcome,
 * colour and version (the test app answers `{"color": …, "version": …}`). Bounded in time and in
 * count; traffic goes only to the address the test names (127.0.0.1 or a bridge it made).
 */
import { spawn } from "node:child_process";
import * as https from "node:https";
import type { Project } from "./harness";

/** Where the clients send their requests. */
export interface Target {
  readonly host: string;
  readonly port: number;
  /** The TLS server name and Host header. */
  readonly hostname: string;
}

export interface Answer {
  readonly status: number;
  readonly body: string;
}

/**
 * One request (a GET unless `method` names another); a connection error or timeout is an answer
 * with status 0 and the error's code.
 */
export function request(
  target: Target,
  urlPath = "/",
  agent?: https.Agent,
  timeoutMs = 5000,
  method = "GET",
): Promise<Answer> {
  return new Promise((resolve) => {
    const req = https.request(
      {
        host: target.host,
        port: target.port,
        servername: target.hostname,
        path: urlPath,
        method,
        agent: agent ?? new https.Agent({ rejectUnauthorized: false, keepAlive: false }),
        rejectUnauthorized: false,
        timeout: timeoutMs,
        headers: { Host: target.hostname },
      },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", (e: NodeJS.ErrnoException) =>
          resolve({ status: 0, body: `response ${e.code ?? e.message}` }),
        );
      },
    );
    req.on("error", (e: NodeJS.ErrnoException) =>
      resolve({ status: 0, body: e.code ?? e.message }),
    );
    req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
    req.end();
  });
}

/** The colour and version an answer of the test app names; undefined for anything else. */
export function release(a: Answer): { color: string; version: string } | undefined {
  if (a.status !== 200) return undefined;
  try {
    const j = JSON.parse(a.body) as { color?: string; version?: string };
    return j.color ? { color: j.color, version: j.version ?? "" } : undefined;
  } catch {
    return undefined;
  }
}

/** Answers counted: the app's by colour and by colour and version, the rest by what they were. */
export interface Load {
  ok: number;
  failed: number;
  failures: Map<string, number>;
  colours: Map<string, number>;
  versions: Map<string, number>;
}

export const newLoad = (): Load => ({
  ok: 0,
  failed: 0,
  failures: new Map(),
  colours: new Map(),
  versions: new Map(),
});

const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

export function count(l: Load, a: Answer): void {
  const r = release(a);
  if (r) {
    l.ok++;
    bump(l.colours, r.color);
    bump(l.versions, `${r.color} ${r.version}`);
  } else {
    l.failed++;
    bump(l.failures, `${a.status} ${a.body.slice(0, 80).replace(/\s+/g, " ")}`);
  }
}

/** `n` requests from `clients` concurrent clients, counted. */
export async function sample(target: Target, n: number, clients = 4): Promise<Load> {
  const l = newLoad();
  let sent = 0;
  const client = async () => {
    while (sent < n) {
      sent++;
      count(l, await request(target));
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return l;
}

export interface LoadBounds {
  /** The longest the load (and the up) may run; the up is interrupted at this bound. */
  readonly seconds: number;
  /** The most requests sent in all. */
  readonly requests: number;
  /** Each client's pause between requests. */
  readonly pauseMs: number;
  /** Concurrent clients (a new connection per request). Defaults to 4. */
  readonly clients?: number;
}

export interface UpUnderLoad extends Load {
  /** The exit code of `pulumi up`. */
  readonly code: number;
  readonly output: string;
  /** From the start of the up to the end of the load. */
  readonly seconds: number;
  /** How long the up took. */
  readonly upSeconds: number;
}

/**
 * `pulumi up` while clients send requests to `target`, every answer counted; the load goes on
 * after the up until `settled` resolves (what is still draining), within the bounds.
 */
export async function upUnderLoad(
  p: Project,
  target: Target,
  bounds: LoadBounds,
  settled: () => Promise<void> = async () => {},
): Promise<UpUnderLoad> {
  const start = Date.now();
  const l = newLoad();
  let done = false;
  const child = spawn("pulumi", ["up", "--yes", "--non-interactive", "--skip-preview"], {
    cwd: p.dir,
    env: p.env,
  });
  const kill = setTimeout(() => child.kill("SIGINT"), bounds.seconds * 1000);
  let output = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? -1)));
  const within = () =>
    !done && Date.now() - start < bounds.seconds * 1000 && l.ok + l.failed < bounds.requests;
  const client = async () => {
    while (within()) {
      count(l, await request(target));
      await new Promise((r) => setTimeout(r, bounds.pauseMs));
    }
  };
  const clients = Array.from({ length: bounds.clients ?? 4 }, client);
  const code = await exited;
  clearTimeout(kill);
  const upSeconds = (Date.now() - start) / 1000;
  await settled();
  done = true;
  await Promise.all(clients);
  return { ...l, code, output, seconds: (Date.now() - start) / 1000, upSeconds };
}

/** Prints what failed and what answered, for the log of a failed assertion. */
export function report(l: Load, write: (line: string) => void = (s) => process.stdout.write(s)) {
  for (const [k, n] of l.failures) write(`failure: ${n} x ${k}\n`);
  for (const [k, n] of l.versions) write(`answered: ${n} x ${k}\n`);
}
