/**
 * A release interrupted by its operator or its CI job (SIGINT, SIGTERM): the first signal lets the
 * running step end (a watch window ends at once; an engine run ends as the engine ends it: on a
 * terminal the engine gets the same SIGINT and cancels its update), then the runner rolls the
 * release back, as Argo Rollouts' abort does. A second signal exits at once, leaving the log
 * where it stood: the next `golive release` rolls it back first, or `--resume` continues it.
 */

export interface Interruption {
  /** The signal that interrupted the release, once one did. */
  readonly reason: () => string | undefined;
  /** Sleeps `ms`, or less once the release is interrupted. */
  readonly pause: (ms: number) => Promise<void>;
  raise(reason: string): void;
}

export function interruption(): Interruption {
  let reason: string | undefined;
  const wake = new Set<() => void>();
  return {
    reason: () => reason,
    pause: (ms) =>
      reason !== undefined
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const done = () => {
              clearTimeout(timer);
              wake.delete(done);
              resolve();
            };
            const timer = setTimeout(done, ms);
            wake.add(done);
          }),
    raise: (r) => {
      reason ??= r;
      for (const w of [...wake]) w();
    },
  };
}

/** The process-wide one `golive release` raises on its signals. */
export const releaseInterruption = interruption();

/**
 * Raises the release's interruption on SIGINT and SIGTERM; a second one exits with 130 (143)
 * at once. Returns what removes the handlers.
 */
export function onSignals(
  progress: (line: string) => void,
  interrupt: Interruption = releaseInterruption,
): () => void {
  const handler = (signal: NodeJS.Signals) => {
    if (interrupt.reason() !== undefined) {
      progress(
        `${signal} again: stopping now; the log stays where it stood (--resume continues it, the next release rolls it back)`,
      );
      process.exit(signal === "SIGINT" ? 130 : 143);
    }
    progress(
      `${signal}: the running step ends, then the release rolls back (${signal} again stops at once)`,
    );
    interrupt.raise(signal);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}
