/**
 * elasticsearch-indices: every index pattern of the spec's index templates matches at least one
 * index (`_cat/indices`, asked inside the Elasticsearch container with its own elastic password).
 * The indices appear on the application's first write: before it, the check fails.
 */
import { container, dockerOnly, fail, pass, skipped, unknown, type LiveCheck } from "./check";
import { execIn } from "./inside";

/** Whether an index name matches an index pattern (`*` any run of characters, as Elasticsearch's). */
export function matchesPattern(index: string, pattern: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
  return re.test(index);
}

export const elasticsearchIndices: LiveCheck = {
  id: "elasticsearch-indices",
  items: ["psa-platform.indices-erstellt"],
  timeoutSeconds: 20,
  run: async (ctx) => {
    const es = ctx.env.elasticsearch;
    if (!es) return skipped("the spec has no Elasticsearch");
    if (es.indexPatterns.length === 0)
      return unknown("elasticsearch.indexTemplates name no index pattern to look for");
    const other = dockerOnly(ctx, "Elasticsearch's indices");
    if (other) return other;
    const r = await execIn(container(ctx, "elasticsearch"), [
      "sh",
      "-c",
      'curl -fsS -m 10 -u "elastic:${ELASTIC_PASSWORD:-}" "http://127.0.0.1:9200/_cat/indices?format=json&h=index"',
    ]);
    if (r.code !== 0)
      return unknown(
        `_cat/indices in the elasticsearch container: exit ${r.code} ${r.stderr.trim()}`,
      );
    const indices = (JSON.parse(r.stdout) as { index: string }[]).map((i) => i.index);
    const missing = es.indexPatterns.filter((p) => !indices.some((i) => matchesPattern(i, p)));
    const seen = `${indices.length} indices for patterns ${es.indexPatterns.join(", ")}`;
    return missing.length > 0
      ? fail(
          `${seen}: no index matches ${missing.join(", ")} (expected one each; they appear on the application's first write)`,
        )
      : pass(seen);
  },
};
