/**
 * The environment spec: everything golive deploys, read from the stack config key
 * `golive:environment` and validated here, once. Every other module takes the parsed
 * `EnvironmentSpec` and never reads config itself.
 *
 * The schema lives in spec/, one file per area; this barrel is what the rest of golive imports.
 * Each default is written once, on its field: a block whose fields all have defaults is defaulted
 * with `.prefault({})`, so that leaving the block out means exactly what `{}` means.
 */
export { normalizeDate, resourcesSpec, type ResourcesSpec } from "./spec/common";
export {
  healthCheckSpec,
  secretRefSpec,
  serviceSpec,
  type HealthCheckSpec,
  type SecretRefSpec,
  type ServiceSpec,
} from "./spec/services";
export { postgresSpec, type PostgresSpec } from "./spec/postgres";
export {
  elasticsearchSpec,
  minioSpec,
  mongodbSpec,
  rabbitmqSpec,
  redisSpec,
  type ElasticsearchSpec,
  type MinioSpec,
  type MongodbSpec,
  type RabbitmqSpec,
  type RedisSpec,
} from "./spec/data-services";
export {
  alertRuleSpec,
  defaultAlertRuleNames,
  monitoringSpec,
  type AlertRuleSpec,
  type MonitoringSpec,
} from "./spec/monitoring";
export {
  gatewayKubernetesSpec,
  gatewayReplicas,
  gatewayServiceType,
  gatewaySpec,
  tlsSpec,
  type GatewayKubernetesSpec,
  type GatewaySpec,
} from "./spec/gateway";
export {
  canaryLadder,
  canarySpec,
  licenseFileSpec,
  licenseSpec,
  type CanarySpec,
  type LicenseFile,
  type LicenseSpec,
} from "./spec/release";
export { hostSpec, kubernetesSpec, lxcSpec } from "./spec/runtime";
export { verifySpec, type VerifySpec } from "./spec/verify";
export { environmentSpec, type EnvironmentSpec } from "./spec/environment";
