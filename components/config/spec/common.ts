/**
 * The building blocks every area of the spec shares: names, images, quantities, ports, dates and
 * resource sizes.
 */
import { z } from "zod";

export const name = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, "a lowercase name of letters, digits and '-' (at most 40)");

/** A PostgreSQL identifier (database or role) that needs no quoting. */
export const pgIdentifier = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, "a lowercase PostgreSQL identifier of letters, digits and '_'");

/** An image reference pinned to a version or a digest (the tag-pinning policy judges `latest`). */
export const image = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._\-/]*(:[A-Za-z0-9._-]+)?(@sha256:[a-f0-9]{64})?$/,
    "an image reference",
  );

/** Kubernetes-style quantities: CPU in cores ("0.5", "500m"), memory as "512Mi", "2Gi". */
export const cpu = z.string().regex(/^\d+(\.\d+)?m?$/, 'a CPU quantity such as "0.5" or "500m"');
export const memory = z
  .string()
  .regex(/^\d+(Ki|Mi|Gi|Ti)$/, 'a memory quantity such as "512Mi" or "2Gi"');

export const port = z.number().int().min(1).max(65535);

/**
 * A calendar day, YYYY-MM-DD. YAML reads an unquoted `2027-03-31` as a timestamp, and Pulumi's
 * stack config hands a timestamp on as Go prints a time: "2027-03-31 00:00:00 +0000 UTC". Both that
 * and an ISO timestamp ("2027-03-31T00:00:00Z") name the day they start with, so they are taken as
 * that day; anything else is refused.
 */
export function normalizeDate(value: string): string {
  const m =
    /^(\d{4}-\d{2}-\d{2})(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?(?: (?:[A-Z]{2,5}|[+-]\d{2,4}))?)?$/.exec(
      value.trim(),
    );
  return m ? m[1] : value;
}

export const date = z
  .string()
  .transform(normalizeDate)
  .pipe(
    z.iso.date({
      error: (issue) =>
        `a date such as 2027-03-31 (YYYY-MM-DD), not ${JSON.stringify(issue.input)}`,
    }),
  );

export const resourcesSpec = z
  .object({
    requests: z.object({ cpu, memory }).strict().optional(),
    limits: z.object({ cpu, memory }).strict().optional(),
  })
  .strict();

export type ResourcesSpec = z.output<typeof resourcesSpec>;
