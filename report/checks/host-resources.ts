/**
 * host-resources: from node-exporter through Prometheus, every real filesystem has at least
 * monitoring.thresholds.diskFreePercent free and memory is not exhausted; DiskSpaceLow and
 * ServiceDown are not firing.
 */
import {
  fail,
  pass,
  reach,
  skipped,
  unknown,
  unreached,
  type CheckContext,
  type LiveCheck,
  type Outcome,
} from "./check";
import { getJson } from "./probe";

interface Vector {
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

export const hostResources: LiveCheck = {
  id: "host-resources",
  items: [
    "cgs-assist.ressourcen-auslastung-ueberwachen",
    "valero-neuroerp.ressourcennutzung-ueberwacht",
    "psa-platform.cpu-ram-im-normalbereich",
    "psa-platform.cpu-ram-disk-im-normalbereich",
  ],
  timeoutSeconds: 10,
  run: async (ctx) => {
    const mon = ctx.env.monitoring;
    if (!mon) return skipped("the spec has no monitoring");
    const other = unreached(ctx, "node-exporter's series");
    if (other) return other;
    const access = reach(ctx);
    if (access.unreachable("prometheus", "http") !== undefined)
      return unknown(
        "Prometheus publishes no host port (hostPorts.prometheus.http) to reach it by",
      );
    return access.forward("prometheus", "http", (port) => judge(port, mon));
  },
};

/** Disks, memory and the two alerts, from Prometheus' API on 127.0.0.1:<port>. */
async function judge(
  port: number,
  mon: NonNullable<CheckContext["env"]["monitoring"]>,
): Promise<Outcome> {
  const query = async (q: string) =>
    (await getJson<Vector>(port, `/api/v1/query?query=${encodeURIComponent(q)}`)).data.result;
  const disks = await query(
    '100 * node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs|nsfs|ramfs"} / node_filesystem_size_bytes{fstype!~"tmpfs|overlay|squashfs|nsfs|ramfs"}',
  );
  const memory = await query("100 * node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes");
  const alerts = await query('ALERTS{alertstate="firing",alertname=~"DiskSpaceLow|ServiceDown"}');
  if (disks.length === 0 || memory.length === 0)
    return unknown("node-exporter's filesystem or memory series are not in Prometheus yet");
  const low = disks.filter((d) => Number(d.value[1]) < mon.diskFreePercent);
  const minDisk = Math.min(...disks.map((d) => Number(d.value[1])));
  const memFree = Math.min(...memory.map((m) => Number(m.value[1])));
  const problems = [
    ...low.map(
      (d) =>
        `${d.metric.mountpoint} has ${Number(d.value[1]).toFixed(1)} % free, below ${mon.diskFreePercent} %`,
    ),
    ...(memFree < 5 ? [`${memFree.toFixed(1)} % memory available`] : []),
    ...alerts.map(
      (a) => `${a.metric.alertname} firing${a.metric.job ? ` for ${a.metric.job}` : ""}`,
    ),
  ];
  const seen = `${disks.length} filesystems, least free ${minDisk.toFixed(1)} % (threshold ${mon.diskFreePercent} %), ${memFree.toFixed(1)} % memory available`;
  return problems.length > 0 ? fail(`${seen}: ${problems.join("; ")}`) : pass(seen);
}
