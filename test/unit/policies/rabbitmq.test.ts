/** rabbitmq-*: a supported version, the management plugin, no guest user. */
import { describe, it } from "node:test";
import { rabbitmqDisallowGuest } from "../../../policies/rules/rabbitmq-disallow-guest";
import { rabbitmqEnableManagement } from "../../../policies/rules/rabbitmq-enable-management";
import { rabbitmqEnforceMinVersion } from "../../../policies/rules/rabbitmq-enforce-min-version";
import { dockerLabels, none, one, runResource, stackOf, type Res } from "./harness";

/** golive's RabbitMQ container with `labels` over its own and the config `files` it is given. */
const rabbit = (labels: Record<string, string>, files: Record<string, string>): Res => ({
  type: "docker:index/container:Container",
  name: "rabbitmq",
  props: {
    image: "rabbitmq:3.13-management",
    uploads: Object.entries(files).map(([file, content]) => ({ file, content })),
    labels: dockerLabels({
      "app.kubernetes.io/name": "rabbitmq",
      "golive.dev/rabbitmq-version": "3.13",
      "golive.dev/rabbitmq-users": "admin,app",
      ...labels,
    }),
  },
});
const rabbitFiles = {
  "/etc/rabbitmq/conf.d/90-golive.conf":
    "load_definitions = /etc/rabbitmq/definitions.d\nloopback_users.guest = true\n",
  "/etc/rabbitmq/enabled_plugins": "[rabbitmq_management,rabbitmq_prometheus].\n",
};

describe("rabbitmq-enforce-min-version", () => {
  it("accepts RabbitMQ 3.13", async () => {
    none(await runResource(rabbitmqEnforceMinVersion, rabbit({}, rabbitFiles)));
  });

  it("refuses a version older than 3.12", async () => {
    one(
      await runResource(rabbitmqEnforceMinVersion, {
        ...rabbit({}, rabbitFiles),
        props: { ...rabbit({}, rabbitFiles).props, image: "rabbitmq:3.10.8" },
      }),
      /3\.10\.8 is older than 3\.12/,
    );
  });
});

describe("rabbitmq-enable-management", () => {
  it("accepts a -management image with the plugin enabled", async () => {
    none(await stackOf(rabbitmqEnableManagement, rabbit({}, rabbitFiles)));
  });

  it("refuses RabbitMQ with neither a -management image nor the plugin in enabled_plugins", async () => {
    one(
      await stackOf(rabbitmqEnableManagement, {
        ...rabbit(
          {},
          { ...rabbitFiles, "/etc/rabbitmq/enabled_plugins": "[rabbitmq_prometheus].\n" },
        ),
        props: {
          ...rabbit(
            {},
            { ...rabbitFiles, "/etc/rabbitmq/enabled_plugins": "[rabbitmq_prometheus].\n" },
          ).props,
          image: "rabbitmq:3.13",
        },
      }),
      /rabbitmq_management/,
    );
  });
});

describe("rabbitmq-disallow-guest", () => {
  it("accepts golive's users with guest kept to loopback", async () => {
    none(await stackOf(rabbitmqDisallowGuest, rabbit({}, rabbitFiles)));
  });

  it("refuses a user named guest", async () => {
    one(
      await stackOf(
        rabbitmqDisallowGuest,
        rabbit({ "golive.dev/rabbitmq-users": "admin,guest" }, rabbitFiles),
      ),
      /user named guest/,
    );
  });

  it("refuses a config that no longer keeps guest to loopback", async () => {
    one(
      await stackOf(
        rabbitmqDisallowGuest,
        rabbit(
          {},
          { ...rabbitFiles, "/etc/rabbitmq/conf.d/90-golive.conf": "load_definitions = /x\n" },
        ),
      ),
      /loopback/,
    );
  });
});
