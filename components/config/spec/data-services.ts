/** The data services other than PostgreSQL: Redis, RabbitMQ, Elasticsearch, MinIO, MongoDB. */
import { z } from "zod";
import { image, memory, name, resourcesSpec } from "./common";

export const redisSpec = z
  .object({
    version: z
      .string()
      .regex(/^\d+(\.\d+)*$/, 'a version such as "7.2"')
      .default("7.2"),
    image: image.optional(),
    /** maxmemory; defaults to 75 % of the memory limit. */
    maxmemoryMb: z.number().int().min(16).optional(),
    maxmemoryPolicy: z
      .enum([
        "allkeys-lru",
        "allkeys-lfu",
        "volatile-lru",
        "volatile-lfu",
        "allkeys-random",
        "volatile-random",
        "volatile-ttl",
        "noeviction",
      ])
      .default("allkeys-lru"),
    appendonly: z.boolean().default(true),
    appendfsync: z.enum(["always", "everysec", "no"]).default("everysec"),
    /** RDB snapshot rules ("seconds changes"); empty turns RDB off. */
    save: z
      .array(z.string().regex(/^\d+ \d+$/, 'a rule such as "900 1"'))
      .default(["900 1", "300 10", "60 10000"]),
    storageGb: z.number().int().min(1).default(5),
    resources: resourcesSpec.prefault({ limits: { cpu: "1", memory: "512Mi" } }),
    exporterImage: image.optional(),
  })
  .strict();

export const rabbitmqSpec = z
  .object({
    version: z
      .string()
      .regex(/^\d+\.\d+(\.\d+)?$/, 'a version such as "3.13"')
      .default("3.13"),
    image: image.optional(),
    vhosts: z.array(z.string().min(1)).default(["/"]),
    /** Users other than the admin golive creates; passwords are generated. Never "guest". */
    users: z
      .record(
        z.string().min(1),
        z
          .object({
            tags: z.array(z.string()).default([]),
            /** vhost -> configure/write/read regexes. */
            permissions: z
              .record(
                z.string(),
                z.object({ configure: z.string(), write: z.string(), read: z.string() }).strict(),
              )
              .default({}),
          })
          .strict(),
      )
      .default({}),
    queues: z
      .array(
        z
          .object({
            name: z.string().min(1),
            vhost: z.string().default("/"),
            type: z.enum(["quorum", "stream", "classic"]).default("quorum"),
            durable: z.boolean().default(true),
          })
          .strict(),
      )
      .default([]),
    plugins: z.array(z.string()).default(["rabbitmq_management", "rabbitmq_prometheus"]),
    storageGb: z.number().int().min(1).default(10),
    resources: resourcesSpec.prefault({ limits: { cpu: "1", memory: "1Gi" } }),
  })
  .strict();

export const elasticsearchSpec = z
  .object({
    version: z
      .string()
      .regex(/^\d+\.\d+\.\d+$/, 'a version such as "8.15.0"')
      .default("8.15.0"),
    image: image.optional(),
    security: z.boolean().default(true),
    memory: memory.default("2Gi"),
    storageGb: z.number().int().min(1).default(50),
    /** ILM policies: delete after N days, roll over at size/age. */
    ilmPolicies: z
      .record(
        name,
        z
          .object({
            rolloverMaxAgeDays: z.number().int().min(1).default(1),
            rolloverMaxSizeGb: z.number().int().min(1).default(50),
            deleteAfterDays: z.number().int().min(1),
          })
          .strict(),
      )
      .default({}),
    /** Index templates: index patterns and the ILM policy they apply. */
    indexTemplates: z
      .record(
        name,
        z
          .object({
            indexPatterns: z.array(z.string().min(1)).min(1),
            ilmPolicy: name.optional(),
            shards: z.number().int().min(1).default(1),
            replicas: z.number().int().min(0).default(0),
          })
          .strict(),
      )
      .default({}),
  })
  .strict();

export const minioSpec = z
  .object({
    image: image.default("minio/minio:RELEASE.2024-10-13T13-34-11Z"),
    buckets: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9.-]{2,62}$/, "an S3 bucket name"))
      .default([]),
    storageGb: z.number().int().min(1).default(100),
    resources: resourcesSpec.prefault({ limits: { cpu: "1", memory: "1Gi" } }),
  })
  .strict();

export const mongodbSpec = z
  .object({
    version: z
      .string()
      .regex(/^\d+\.\d+$/, 'a version such as "7.0"')
      .default("7.0"),
    image: image.optional(),
    database: name.default("app"),
    storageGb: z.number().int().min(1).default(20),
    resources: resourcesSpec.prefault({ limits: { cpu: "1", memory: "2Gi" } }),
  })
  .strict();

export type RedisSpec = z.output<typeof redisSpec>;
export type RabbitmqSpec = z.output<typeof rabbitmqSpec>;
export type ElasticsearchSpec = z.output<typeof elasticsearchSpec>;
export type MinioSpec = z.output<typeof minioSpec>;
export type MongodbSpec = z.output<typeof mongodbSpec>;
