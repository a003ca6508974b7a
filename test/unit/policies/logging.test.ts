/** logging-*: production does not log at DEBUG. */
import { describe, it } from "node:test";
import { loggingDisallowDebugInProduction } from "../../../policies/rules/logging-disallow-debug-in-production";
import { dockerApp, none, one, runResource } from "./harness";

describe("logging-disallow-debug-in-production", () => {
  it("accepts a service logging at INFO", async () => {
    none(await runResource(loggingDisallowDebugInProduction, dockerApp()));
  });

  it("refuses a service logging at DEBUG", async () => {
    one(
      await runResource(loggingDisallowDebugInProduction, dockerApp({ envs: ["LOG_LEVEL=DEBUG"] })),
      /logs at DEBUG/,
    );
  });
});
