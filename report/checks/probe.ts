/**
 * How checks reach a deployed environment: a command (the docker CLI) with a deadline, HTTP(S) and
 * TLS from this machine to 127.0.0.1, Redis' protocol, and SQL through psql on a published host
 * port or `docker exec` into the workload's container. Every probe is bounded in time and throws an
 * error saying what it tried.
 */
import { execFile } from "node:child_process";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as tls from "node:tls";

/** Runs a command; resolves its stdout, rejects with its stderr (or the timeout). */
export function run(
  cmd: string,
  args: readonly string[],
  opts: { timeoutSeconds?: number; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      [...args],
      {
        timeout: (opts.timeoutSeconds ?? 10) * 1000,
        env: opts.env ?? process.env,
        maxBuffer: 16 * 1024 * 1024,
        encoding: "utf8",
      },
      (err, stdout, stderr) => {
        if (err) {
          const why = err.killed
            ? `no answer within ${opts.timeoutSeconds ?? 10} s`
            : stderr.trim();
          reject(new Error(`${cmd} ${args[0] ?? ""} ${args[1] ?? ""}: ${why || err.message}`));
        } else resolve(stdout);
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

export const docker = (args: readonly string[], timeoutSeconds = 10): Promise<string> =>
  run("docker", args, { timeoutSeconds });

export interface HttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One HTTP(S) request to 127.0.0.1:<port> with a Host (and SNI) of `host`. */
export function request(
  scheme: "http" | "https",
  port: number,
  path: string,
  opts: {
    host?: string;
    method?: string;
    headers?: Record<string, string>;
    auth?: string;
    /** The request body (its Content-Length is the caller's to set). */
    body?: string;
    timeoutSeconds?: number;
  } = {},
): Promise<HttpAnswer> {
  const send = scheme === "https" ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(
      {
        host: "127.0.0.1",
        port,
        path,
        method: opts.method ?? "GET",
        servername: opts.host,
        rejectUnauthorized: false,
        headers: {
          ...(opts.host ? { Host: opts.host } : {}),
          ...(opts.auth
            ? { Authorization: `Basic ${Buffer.from(opts.auth).toString("base64")}` }
            : {}),
          ...opts.headers,
        },
        timeout: (opts.timeoutSeconds ?? 5) * 1000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", (e) => reject(new Error(`${scheme}://127.0.0.1:${port}${path}: ${e.message}`)));
    req.on("timeout", () =>
      req.destroy(new Error(`no answer within ${opts.timeoutSeconds ?? 5} s`)),
    );
    req.end(opts.body);
  });
}

/** GET returning parsed JSON (rejects unless 2xx). */
export async function getJson<T = unknown>(
  port: number,
  path: string,
  opts: { auth?: string; timeoutSeconds?: number } = {},
): Promise<T> {
  const r = await request("http", port, path, opts);
  if (r.status < 200 || r.status > 299)
    throw new Error(`http://127.0.0.1:${port}${path} answered ${r.status}`);
  return JSON.parse(r.body) as T;
}

/** The peer certificate a TLS server on 127.0.0.1:<port> presents for `servername`. */
export function peerCertificate(
  port: number,
  servername: string,
  timeoutSeconds = 5,
): Promise<tls.PeerCertificate> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: "127.0.0.1", port, servername, rejectUnauthorized: false });
    s.setTimeout(timeoutSeconds * 1000, () =>
      s.destroy(new Error(`TLS 127.0.0.1:${port}: no handshake within ${timeoutSeconds} s`)),
    );
    s.on("secureConnect", () => {
      const cert = s.getPeerCertificate();
      s.end();
      resolve(cert);
    });
    s.on("error", (e: Error) => reject(new Error(`TLS 127.0.0.1:${port}: ${e.message}`)));
  });
}

/** Sends Redis commands (AUTH first) to 127.0.0.1:<port>; resolves the raw RESP replies. */
export function redis(
  port: number,
  password: string,
  commands: readonly (readonly string[])[],
  timeoutSeconds = 5,
): Promise<string> {
  const encode = (parts: readonly string[]) =>
    `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join("")}`;
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1");
    let data = "";
    s.setTimeout(timeoutSeconds * 1000, () =>
      s.destroy(new Error(`redis 127.0.0.1:${port}: no answer within ${timeoutSeconds} s`)),
    );
    s.on("data", (c: Buffer) => (data += c.toString()));
    s.on("end", () => resolve(data));
    s.on("close", () => resolve(data));
    s.on("error", (e) => reject(new Error(`redis 127.0.0.1:${port}: ${e.message}`)));
    s.write(encode(["AUTH", password]) + commands.map(encode).join("") + encode(["QUIT"]));
  });
}

/** Parses the RESP array reply of `CONFIG GET <name>` out of a reply stream. */
export function redisConfigValue(replies: string, name: string): string | undefined {
  const m = new RegExp(
    `\\$${Buffer.byteLength(name)}\\r\\n${name}\\r\\n\\$\\d+\\r\\n([^\\r]*)\\r\\n`,
  ).exec(replies);
  return m?.[1];
}

/** psql's arguments for one query, unaligned and quiet (`-XAtq`); `host` names a TCP target. */
export function psqlArgs(
  login: { user: string; database: string },
  query: string,
  host?: { host: string; port: number },
): string[] {
  return [
    ...(host ? ["-h", host.host, "-p", String(host.port)] : []),
    "-U",
    login.user,
    "-d",
    login.database,
    "-XAtq",
    "-c",
    query,
  ];
}

/** psql's unaligned output as rows of `|`-separated fields. */
export function psqlRows(out: string): string[][] {
  return out
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split("|"));
}

/** A query's rows through psql on this machine to 127.0.0.1:<port>. */
export async function psql(
  port: number,
  login: { user: string; password?: string; database: string },
  query: string,
  timeoutSeconds = 10,
): Promise<string[][]> {
  const out = await run("psql", psqlArgs(login, query, { host: "127.0.0.1", port }), {
    timeoutSeconds,
    env: { ...process.env, PGPASSWORD: login.password ?? "", PGCONNECT_TIMEOUT: "5" },
  });
  return psqlRows(out);
}

/**
 * A SQL query's rows (unaligned, `|`-separated), through psql to 127.0.0.1:<port> when the
 * workload publishes one, else with `docker exec` into its container (the local socket).
 */
export async function sql(
  target: { port?: number; container: string },
  login: { user: string; password?: string; database: string },
  query: string,
  timeoutSeconds = 10,
): Promise<string[][]> {
  if (target.port !== undefined) return psql(target.port, login, query, timeoutSeconds);
  const out = await docker(
    ["exec", target.container, "psql", ...psqlArgs(login, query)],
    timeoutSeconds,
  );
  return psqlRows(out);
}
