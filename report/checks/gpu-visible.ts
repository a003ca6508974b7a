/** gpu-visible: every app service the spec gives a GPU lists it with nvidia-smi inside its container. */
import { fail, pass, reach, skipped, unknown, unreached, type LiveCheck } from "./check";

export const gpuVisible: LiveCheck = {
  id: "gpu-visible",
  items: ["ablage.gpu-verfuegbarkeit"],
  timeoutSeconds: 20,
  run: async (ctx) => {
    const gpus = ctx.env.apps.filter((a) => a.gpu !== undefined);
    if (gpus.length === 0) return skipped("no service of the spec asks for a GPU");
    const other = unreached(ctx, "GPU visibility");
    if (other) return other;
    const access = reach(ctx);
    const none = await access.gpuProblem();
    if (none !== undefined)
      return unknown(
        `the spec gives ${gpus.map((g) => g.name).join(", ")} a GPU, but ${none}: no GPU can be seen there`,
      );
    const seen: string[] = [];
    const bad: string[] = [];
    for (const app of gpus) {
      try {
        const list = (await access.exec(app.name, ["nvidia-smi", "-L"], { timeoutSeconds: 15 }))
          .trim()
          .split("\n");
        seen.push(`${app.name}: ${list.length} GPU`);
        if (list.length < app.gpu!)
          bad.push(`${app.name} sees ${list.length} GPU, expected ${app.gpu}`);
      } catch (e) {
        bad.push(`${app.name}: ${(e as Error).message}`);
      }
    }
    return bad.length > 0 ? fail(bad.join("; ")) : pass(seen.join(", "));
  },
};
