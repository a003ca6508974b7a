/**
 * A generated environment of N app services on the Docker runtime, for the scale test and the
 * benchmark: every service as a real one is written (pinned image, ports, HTTP or command health
 * check, requests and limits, dependencies on PostgreSQL and Redis), with the default data
 * services and monitoring. It previews clean through the policy pack at staging's settings, but
 * for one replica per service (test/scenarios/generated.policy.json): a size test, not an
 * availability one, and twice the containers would only slow it.
 */
import YAML from "yaml";

export function generatedSpec(services: number): Record<string, unknown> {
  const apps: Record<string, unknown> = {};
  for (let i = 1; i <= services; i++) {
    const name = `svc-${String(i).padStart(4, "0")}`;
    const worker = i % 10 === 0;
    const port = 8000 + (i % 1000);
    apps[name] = {
      image: `acme/${name}:1.${i % 7}.${i % 13}`,
      ...(worker
        ? {
            worker: true,
            command: ["python", "-m", `acme.${name.replace("-", "_")}.worker`],
            healthCheck: { command: ["python", "-m", "acme.healthcheck"] },
          }
        : {
            // One service in fifty is published through the gateway.
            ports: [{ name: "http", port, public: i % 50 === 1 }],
            healthCheck: { path: "/health", port },
          }),
      resources: {
        requests: { cpu: "100m", memory: "128Mi" },
        limits: { cpu: "500m", memory: "512Mi" },
      },
      env: { LOG_LEVEL: "INFO", SERVICE_NAME: name },
      ...(i % 10 === 1 ? { secretEnv: { SECRET_KEY: { generate: { length: 48 } } } } : {}),
      dependsOn: i % 2 === 0 ? ["postgres", "redis"] : ["postgres"],
    };
  }
  return {
    runtime: "docker",
    tier: "staging",
    host: { cpuCores: 64, memoryGb: 512, diskGb: 2000 },
    gateway: {
      domain: "scale.example.com",
      proxy: "caddy",
      tls: { source: "internal" },
      cors: { origins: ["https://scale.example.com"] },
      rateLimit: { requestsPerSecond: 100 },
    },
    postgres: {
      version: "16",
      replicas: 1,
      resources: {
        requests: { cpu: "1", memory: "2Gi" },
        limits: { cpu: "4", memory: "8Gi" },
      },
    },
    redis: { version: "7.2" },
    monitoring: { receiver: { kind: "webhook", url: "https://alerts.example.com/hooks/scale" } },
    services: apps,
  };
}

/** The spec as a spec file's text (what `golive:specFile` names). */
export function specFileText(services: number): string {
  return YAML.stringify(generatedSpec(services));
}

/** A stack config (Pulumi.<stack>.yaml) holding the spec inline in `golive:environment`. */
export function inlineStackConfig(services: number): string {
  return YAML.stringify({ config: { "golive:environment": generatedSpec(services) } });
}

/** A stack config naming the spec file. */
export function specFileStackConfig(file: string): string {
  return YAML.stringify({ config: { "golive:specFile": file } });
}
