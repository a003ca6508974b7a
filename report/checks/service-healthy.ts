/**
 * service-healthy: every workload of the stack has its instances running, healthy where the
 * runtime checks their health (Docker: the container's health check; Kubernetes: the pod's Ready
 * condition, its readiness probe's).
 */
import { fail, pass, reach, unreached, type LiveCheck } from "./check";

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
    const other = unreached(ctx, "workload health");
    if (other) return other;
    const access = reach(ctx);
    const states = await access.instances(ctx.env.workloads);
    // A Docker container's name holds its workload's; a pod's or a CT's is said with it.
    const named = (i: { workload: string; instance?: string }) =>
      access.runtime === "docker" ? i.instance : `${i.workload}: ${i.instance}`;
    const bad = states
      .filter((s) => !s.ok)
      .map((s) =>
        s.instance === undefined ? `${s.workload}: ${s.state}` : `${named(s)} is ${s.state}`,
      );
    const noun = access.runtime === "kubernetes" ? "pods" : "containers";
    return bad.length > 0
      ? fail(
          `${bad.length} of ${ctx.env.workloads.length} workloads not healthy: ${bad.join("; ")} (expected running and healthy)`,
        )
      : pass(
          `${states.length} ${noun} of ${ctx.env.workloads.length} workloads running, healthy where checked`,
        );
  },
};
