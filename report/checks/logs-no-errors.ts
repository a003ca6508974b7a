/**
 * logs-no-errors: the app containers' and PostgreSQL's logs since they started have no line
 * matching verify.logErrorPattern (ERROR, CRITICAL, FATAL, PANIC by default).
 */
import { dockerOnly, fail, pass, skipped, type LiveCheck } from "./check";
import { containersOf, logsSinceStart } from "./inside";

/** The lines of a log that match the error pattern. */
export function errorLines(lines: readonly string[], pattern: string): string[] {
  const re = new RegExp(pattern);
  return lines.filter((l) => re.test(l));
}

export const logsNoErrors: LiveCheck = {
  id: "logs-no-errors",
  items: [
    "ablage.logs-pruefen",
    "psa-platform.keine-fehler-in-logs",
    "psa-platform.keine-datenbank-errors",
  ],
  timeoutSeconds: 60,
  run: async (ctx) => {
    const workloads = [
      ...ctx.env.apps.map((a) => a.name),
      ...(ctx.env.postgres ? ["postgres"] : []),
    ];
    if (workloads.length === 0) return skipped("the spec has no app service and no PostgreSQL");
    const other = dockerOnly(ctx, "the services' logs");
    if (other) return other;
    const pattern = ctx.env.verify.logErrorPattern;
    const seen: string[] = [];
    const bad: string[] = [];
    for (const w of workloads) {
      const names = await containersOf(ctx, w);
      if (names.length === 0) bad.push(`${w}: no container`);
      for (const name of names) {
        const lines = await logsSinceStart(name);
        const errors = errorLines(lines, pattern);
        seen.push(`${name} ${lines.length} lines`);
        if (errors.length > 0)
          bad.push(
            `${name}: ${errors.length} of ${lines.length} lines match /${pattern}/, first: ${errors[0].slice(0, 200)}`,
          );
      }
    }
    return bad.length > 0
      ? fail(`${bad.join("; ")} (expected none since start, verify.logErrorPattern)`)
      : pass(`no line matches /${pattern}/ since start: ${seen.join(", ")}`);
  },
};
