/**
 * What the stack exports for the go-live report's live checks (`golive verify`): where each
 * workload is and what the spec expects of it, as plain data, and the passwords the checks log in
 * with, as one secret output. The shapes are `LiveEnvironment` and `LiveSecrets` of
 * policies/lib/contract.ts, the module every side of golive may load.
 */
import * as pulumi from "@pulumi/pulumi";
import type { LiveEnvironment, LiveSecrets, LiveVerify } from "../policies/lib/contract";
import type { EnvironmentSpec } from "./config/spec";
import type { Environment } from "./environment";
import { gatewayRoutes } from "./gateway";
import { releases } from "./release/bluegreen";
import { allocateIds } from "./runtime/lxc";
import { lxcAddresses } from "./runtime/lxc/network";
import { workloadNames, workloadPortNumbers } from "./services";
import { redisArgs } from "./services/redis";

/** The live environment's description, from the spec alone (known at preview). */
export function liveEnvironment(
  spec: EnvironmentSpec,
  prefix: string,
  dockerHost?: string,
): LiveEnvironment {
  const pg = spec.postgres;
  const redis = spec.redis;
  const gw = spec.gateway;
  const maxmemory = redis ? redisArgs(redis)[redisArgs(redis).indexOf("--maxmemory") + 1] : "";
  return {
    runtime: spec.runtime,
    tier: spec.tier,
    prefix,
    ...(dockerHost ? { dockerHost } : {}),
    workloads: workloadNames(spec),
    apps: Object.entries(spec.services).flatMap(([name, s]) =>
      releases(name, s).map((r) => ({
        name: r.workload,
        dependsOn: s.dependsOn,
        ...(s.gpu ? { gpu: s.gpu.count } : {}),
        ...(s.healthCheck?.path !== undefined
          ? {
              health: {
                path: s.healthCheck.path,
                port: s.healthCheck.port ?? s.ports[0]?.port ?? 80,
              },
            }
          : {}),
      })),
    ),
    ...(spec.runtime === "kubernetes"
      ? {
          kubernetes: {
            namespace: spec.kubernetes.namespace ?? prefix,
            ...(spec.kubernetes.renderYamlToDirectory !== undefined
              ? { renderedTo: spec.kubernetes.renderYamlToDirectory }
              : {}),
          },
        }
      : {}),
    ...(spec.lxc ? { lxc: lxcOutput(spec, spec.lxc) } : {}),
    hostPorts: spec.hostPorts,
    ...(gw
      ? {
          gateway: {
            domain: gw.domain,
            tls: gw.tls.source,
            healthPath: gw.healthPath,
            // parseSpec moved gateway.hostPorts into the one host-port map (withHostPorts).
            ...(spec.hostPorts.gateway?.http !== undefined
              ? { httpPort: spec.hostPorts.gateway.http }
              : {}),
            ...(spec.hostPorts.gateway?.https !== undefined
              ? { httpsPort: spec.hostPorts.gateway.https }
              : {}),
            corsOrigins: gw.cors?.origins ?? [],
            routes: gatewayRoutes(gw, spec.services).map((r) => r.pathPrefix),
          },
        }
      : {}),
    ...(pg
      ? {
          postgres: {
            user: pg.user,
            database: pg.database,
            replicas: Array.from({ length: pg.replicas }, (_, i) => `postgres-replica-${i + 1}`),
            pgbouncer: pg.pgbouncer.enabled,
            walArchive: pg.walArchive.enabled,
            ...(pg.backups.enabled ? { backupIntervalHours: pg.backups.intervalHours } : {}),
          },
        }
      : {}),
    ...(redis
      ? {
          redis: {
            appendonly: redis.appendonly,
            maxmemoryPolicy: redis.maxmemoryPolicy,
            maxmemoryMb: Number(maxmemory.replace(/mb$/, "")),
          },
        }
      : {}),
    ...(spec.rabbitmq
      ? {
          rabbitmq: {
            vhosts: spec.rabbitmq.vhosts,
            users: Object.keys(spec.rabbitmq.users).sort(),
            queues: spec.rabbitmq.queues.map((q) => ({ name: q.name, vhost: q.vhost })),
          },
        }
      : {}),
    ...(spec.monitoring
      ? {
          monitoring: {
            receiver: spec.monitoring.receiver.kind,
            replicaLagSeconds: spec.monitoring.thresholds.replicaLagSeconds,
            diskFreePercent: spec.monitoring.thresholds.diskFreePercent,
            latencyP95Ms: spec.monitoring.thresholds.latencyP95Ms,
            errorRatePercent: spec.monitoring.thresholds.errorRatePercent,
          },
        }
      : {}),
    ...(spec.elasticsearch
      ? {
          elasticsearch: {
            indexPatterns: Object.values(spec.elasticsearch.indexTemplates).flatMap(
              (t) => t.indexPatterns,
            ),
          },
        }
      : {}),
    verify: liveVerify(spec.verify),
  };
}

/** Where the LXC runtime put each workload: the same CT-IDs and addresses the runtime allocates. */
function lxcOutput(
  spec: EnvironmentSpec,
  lxc: NonNullable<EnvironmentSpec["lxc"]>,
): NonNullable<LiveEnvironment["lxc"]> {
  const ids = allocateIds(workloadNames(spec), lxc.ids, lxc.firstId);
  const addresses = lxc.network ? lxcAddresses(ids, lxc.network).addresses : {};
  return {
    node: {
      host: lxc.node.host,
      port: lxc.node.port,
      user: lxc.node.user,
      ...(lxc.node.privateKeyConfig ? { privateKeyConfig: lxc.node.privateKeyConfig } : {}),
    },
    ids,
    ports: workloadPortNumbers(spec),
    ...(lxc.network
      ? {
          addresses: Object.fromEntries(Object.entries(addresses).map(([w, a]) => [w, a.address])),
        }
      : {}),
  };
}

/** The verify block without its secret's key name (the password itself goes to liveSecrets). */
function liveVerify(v: EnvironmentSpec["verify"]): LiveVerify {
  const { login, ...rest } = v;
  if (!login) return rest;
  const { path, method, username, fields, expect } = login;
  return { ...rest, login: { path, method, username, fields, expect } };
}

/** The passwords the live checks need (the test account's from its secret config key), as one secret. */
export function liveSecrets(
  env: Environment,
  spec: EnvironmentSpec,
  config: pulumi.Config = new pulumi.Config("golive"),
): pulumi.Output<LiveSecrets> {
  const login = spec.verify.login;
  return pulumi.secret(
    pulumi.all({
      postgresPassword: env.postgres?.password,
      redisPassword: env.redis?.password,
      rabbitmqAdminPassword: env.rabbitmq?.passwords.admin,
      loginPassword: login ? config.requireSecret(login.passwordConfig) : undefined,
    }),
  );
}
