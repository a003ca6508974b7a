/** elasticsearch-*: security on, and an ILM policy for the indices. */
import { describe, it } from "node:test";
import { elasticsearchConfigureIlm } from "../../../policies/rules/elasticsearch-configure-ilm";
import { elasticsearchEnableSecurity } from "../../../policies/rules/elasticsearch-enable-security";
import { dockerApp, none, one, runResource } from "./harness";

/** An Elasticsearch container with `env`, golive's labels and `labels` over them. */
const es = (env: string[], labels: Record<string, string> = {}) =>
  dockerApp(
    { image: "elasticsearch:8.15.0", envs: env },
    {
      "golive.dev/elasticsearch-version": "8.15.0",
      "golive.dev/ilm-policies": "logs",
      ...labels,
    },
  );

describe("elasticsearch-enable-security", () => {
  it("accepts xpack security turned on", async () => {
    none(await runResource(elasticsearchEnableSecurity, es(["xpack.security.enabled=true"])));
  });

  it("refuses xpack security turned off", async () => {
    one(
      await runResource(elasticsearchEnableSecurity, es(["xpack.security.enabled=false"])),
      /without security/,
    );
  });
});

describe("elasticsearch-configure-ilm", () => {
  it("accepts a cluster with an ILM policy", async () => {
    none(await runResource(elasticsearchConfigureIlm, es([])));
  });

  it("refuses a cluster without an ILM policy", async () => {
    one(
      await runResource(elasticsearchConfigureIlm, es([], { "golive.dev/ilm-policies": "" })),
      /no ILM policy/,
    );
  });
});
