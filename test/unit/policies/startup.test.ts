/** startup-*: a workload starts after what it depends on, on every runtime. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startupEnforceDependencyOrder } from "../../../policies/rules/startup-enforce-dependency-order";
import { lxcContainer, lxcService, messages, runStack, workload, type Res } from "./harness";

describe("startup-enforce-dependency-order", () => {
  const primary = workload("postgres", "database", {
    "golive.dev/postgres-role": "primary",
    "golive.dev/start-order": "10",
  });
  const bouncer = workload("pgbouncer", "connection-pooler", { "golive.dev/start-order": "15" });

  it("accepts an app that waits for its databases through its component", async () => {
    const component: Res = {
      type: "golive:docker:Workload",
      name: "api-component",
      props: {},
      dependencies: [primary, bouncer],
    };
    const app = workload("api", "app", { "golive.dev/depends-on": "pgbouncer,postgres" });
    app.parent = component;
    assert.deepEqual(
      messages(await runStack(startupEnforceDependencyOrder, [primary, bouncer, app, component])),
      [],
    );
  });

  it("refuses an app whose deployment waits for none of the services it depends on", async () => {
    const orphan = workload("api", "app", { "golive.dev/depends-on": "pgbouncer,postgres" });
    const found = messages(
      await runStack(startupEnforceDependencyOrder, [primary, bouncer, orphan]),
    );
    assert.equal(found.length, 2);
    assert.match(found[0], /depends on pgbouncer but its deployment does not wait for it/);
  });

  it("refuses an app that waits for its database but starts before it", async () => {
    const early = workload(
      "api",
      "app",
      { "golive.dev/depends-on": "postgres", "golive.dev/start-order": "5" },
      [primary],
    );
    assert.match(
      messages(await runStack(startupEnforceDependencyOrder, [primary, early]))[0],
      /starts at order 5, not after postgres \(10\)/,
    );
  });

  describe("on LXC, by the containers' start orders", () => {
    const pg = lxcContainer("postgres", 110, "database", { "golive.dev/start-order": "10" });
    const app = (order: string) => {
      const r = lxcContainer("api", 200, "app", {
        "golive.dev/start-order": order,
        "golive.dev/depends-on": "postgres",
      });
      r.dependencies = [pg];
      return r;
    };
    const svc = lxcService("api", 200, "app", {
      GOLIVE_UNIT: "[Service]\nExecStart=/srv/api\nDynamicUser=yes\n",
    });

    it("accepts a container that starts after its database", async () => {
      assert.deepEqual(await runStack(startupEnforceDependencyOrder, [pg, app("50"), svc]), []);
    });

    it("refuses a container that starts before its database", async () => {
      const found = (await runStack(startupEnforceDependencyOrder, [pg, app("5"), svc])).map(
        (f) => f.message,
      );
      assert.deepEqual(found, ["api starts at order 5, not after postgres (10)."]);
    });
  });
});
