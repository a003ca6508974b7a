/**
 * postgres-*: a supported version, WAL archiving, and beside every primary a replica, a scheduled
 * backup and pgBouncer.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { postgresEnableWalArchiving } from "../../../policies/rules/postgres-enable-wal-archiving";
import { postgresEnforceMinVersion } from "../../../policies/rules/postgres-enforce-min-version";
import { postgresMissingBackup } from "../../../policies/rules/postgres-missing-backup";
import { postgresMissingPgbouncer } from "../../../policies/rules/postgres-missing-pgbouncer";
import { postgresMissingReplica } from "../../../policies/rules/postgres-missing-replica";
import { dockerApp, messages, none, one, runResource, runStack, workload } from "./harness";

describe("postgres-enforce-min-version", () => {
  it("accepts PostgreSQL 16", async () => {
    none(await runResource(postgresEnforceMinVersion, dockerApp({ image: "postgres:16" })));
  });

  it("refuses PostgreSQL 14, below the default minimum of 15", async () => {
    one(
      await runResource(postgresEnforceMinVersion, dockerApp({ image: "postgres:14.9" })),
      /PostgreSQL 14; at least 15/,
    );
  });

  it("honours a lower minimumMajor from the pack config", async () => {
    none(
      await runResource(postgresEnforceMinVersion, dockerApp({ image: "postgres:14.9" }), {
        minimumMajor: 14,
      }),
    );
  });
});

describe("postgres-enable-wal-archiving", () => {
  const pg = (command: string[]) =>
    dockerApp({ image: "postgres:16", command }, { "golive.dev/postgres-role": "primary" });

  it("accepts a primary with archive_mode and an archive_command", async () => {
    none(
      await runResource(
        postgresEnableWalArchiving,
        pg(["postgres", "-c", "archive_mode=on", "-c", "archive_command=cp %p /a/%f"]),
      ),
    );
  });

  it("refuses a primary that does not archive its WAL", async () => {
    one(
      await runResource(postgresEnableWalArchiving, pg(["postgres", "-c", "wal_level=replica"])),
      /does not archive its WAL/,
    );
  });
});

// A compliant PostgreSQL: a primary, a streaming replica, a scheduled backup and pgBouncer.
const primary = workload("postgres", "database", {
  "golive.dev/postgres-role": "primary",
  "golive.dev/start-order": "10",
});
const replica = workload("postgres-replica-1", "database", {
  "golive.dev/postgres-role": "replica",
});
const backup = workload("postgres-backup", "backup", {
  "golive.dev/backup-of": "postgres",
  "golive.dev/backup-interval-hours": "24",
  "golive.dev/backup-retention-days": "14",
});
const bouncer = workload("pgbouncer", "connection-pooler", { "golive.dev/start-order": "15" });
const env = [primary, replica, backup, bouncer];

describe("postgres-missing-replica", () => {
  it("accepts a primary with a streaming replica", async () => {
    const p = postgresMissingReplica;
    assert.deepEqual(messages(await runStack(p, env)), [], p.name);
  });

  it("refuses a primary without a replica", async () => {
    assert.match(
      messages(await runStack(postgresMissingReplica, [primary, backup, bouncer]))[0],
      /has no replica/,
    );
  });
});

describe("postgres-missing-backup", () => {
  it("accepts a primary with a daily backup kept 14 days", async () => {
    const p = postgresMissingBackup;
    assert.deepEqual(messages(await runStack(p, env)), [], p.name);
  });

  it("refuses a primary without a scheduled backup", async () => {
    assert.match(
      messages(await runStack(postgresMissingBackup, [primary, replica, bouncer]))[0],
      /no scheduled backup/,
    );
  });

  it("refuses backups kept for less than the configured minRetentionDays", async () => {
    assert.match(
      messages(await runStack(postgresMissingBackup, env, { minRetentionDays: 30 }))[0],
      /kept 14 days; at least 30/,
    );
  });
});

describe("postgres-missing-pgbouncer", () => {
  it("accepts a primary behind pgBouncer", async () => {
    const p = postgresMissingPgbouncer;
    assert.deepEqual(messages(await runStack(p, env)), [], p.name);
  });

  it("refuses a primary without pgBouncer", async () => {
    assert.match(
      messages(await runStack(postgresMissingPgbouncer, [primary, replica, backup]))[0],
      /no pgBouncer/,
    );
  });
});
