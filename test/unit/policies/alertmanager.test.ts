/** alertmanager-*: alerts reach someone. */
import { describe, it } from "node:test";
import { alertmanagerDisallowNullReceiver } from "../../../policies/rules/alertmanager-disallow-null-receiver";
import { dockerApp, none, one, stackOf } from "./harness";

/** An Alertmanager whose receiver label says `receiver` and whose config file is `config`. */
const am = (receiver: string, config: string) =>
  dockerApp(
    { uploads: [{ file: "/etc/alertmanager/alertmanager.yml", content: config }] },
    { "app.kubernetes.io/component": "alerting", "golive.dev/alert-receiver": receiver },
  );

describe("alertmanager-disallow-null-receiver", () => {
  it("accepts a webhook receiver that has a webhook config", async () => {
    none(
      await stackOf(
        alertmanagerDisallowNullReceiver,
        am("webhook", "receivers:\n  - name: golive\n    webhook_configs:\n      - url: x\n"),
      ),
    );
  });

  it("refuses the null receiver, a sink for every alert", async () => {
    one(
      await stackOf(alertmanagerDisallowNullReceiver, am("null", "receivers:\n  - name: golive\n")),
      /null sink/,
    );
  });

  it("refuses a webhook receiver whose config has no webhook", async () => {
    one(
      await stackOf(
        alertmanagerDisallowNullReceiver,
        am("webhook", "receivers:\n  - name: golive\n"),
      ),
      /no webhook/,
    );
  });
});
