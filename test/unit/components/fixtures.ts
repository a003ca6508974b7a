/** Environment specs shared by the component tests: one per runtime, each exercising every part. */
import { parseSpec } from "../../../components/config/load";
import type { EnvironmentSpec } from "../../../components/config/spec";

const common = {
  postgres: { version: "16", storageGb: 10, resources: { limits: { cpu: "1", memory: "1Gi" } } },
  features: { rag: true },
  services: {
    api: {
      image: "acme/api:1.4.2",
      ports: [{ name: "http", port: 8080, public: true }],
      replicas: 2,
      resources: {
        requests: { cpu: "250m", memory: "256Mi" },
        limits: { cpu: "1", memory: "512Mi" },
      },
      env: { LOG_LEVEL: "INFO" },
      secretEnv: {
        SECRET_KEY: { generate: { length: 48 } },
        OPENAI_API_KEY: { config: "openaiKey" },
      },
      healthCheck: { path: "/health", port: 8080 },
      dependsOn: ["postgres"],
    },
    ocr: {
      image: "acme/ocr-worker:2.0.1",
      worker: true,
      command: ["python", "-m", "ocr.worker"],
      gpu: { count: 1, memoryLimitGb: 20 },
      resources: { limits: { cpu: "4", memory: "8Gi" } },
      healthCheck: { command: ["python", "-m", "ocr.health"] },
      dependsOn: ["api"],
    },
  },
};

export function specFor(extra: Record<string, unknown>): EnvironmentSpec {
  // golive's LXC runtime refuses GPU workloads: the OCR worker runs there without its GPU.
  const services =
    extra.runtime === "lxc"
      ? Object.fromEntries(
          Object.entries(common.services).map(([n, s]) => [n, { ...s, gpu: undefined }]),
        )
      : common.services;
  const parsed = parseSpec({ ...common, services, ...extra });
  if (!parsed.ok) {
    throw new Error(JSON.stringify(parsed.problems, null, 2));
  }
  return parsed.spec;
}
