/** app-dependencies: verify.dependencies.command exits 0 in every app container (e.g. `npm ls --omit=dev`). */
import { dockerOnly, fail, pass, skipped, unknown, type LiveCheck } from "./check";
import { containersOf, execIn } from "./inside";
import { tail } from "./app-smoke";

export const appDependencies: LiveCheck = {
  id: "app-dependencies",
  items: ["psa-platform.npm-dependencies-installiert"],
  timeoutSeconds: 120,
  run: async (ctx) => {
    const deps = ctx.env.verify.dependencies;
    if (!deps) return unknown("verify.dependencies not declared");
    if (ctx.env.apps.length === 0) return skipped("the spec has no app service");
    const other = dockerOnly(ctx, "the app's dependencies");
    if (other) return other;
    const what = deps.command.join(" ");
    const seen: string[] = [];
    const bad: string[] = [];
    for (const app of ctx.env.apps) {
      for (const name of await containersOf(ctx, app.name)) {
        const r = await execIn(name, deps.command, 60);
        const out = tail(`${r.stdout}\n${r.stderr}`, 3);
        if (r.code === 0) seen.push(name);
        else bad.push(`${name}: ${what} exited ${r.code}, expected 0${out ? ` (${out})` : ""}`);
      }
    }
    return bad.length > 0 ? fail(bad.join("; ")) : pass(`${what} exited 0 in ${seen.join(", ")}`);
  },
};
