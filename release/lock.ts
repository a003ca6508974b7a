/**
 * One release at a time per stack: a lock file in the stack's release folder, created exclusively
 * (O_EXCL), holding the pid, host and start time of the release that holds it. A second release
 * is refused with who holds it; a lock whose process is gone (same host, no such pid) is broken.
 * A lock from another host is never broken: golive cannot tell whether its process lives.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  readonly release: string;
}

export class LockHeld extends Error {
  constructor(
    public readonly file: string,
    public readonly holder: LockHolder,
  ) {
    super(
      `golive release: ${holder.release} holds the stack's release lock (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}); wait for it, or remove ${file} once that process is gone${holder.host === os.hostname() ? "" : " (it runs on another host, which golive cannot check)"}`,
    );
  }
}

/** Whether a process of this host lives (EPERM: it does, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface Lock {
  readonly file: string;
  /** A stale lock broken to take this one: its holder. */
  readonly broke?: LockHolder;
  release(): void;
}

/** Takes the lock in `folder` for `release`, or throws LockHeld. */
export function acquireLock(
  folder: string,
  release: string,
  alive: (pid: number) => boolean = processAlive,
  now: Date = new Date(),
): Lock {
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, "lock");
  const me: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    startedAt: now.toISOString(),
    release,
  };
  let broke: LockHolder | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, "wx");
      fs.writeSync(fd, `${JSON.stringify(me)}\n`);
      fs.closeSync(fd);
      return {
        file,
        ...(broke ? { broke } : {}),
        release: () => {
          // Only our own lock: never one a later release took after ours was broken.
          const held = readHolder(file);
          if (held && held.pid === me.pid && held.startedAt === me.startedAt) fs.rmSync(file);
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const holder = readHolder(file);
    if (holder === undefined) {
      // Written by nobody we can read (a crash between create and write): older than a minute, stale.
      const age = Date.now() - fs.statSync(file).mtimeMs;
      if (age < 60_000)
        throw new Error(`golive release: ${file} is being written; try again in a minute`);
    } else if (holder.host !== os.hostname() || alive(holder.pid)) {
      throw new LockHeld(file, holder);
    } else broke = holder;
    fs.rmSync(file, { force: true });
  }
  throw new Error(`golive release: could not take the lock ${file}`);
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const h = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<LockHolder>;
    return typeof h.pid === "number" && typeof h.host === "string" ? (h as LockHolder) : undefined;
  } catch {
    return undefined;
  }
}
