/** engine-version: the Docker engine golive deploys to is at least 20.10 (the seed's minimum). */
import { dockerOnly, fail, pass, type LiveCheck } from "./check";
import { docker } from "./probe";

export const minimumDocker = [20, 10] as const;

export const engineVersion: LiveCheck = {
  id: "engine-version",
  items: ["cgs-assist.docker-docker-compose-installation"],
  timeoutSeconds: 10,
  run: async (ctx) => {
    const other = dockerOnly(ctx, "the engine version");
    if (other) return other;
    const version = (await docker(["version", "--format", "{{.Server.Version}}"])).trim();
    const [major, minor] = version.split(".").map((n) => parseInt(n, 10));
    const ok =
      major > minimumDocker[0] || (major === minimumDocker[0] && minor >= minimumDocker[1]);
    return ok
      ? pass(`Docker server ${version}`)
      : fail(`Docker server ${version}, expected ${minimumDocker.join(".")} or later`);
  },
};
