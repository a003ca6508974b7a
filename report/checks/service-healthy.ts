/** service-healthy: every workload of the stack has a running container, healthy where it has a health check. */
import { container, dockerOnly, fail, pass, type LiveCheck } from "./check";
import { docker } from "./probe";

export const serviceHealthy: LiveCheck = {
  id: "service-healthy",
  items: [
    "cgs-assist.datenbank-container-laeuft-docker",
    "cgs-assist.health-checks-durchfuehren",
    "valero-neuroerp.alle-services-aktiv-und-erreichbar",
    "psa-platform.health-checks",
    "psa-platform.19-3.health-checks",
  ],
  timeoutSeconds: 20,
  run: async (ctx) => {
    const other = dockerOnly(ctx, "workload health");
    if (other) return other;
    const names = (await docker(["ps", "-a", "--format", "{{.Names}}"]))
      .split("\n")
      .filter((n) => n.startsWith(`${ctx.env.prefix}-`));
    const bad: string[] = [];
    let seen = 0;
    for (const w of ctx.env.workloads) {
      const base = container(ctx, w);
      // A workload's containers: its own name, or one per replica (`-1`, `-2`, …).
      const mine = names.filter((n) => n === base || new RegExp(`^${base}-\\d+$`).test(n));
      if (mine.length === 0) {
        bad.push(`${w}: no container ${base}`);
        continue;
      }
      const states = await docker([
        "inspect",
        "--format",
        "{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}",
        ...mine,
      ]);
      for (const line of states.trim().split("\n")) {
        const [name, state, health] = line.replace(/^\//, "").split(" ");
        seen++;
        if (state !== "running") bad.push(`${name} is ${state}`);
        else if (health !== "healthy" && health !== "none") bad.push(`${name} is ${health}`);
      }
    }
    return bad.length > 0
      ? fail(
          `${bad.length} of ${ctx.env.workloads.length} workloads not healthy: ${bad.join("; ")} (expected running and healthy)`,
        )
      : pass(
          `${seen} containers of ${ctx.env.workloads.length} workloads running, healthy where checked`,
        );
  },
};
