/** gpu-memory: in every app service the spec gives a GPU, each GPU's memory use is below 85 % (nvidia-smi). */
import { container, dockerOnly, fail, pass, skipped, unknown, type LiveCheck } from "./check";
import { execIn } from "./inside";

/** The limit of the seed's item: memory.used / memory.total below this share. */
export const gpuMemoryLimitPercent = 85;

/** Parses `nvidia-smi --query-gpu=index,memory.used,memory.total --format=csv,noheader,nounits`. */
export function gpuMemory(csv: string): { index: string; usedMib: number; totalMib: number }[] {
  return csv
    .trim()
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const [index, used, total] = l.split(",").map((f) => f.trim());
      if (!/^\d+$/.test(used ?? "") || !/^\d+$/.test(total ?? "") || Number(total) === 0)
        throw new Error(`nvidia-smi printed "${l}", expected index, used MiB, total MiB`);
      return { index, usedMib: Number(used), totalMib: Number(total) };
    });
}

export const gpuMemoryCheck: LiveCheck = {
  id: "gpu-memory",
  items: ["ablage.gpu-memory"],
  timeoutSeconds: 30,
  run: async (ctx) => {
    const gpus = ctx.env.apps.filter((a) => a.gpu !== undefined);
    if (gpus.length === 0) return skipped("no service of the spec asks for a GPU");
    const other = dockerOnly(ctx, "GPU memory");
    if (other) return other;
    const seen: string[] = [];
    const bad: string[] = [];
    for (const app of gpus) {
      const r = await execIn(container(ctx, app.name), [
        "nvidia-smi",
        "--query-gpu=index,memory.used,memory.total",
        "--format=csv,noheader,nounits",
      ]);
      if (r.code === 127 || /not found/.test(r.stderr))
        return unknown(`${app.name} has no nvidia-smi: its GPU memory cannot be read`);
      if (r.code !== 0) {
        bad.push(`${app.name}: nvidia-smi exited ${r.code} (${r.stderr.trim()})`);
        continue;
      }
      for (const g of gpuMemory(r.stdout)) {
        const share = (100 * g.usedMib) / g.totalMib;
        const line = `${app.name} GPU ${g.index} ${g.usedMib}/${g.totalMib} MiB (${share.toFixed(1)} %)`;
        seen.push(line);
        if (share >= gpuMemoryLimitPercent)
          bad.push(`${line}, expected below ${gpuMemoryLimitPercent} %`);
      }
    }
    return bad.length > 0 ? fail(bad.join("; ")) : pass(seen.join(", "));
  },
};
