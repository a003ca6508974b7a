/** cors-*: no service allows every origin. */
import { describe, it } from "node:test";
import { corsDisallowWildcard } from "../../../policies/rules/cors-disallow-wildcard";
import { dockerApp, k8sDeployment, none, one, runResource } from "./harness";

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

  it("reads the origins off the Kubernetes proxy gateway's Deployment (an annotation)", async () => {
    const gateway = (origins: string) => {
      const d = k8sDeployment();
      d.props.metadata.annotations = { "golive.dev/cors-origins": origins };
      return d;
    };
    one(
      await runResource(corsDisallowWildcard, gateway("https://a.example *")),
      /golive\.dev\/cors-origins allows every origin/,
    );
    none(await runResource(corsDisallowWildcard, gateway("https://a.example")));
  });
});
