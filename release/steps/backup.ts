/**
 * backup: the pre-release dump. pg_dump (custom format) of the application database, run in the
 * PostgreSQL primary's container and kept beside the release log (`<id>.dump`), then confirmed
 * readable: pg_restore lists its table of contents. A dump that cannot be read is a failed step.
 * Docker so far (the container is `<prefix>-postgres`); another runtime fails the step, saying so.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { LiveEnvironment } from "../../policies/lib/contract";
import type { StepRun } from "./step";

/** Runs a command with stdin from / stdout to files; resolves its exit code and stderr. */
export function runFiles(
  cmd: string,
  args: readonly string[],
  io: { stdin?: string; stdout?: string },
  timeoutSeconds: number,
): Promise<{ code: number; stderr: string; stdout: string }> {
  // Files as the child's own descriptors: the dump is complete on disk when the child exits.
  const stdin = io.stdin ? fs.openSync(io.stdin, "r") : "ignore";
  const stdout = io.stdout ? fs.openSync(io.stdout, "w") : "pipe";
  return new Promise((resolve) => {
    const child = spawn(cmd, [...args], { stdio: [stdin, stdout, "pipe"] });
    let stderr = "";
    let out = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutSeconds * 1000);
    child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
    let finished = false;
    const done = (code: number, why: string) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (typeof stdin === "number") fs.closeSync(stdin);
      if (typeof stdout === "number") fs.closeSync(stdout);
      resolve({ code, stderr: why, stdout: out });
    };
    child.on("error", (e) => done(-1, e.message));
    child.on("close", (code, signal) =>
      done(code ?? -1, signal ? `killed (${signal}) after ${timeoutSeconds} s` : stderr),
    );
  });
}

/** The PostgreSQL primary's container, or why there is none to dump. */
export function postgresContainer(env: LiveEnvironment): { container: string } | { why: string } {
  if (!env.postgres) return { why: "the stack has no PostgreSQL" };
  if (env.runtime !== "docker")
    return { why: `the pre-release dump is taken on Docker only so far; runtime ${env.runtime}` };
  return { container: `${env.prefix}-postgres` };
}

export const dumpFile = (folder: string, id: string) => path.join(folder, `${id}.dump`);

export const backup: StepRun = async (ctx, log) => {
  const { env } = await ctx.live();
  const pg = postgresContainer(env);
  if ("why" in pg) return { ok: false, message: `no pre-release dump: ${pg.why}` };
  const { user, database } = env.postgres!;
  const file = dumpFile(ctx.folder, log.id);
  fs.mkdirSync(ctx.folder, { recursive: true });
  const dump = await runFiles(
    "docker",
    ["exec", pg.container, "pg_dump", "-U", user, "-d", database, "-Fc"],
    { stdout: file },
    600,
  );
  if (dump.code !== 0)
    return { ok: false, message: `pg_dump failed: ${dump.stderr.trim().split("\n")[0]}` };
  const list = await runFiles(
    "docker",
    ["exec", "-i", pg.container, "pg_restore", "--list"],
    { stdin: file },
    120,
  );
  const entries = list.stdout.split("\n").filter((l) => /^\d+;/.test(l)).length;
  if (list.code !== 0 || entries === 0)
    return {
      ok: false,
      message: `the dump is not readable: pg_restore --list ${list.code !== 0 ? `failed: ${list.stderr.trim().split("\n")[0]}` : "lists no entry"}`,
    };
  const bytes = fs.statSync(file).size;
  log.files.dump = path.basename(file);
  return {
    ok: true,
    message: `pg_dump of ${database}: ${bytes} bytes, ${entries} entries listed by pg_restore`,
    data: { file: path.basename(file), bytes, entries },
  };
};

/** Restores the pre-release dump into the database (pg_restore --clean, one transaction). */
export async function restoreDump(
  env: LiveEnvironment,
  file: string,
): Promise<{ ok: boolean; message: string }> {
  const pg = postgresContainer(env);
  if ("why" in pg) return { ok: false, message: `cannot restore: ${pg.why}` };
  if (!fs.existsSync(file))
    return { ok: false, message: `cannot restore: no dump ${path.basename(file)}` };
  const { user, database } = env.postgres!;
  const r = await runFiles(
    "docker",
    [
      "exec",
      "-i",
      pg.container,
      "pg_restore",
      "-U",
      user,
      "-d",
      database,
      "--clean",
      "--if-exists",
      "--single-transaction",
      "--no-owner",
    ],
    { stdin: file },
    900,
  );
  return r.code === 0
    ? { ok: true, message: `restored ${path.basename(file)} into ${database}` }
    : { ok: false, message: `pg_restore failed: ${r.stderr.trim().split("\n")[0]}` };
}
