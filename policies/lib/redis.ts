/**
 * Redis' effective settings as a workload states them: its config file (where the gate can read
 * it), overridden by command-line options, as redis-server applies them.
 */
import { unknownAtPreview, subject } from "./gate";
import { runs } from "./identify";
import { isKnown, workloadsOf, type WorkloadView } from "./workloads";

export interface RedisSettings {
  get(name: string): string | undefined;
  /** Why the settings cannot be judged (unknown at preview, or in a file the pack cannot read). */
  readonly problem?: string;
}

export function redisSettings(w: WorkloadView): RedisSettings {
  const none = (problem: string): RedisSettings => ({ get: () => undefined, problem });
  if (!isKnown(w.argv)) return none(unknownAtPreview(subject(w), "the command line"));
  // `sh -c "redis-server …"`: the script's words.
  let argv = [...w.argv];
  if (argv.length >= 3 && /(^|\/)(sh|bash)$/.test(argv[0]) && argv[1] === "-c")
    argv = argv[2].split(/\s+/);
  const start = argv.findIndex((a) => /(^|\/)(redis-server|valkey-server)$/.test(a));
  const args =
    start >= 0 ? argv.slice(start + 1) : argv.filter((a, i) => i > 0 || a.startsWith("-"));
  const settings = new Map<string, string>();
  const unread: string[] = [];
  let i = 0;
  // Leading non-option arguments are config files.
  while (i < args.length && !args[i].startsWith("--")) {
    const path = args[i];
    const file = w.files.find((f) => f.path === path);
    if (file) {
      for (const line of file.content.split("\n")) {
        const m = /^\s*([a-z-]+)\s+(.*?)\s*$/i.exec(line);
        if (m && !line.trim().startsWith("#")) {
          const key = m[1].toLowerCase();
          settings.set(
            key,
            key === "save" && settings.has("save") ? `${settings.get("save")} ${m[2]}` : m[2],
          );
        }
      }
    } else {
      unread.push(path);
    }
    i++;
  }
  const flags = new Map<string, string>();
  for (; i < args.length; i++) {
    if (!args[i].startsWith("--")) continue;
    const key = args[i].slice(2).toLowerCase();
    const values: string[] = [];
    while (i + 1 < args.length && !args[i + 1].startsWith("--")) values.push(args[++i]);
    const value = values.join(" ").replace(/^"|"$/g, "");
    flags.set(key, key === "save" && flags.has("save") ? `${flags.get("save")} ${value}` : value);
  }
  for (const [k, v] of flags) settings.set(k, v);
  return {
    get: (name) => {
      const v = settings.get(name);
      return v === undefined ? undefined : v.replace(/^"|"$/g, "");
    },
    problem:
      unread.length > 0 &&
      !["appendonly", "save", "maxmemory", "maxmemory-policy"].every((k) => flags.has(k))
        ? `${subject(w)}: Redis reads settings from ${unread.join(", ")}, which the pack cannot read at preview; pass appendonly, save, maxmemory and maxmemory-policy as options, or deliver the file with the workload.`
        : undefined,
  };
}

/**
 * The Redis servers a resource runs, with their settings; one whose settings cannot be judged is
 * reported (`problem`) and left out.
 */
export function redisServers(
  type: string,
  props: Record<string, any>,
  report: (message: string) => void,
): { w: WorkloadView; s: RedisSettings }[] {
  const out: { w: WorkloadView; s: RedisSettings }[] = [];
  for (const w of workloadsOf(type, props)) {
    if (!runs(w, "redis")) continue;
    const s = redisSettings(w);
    if (s.problem) report(s.problem);
    else out.push({ w, s });
  }
  return out;
}
