/** cors-*: no service allows every origin. */
import { describe, it } from "node:test";
import { corsDisallowWildcard } from "../../../policies/rules/cors-disallow-wildcard";
import { dockerApp, none, one, runResource } from "./harness";

describe("cors-disallow-wildcard", () => {
  it("accepts a service that names its origins", async () => {
    none(await runResource(corsDisallowWildcard, dockerApp()));
  });

  it("refuses a wildcard in CORS_ORIGINS", async () => {
    one(
      await runResource(corsDisallowWildcard, dockerApp({ envs: ["CORS_ORIGINS=*"] })),
      /allows every origin/,
    );
  });

  it("refuses a wildcard among the origins of golive's cors-origins label, naming the label", async () => {
    one(
      await runResource(
        corsDisallowWildcard,
        dockerApp({}, { "golive.dev/cors-origins": "https://a.example *" }),
      ),
      /golive\.dev\/cors-origins/,
    );
  });
});
