/**
 * engine-version: the engine golive deploys to is at least golive's minimum for it: Docker 20.10
 * (the seed's minimum), a Kubernetes API server 1.25 (PodSecurity admission stable).
 */
import { fail, pass, reach, unreached, type LiveCheck } from "./check";

export { minimumDocker } from "./access/docker";

export const engineVersion: LiveCheck = {
  id: "engine-version",
  items: ["cgs-assist.docker-docker-compose-installation"],
  timeoutSeconds: 10,
  run: async (ctx) => {
    const other = unreached(ctx, "the engine version");
    if (other) return other;
    const e = await reach(ctx).engine();
    return e.ok
      ? pass(`${e.name} ${e.version}`)
      : fail(`${e.name} ${e.version}, expected ${e.minimum} or later`);
  },
};
