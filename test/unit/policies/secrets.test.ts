/**
 * secrets-*: no secret as a plain environment variable or in a config file in clear, and every
 * secret long enough.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { secretsDisallowPlainConfigFiles } from "../../../policies/rules/secrets-disallow-plain-config-files";
import { secretsDisallowPlainEnv } from "../../../policies/rules/secrets-disallow-plain-env";
import { secretsEnforceMinLength } from "../../../policies/rules/secrets-enforce-min-length";
import { dockerApp, k8sDeployment, lxcService, none, one, runResource, unknown } from "./harness";

describe("secrets-disallow-plain-env", () => {
  it("accepts golive's secret env on Docker and secret references on Kubernetes", async () => {
    none(await runResource(secretsDisallowPlainEnv, dockerApp()));
    none(await runResource(secretsDisallowPlainEnv, k8sDeployment()));
  });

  it("refuses a password as a plain Docker variable", async () => {
    one(
      await runResource(secretsDisallowPlainEnv, dockerApp({ envs: ["DB_PASSWORD=hunter2"] })),
      /DB_PASSWORD as a plain value/,
    );
  });

  it("refuses a token as a plain Kubernetes variable", async () => {
    one(
      await runResource(
        secretsDisallowPlainEnv,
        k8sDeployment({ env: [{ name: "API_TOKEN", value: "abc" }] }),
      ),
      /API_TOKEN/,
    );
  });

  it("still judges the known variables when another is unknown at preview", async () => {
    const found = await runResource(
      secretsDisallowPlainEnv,
      dockerApp({ envs: [unknown, "DB_PASSWORD=hunter2"] }),
    );
    one(found, /DB_PASSWORD/);
  });
});

describe("secrets-disallow-plain-config-files", () => {
  it("accepts an uploaded config file without secrets", async () => {
    none(
      await runResource(
        secretsDisallowPlainConfigFiles,
        dockerApp({ uploads: [{ file: "/etc/app.conf", content: "log_level = info\n" }] }),
      ),
    );
  });

  it("refuses a ConfigMap holding a password", async () => {
    one(
      await runResource(secretsDisallowPlainConfigFiles, {
        type: "kubernetes:core/v1:ConfigMap",
        props: { data: { "app.ini": "db_password = s3cret\n" } },
      }),
      /looks like a secret/,
    );
  });

  it("refuses an uploaded private key, naming the file", async () => {
    one(
      await runResource(
        secretsDisallowPlainConfigFiles,
        dockerApp({ uploads: [{ file: "/k.pem", content: "-----BEGIN RSA PRIVATE KEY-----\n" }] }),
      ),
      /k\.pem/,
    );
  });

  // A secret upload (mode 0600) is a secret in state, not a file in clear, even when `up`
  // shows the policy its value; the same content with a plain mode is refused.
  const auth = {
    file: "/usr/local/etc/redis/golive-auth.conf",
    content: "requirepass s3cretvalue\n",
  };

  it("accepts a secret upload (mode 0600) even when its content is shown", async () => {
    none(
      await runResource(
        secretsDisallowPlainConfigFiles,
        dockerApp({ uploads: [{ ...auth, permissions: "0600" }] }),
      ),
    );
  });

  it("refuses the same content uploaded with a plain mode", async () => {
    one(
      await runResource(
        secretsDisallowPlainConfigFiles,
        dockerApp({ uploads: [{ ...auth, permissions: "0644" }] }),
      ),
      /golive-auth\.conf holds what looks like a secret/,
    );
  });

  it("on LXC, accepts a plain file a service is given", async () => {
    assert.deepEqual(
      await runResource(
        secretsDisallowPlainConfigFiles,
        lxcService("api", 200, "app", { GOLIVE_FILE_0: "level = info\n" }),
      ),
      [],
    );
  });

  it("on LXC, accepts a file golive delivers as a secret (GOLIVE_FILES) even when its content is shown", async () => {
    const files = (secret: boolean) =>
      JSON.stringify([{ key: "GOLIVE_FILE_0", path: auth.file, secret }]);
    none(
      await runResource(
        secretsDisallowPlainConfigFiles,
        lxcService("redis", 220, "cache", {
          GOLIVE_FILE_0: auth.content,
          GOLIVE_FILES: files(true),
        }),
      ),
    );
    // The same file delivered in clear is refused, named by where it lands.
    one(
      await runResource(
        secretsDisallowPlainConfigFiles,
        lxcService("redis", 220, "cache", {
          GOLIVE_FILE_0: auth.content,
          GOLIVE_FILES: files(false),
        }),
      ),
      /golive-auth\.conf holds what looks like a secret/,
    );
  });

  it("reports a file in clear whose content is unknown at preview, on Docker, Kubernetes and LXC", async () => {
    one(
      await runResource(
        secretsDisallowPlainConfigFiles,
        dockerApp({ uploads: [{ file: "/etc/app.conf", content: unknown }] }),
      ),
      /file \/etc\/app\.conf: its content is unknown at preview/,
    );
    one(
      await runResource(
        secretsDisallowPlainConfigFiles,
        lxcService("api", 200, "app", {
          GOLIVE_FILE_0: unknown,
          GOLIVE_FILES: JSON.stringify([
            { key: "GOLIVE_FILE_0", path: "/etc/app.conf", secret: false },
          ]),
        }),
      ),
      /file \/etc\/app\.conf: its content is unknown at preview/,
    );
    one(
      await runResource(secretsDisallowPlainConfigFiles, {
        type: "kubernetes:core/v1:ConfigMap",
        props: { data: { "app.ini": unknown } },
      }),
      /file app\.ini: its content is unknown at preview/,
    );
    // A secret one need not be read: it is no file in clear.
    none(
      await runResource(
        secretsDisallowPlainConfigFiles,
        dockerApp({ uploads: [{ file: "/etc/app.conf", content: unknown, permissions: "0600" }] }),
      ),
    );
  });

  it("on LXC, refuses a file holding a password that a service is given", async () => {
    assert.match(
      (
        await runResource(
          secretsDisallowPlainConfigFiles,
          lxcService("api", 200, "app", { GOLIVE_FILE_0: "db_password = hunter2\n" }),
        )
      )[0],
      /looks like a secret/,
    );
  });
});

describe("secrets-enforce-min-length", () => {
  it("accepts golive's 48-character secret", async () => {
    none(await runResource(secretsEnforceMinLength, dockerApp()));
  });

  it("refuses a short literal secret, saying how long it is", async () => {
    one(
      await runResource(secretsEnforceMinLength, dockerApp({ envs: ["JWT_SECRET=short"] })),
      /5 characters; at least 32/,
    );
  });

  it("refuses a generated secret shorter than the minimum", async () => {
    one(
      await runResource(secretsEnforceMinLength, {
        type: "pulumi-nodejs:dynamic/golive:GeneratedSecret",
        name: "key",
        props: { length: 16 },
      }),
      /generates 16 characters/,
    );
  });

  it("honours a lower minLength from the pack config", async () => {
    none(
      await runResource(secretsEnforceMinLength, dockerApp({ envs: ["JWT_SECRET=short"] }), {
        minLength: 4,
      }),
    );
  });
});
