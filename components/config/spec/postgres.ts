/** PostgreSQL: the primary, its streaming replicas, pgBouncer, the WAL archive and backups. */
import { z } from "zod";
import { image, pgIdentifier, resourcesSpec } from "./common";

export const postgresSpec = z
  .object({
    /** Major version; golive defaults to 16 (the checklists demand 15 or later). */
    version: z
      .string()
      .regex(/^\d+(\.\d+)?$/, 'a version such as "16"')
      .default("16"),
    image: image.optional(),
    database: pgIdentifier.default("app"),
    user: pgIdentifier.default("app"),
    storageGb: z.number().int().min(1).default(20),
    resources: resourcesSpec.prefault({}),
    /** Streaming replicas (hot standby, one replication slot each). */
    replicas: z.number().int().min(0).max(5).default(0),
    pgbouncer: z
      .object({
        enabled: z.boolean().default(true),
        poolMode: z.enum(["session", "transaction", "statement"]).default("transaction"),
        maxClientConnections: z.number().int().min(1).default(500),
        defaultPoolSize: z.number().int().min(1).default(20),
        image: image.optional(),
        /**
         * The UID pgBouncer runs as in its image (Bitnami's 1001), which owns the secret userlist.
         * A UID, not a name: a name would be resolved on the machine running Pulumi, not in the image.
         */
        user: z
          .number({ error: "a numeric UID (the user pgBouncer runs as in its image, e.g. 1001)" })
          .int()
          .min(0)
          .default(1001),
      })
      .strict()
      .prefault({}),
    walArchive: z
      .object({
        enabled: z.boolean().default(true),
        storageGb: z.number().int().min(1).default(20),
      })
      .strict()
      .prefault({}),
    backups: z
      .object({
        enabled: z.boolean().default(true),
        intervalHours: z.number().int().min(1).max(168).default(24),
        retentionDays: z.number().int().min(1).default(14),
        storageGb: z.number().int().min(1).default(50),
      })
      .strict()
      .prefault({}),
    exporterImage: image.optional(),
  })
  .strict();

export type PostgresSpec = z.output<typeof postgresSpec>;
