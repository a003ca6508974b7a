import type { Policies } from "@pulumi/policy";
import { waivable } from "../lib/waivers";
import { alertmanagerDisallowNullReceiver } from "./alertmanager-disallow-null-receiver";
import { bluegreenKeepPreviousColour } from "./bluegreen-keep-previous-colour";
import { canaryEnforceLadderOrder } from "./canary-enforce-ladder-order";
import { corsDisallowWildcard } from "./cors-disallow-wildcard";
import { elasticsearchConfigureIlm } from "./elasticsearch-configure-ilm";
import { elasticsearchEnableSecurity } from "./elasticsearch-enable-security";
import { featuresRequireCriticalFlags } from "./features-require-critical-flags";
import { gpuEnforceMemoryLimit } from "./gpu-enforce-memory-limit";
import { hostEnforceMinimums } from "./host-enforce-minimums";
import { imageDisallowLatestTag } from "./image-disallow-latest-tag";
import { licenseRequireValid } from "./license-require-valid";
import { loggingDisallowDebugInProduction } from "./logging-disallow-debug-in-production";
import { monitoringConfigureAlertRules } from "./monitoring-configure-alert-rules";
import { monitoringMissingScrapeTargets } from "./monitoring-missing-scrape-targets";
import { monitoringMissingStack } from "./monitoring-missing-stack";
import { postgresEnableWalArchiving } from "./postgres-enable-wal-archiving";
import { postgresEnforceMinVersion } from "./postgres-enforce-min-version";
import { postgresMissingBackup } from "./postgres-missing-backup";
import { postgresMissingPgbouncer } from "./postgres-missing-pgbouncer";
import { postgresMissingReplica } from "./postgres-missing-replica";
import { rabbitmqDisallowGuest } from "./rabbitmq-disallow-guest";
import { rabbitmqEnableManagement } from "./rabbitmq-enable-management";
import { rabbitmqEnforceMinVersion } from "./rabbitmq-enforce-min-version";
import { redisConfigureEviction } from "./redis-configure-eviction";
import { redisEnablePersistence } from "./redis-enable-persistence";
import { secretsDisallowPlainConfigFiles } from "./secrets-disallow-plain-config-files";
import { secretsDisallowPlainEnv } from "./secrets-disallow-plain-env";
import { secretsEnforceMinLength } from "./secrets-enforce-min-length";
import { startupEnforceDependencyOrder } from "./startup-enforce-dependency-order";
import { tlsEnforceCertificateValidity } from "./tls-enforce-certificate-validity";
import { tlsRequirePublicEndpoints } from "./tls-require-public-endpoints";
import { waiversDisallowExpired } from "./waivers-disallow-expired";
import { waiversReportActive } from "./waivers-report-active";
import { workloadDisallowPrivileged } from "./workload-disallow-privileged";
import { workloadEnforceNonRoot } from "./workload-enforce-non-root";
import { workloadEnforceReplicasPdb } from "./workload-enforce-replicas-pdb";
import { workloadMissingHealthcheck } from "./workload-missing-healthcheck";
import { workloadMissingLabels } from "./workload-missing-labels";
import { workloadMissingResourceLimits } from "./workload-missing-resource-limits";

/** Every policy as written, in name order (tests use these directly). */
export const rawPolicies = [
  alertmanagerDisallowNullReceiver,
  bluegreenKeepPreviousColour,
  canaryEnforceLadderOrder,
  corsDisallowWildcard,
  elasticsearchConfigureIlm,
  elasticsearchEnableSecurity,
  featuresRequireCriticalFlags,
  gpuEnforceMemoryLimit,
  hostEnforceMinimums,
  imageDisallowLatestTag,
  licenseRequireValid,
  loggingDisallowDebugInProduction,
  monitoringConfigureAlertRules,
  monitoringMissingScrapeTargets,
  monitoringMissingStack,
  postgresEnableWalArchiving,
  postgresEnforceMinVersion,
  postgresMissingBackup,
  postgresMissingPgbouncer,
  postgresMissingReplica,
  rabbitmqDisallowGuest,
  rabbitmqEnableManagement,
  rabbitmqEnforceMinVersion,
  redisConfigureEviction,
  redisEnablePersistence,
  secretsDisallowPlainConfigFiles,
  secretsDisallowPlainEnv,
  secretsEnforceMinLength,
  startupEnforceDependencyOrder,
  tlsEnforceCertificateValidity,
  tlsRequirePublicEndpoints,
  waiversDisallowExpired,
  waiversReportActive,
  workloadDisallowPrivileged,
  workloadEnforceNonRoot,
  workloadEnforceReplicasPdb,
  workloadMissingHealthcheck,
  workloadMissingLabels,
  workloadMissingResourceLimits,
];

/** The pack's policies: each honours waivers, except the two that report on waivers themselves. */
export const policies: Policies = rawPolicies.map((p) =>
  p.name.startsWith("waivers-") ? p : waivable(p),
);
