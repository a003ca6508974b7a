/**
 * image-pinned: every workload's container was created from a pinned reference (a version tag or
 * a digest, not `latest`) and runs the image ID that reference names on the engine now.
 */
import { dockerOnly, fail, pass, type LiveCheck } from "./check";
import { containerImage, containersOf } from "./inside";

/** Why an image reference is not pinned, or undefined when it is (a tag other than latest, or a digest). */
export function unpinned(ref: string): string | undefined {
  if (/@sha256:[a-f0-9]{64}$/.test(ref)) return undefined;
  const last = ref.slice(ref.lastIndexOf("/") + 1);
  if (!last.includes(":")) return "no tag (latest)";
  if (last.endsWith(":latest")) return "the tag latest";
  return undefined;
}

export const imagePinned: LiveCheck = {
  id: "image-pinned",
  items: ["ablage.docker-images-gebaut"],
  timeoutSeconds: 60,
  run: async (ctx) => {
    const other = dockerOnly(ctx, "the images containers run");
    if (other) return other;
    const bad: string[] = [];
    let seen = 0;
    for (const w of ctx.env.workloads) {
      for (const name of await containersOf(ctx, w)) {
        const img = await containerImage(name);
        seen++;
        const why = unpinned(img.ref);
        if (why) bad.push(`${name} runs ${img.ref}: ${why}, expected a version tag or digest`);
        else if (img.tagged === undefined)
          bad.push(`${name}: its image ${img.ref} is no longer on the engine`);
        else if (img.tagged !== img.running)
          bad.push(
            `${name} runs ${img.running.slice(0, 19)}, but ${img.ref} names ${img.tagged.slice(0, 19)} now (expected the pinned tag's image)`,
          );
      }
    }
    if (seen === 0)
      return fail(`no container of the stack's ${ctx.env.workloads.length} workloads`);
    return bad.length > 0
      ? fail(bad.join("; "))
      : pass(`${seen} containers run the image their pinned tag names`);
  },
};
