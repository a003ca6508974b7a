/**
 * backup: the pre-release dump. pg_dump (custom format) of the application database, run in the
 * PostgreSQL primary's container and kept beside the release log (`<id>.dump`), then confirmed
 * readable: pg_restore lists its table of contents. A dump that cannot be read is a failed step.
 * On every runtime: the client runs in the primary's container through the runtime's access
 * (`docker exec`, `kubectl exec`, `pct exec` over SSH to the node), its output streamed here.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { LiveEnvironment } from "../../policies/lib/contract";
import type { Live } from "../context";
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

/**
 * A PostgreSQL client command as the database's owner can run it inside the primary's container:
 * over the local socket, as the `postgres` system user when the command starts as root (a Proxmox
 * container's `pct exec`, whose socket authenticates by peer), else as it is (the images' own user).
 */
export function asDatabaseUser(command: readonly string[]): string[] {
  return [
    "sh",
    "-c",
    'if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then exec runuser -u postgres -- "$@"; else exec "$@"; fi',
    "sh",
    ...command,
  ];
}

/** Why the stack has nothing to dump, else undefined. */
export function noDatabase(env: LiveEnvironment): string | undefined {
  return env.postgres ? undefined : "the stack has no PostgreSQL";
}

/** The first line of what a client said. */
const first = (text: string) => text.trim().split("\n")[0];

export const dumpFile = (folder: string, id: string) => path.join(folder, `${id}.dump`);

export const backup: StepRun = async (ctx, log) => {
  const { env, access } = await ctx.live();
  const why = noDatabase(env);
  if (why) return { ok: false, message: `no pre-release dump: ${why}` };
  const { user, database } = env.postgres!;
  const file = dumpFile(ctx.folder, log.id);
  fs.mkdirSync(ctx.folder, { recursive: true });
  const dumpCmd = await access.command(
    "postgres",
    asDatabaseUser(["pg_dump", "-U", user, "-d", database, "-Fc"]),
  );
  const dump = await runFiles(dumpCmd.file, dumpCmd.args, { stdout: file }, 600);
  if (dump.code !== 0) return { ok: false, message: `pg_dump failed: ${first(dump.stderr)}` };
  const listCmd = await access.command("postgres", asDatabaseUser(["pg_restore", "--list"]), {
    stdin: true,
  });
  const list = await runFiles(listCmd.file, listCmd.args, { stdin: file }, 120);
  const entries = list.stdout.split("\n").filter((l) => /^\d+;/.test(l)).length;
  if (list.code !== 0 || entries === 0)
    return {
      ok: false,
      message: `the dump is not readable: pg_restore --list ${list.code !== 0 ? `failed: ${first(list.stderr)}` : "lists no entry"}`,
    };
  const bytes = fs.statSync(file).size;
  log.files.dump = path.basename(file);
  return {
    ok: true,
    message: `pg_dump of ${database} in ${access.where("postgres")}: ${bytes} bytes, ${entries} entries listed by pg_restore`,
    data: { file: path.basename(file), bytes, entries },
  };
};

/**
 * Restores the pre-release dump into the database: pg_restore --clean in one transaction, every
 * object owned by the application's user again (`--no-owner --role`, whoever runs it).
 */
export async function restoreDump(
  live: Live,
  file: string,
): Promise<{ ok: boolean; message: string }> {
  const { env, access } = live;
  const why = noDatabase(env);
  if (why) return { ok: false, message: `cannot restore: ${why}` };
  if (!fs.existsSync(file))
    return { ok: false, message: `cannot restore: no dump ${path.basename(file)}` };
  const { user, database } = env.postgres!;
  const cmd = await access.command(
    "postgres",
    asDatabaseUser([
      "pg_restore",
      "-U",
      user,
      "-d",
      database,
      "--clean",
      "--if-exists",
      "--single-transaction",
      "--no-owner",
      `--role=${user}`,
    ]),
    { stdin: true },
  );
  const r = await runFiles(cmd.file, cmd.args, { stdin: file }, 900);
  return r.code === 0
    ? {
        ok: true,
        message: `restored ${path.basename(file)} into ${database} in ${access.where("postgres")}`,
      }
    : { ok: false, message: `pg_restore failed: ${first(r.stderr)}` };
}
