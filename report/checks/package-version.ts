/** package-version: every verify.packages command prints what its `expect` pattern requires in every app container. */
import { dockerOnly, fail, pass, skipped, unknown, type LiveCheck } from "./check";
import { containersOf, execIn } from "./inside";

export const packageVersion: LiveCheck = {
  id: "package-version",
  items: ["psa-platform.node-js-20-lts-installiert"],
  timeoutSeconds: 60,
  run: async (ctx) => {
    const packages = ctx.env.verify.packages;
    if (packages.length === 0) return unknown("verify.packages not declared");
    if (ctx.env.apps.length === 0) return skipped("the spec has no app service");
    const other = dockerOnly(ctx, "a package's version in the app containers");
    if (other) return other;
    const seen: string[] = [];
    const bad: string[] = [];
    for (const app of ctx.env.apps) {
      for (const name of await containersOf(ctx, app.name)) {
        for (const p of packages) {
          const what = p.command.join(" ");
          const r = await execIn(name, p.command);
          const out = `${r.stdout}${r.stderr}`.trim().split("\n")[0] ?? "";
          if (r.code !== 0) bad.push(`${name}: ${what} exited ${r.code}${out ? ` (${out})` : ""}`);
          else if (!new RegExp(p.expect).test(r.stdout + r.stderr))
            bad.push(`${name}: ${what} printed "${out}", expected /${p.expect}/`);
          else seen.push(`${name} ${out}`);
        }
      }
    }
    return bad.length > 0 ? fail(bad.join("; ")) : pass(seen.join(", "));
  },
};
