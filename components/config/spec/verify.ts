/**
 * What the go-live report's live checks do that only the application can say: its smoke suite,
 * how its test account logs in, which route needs a login, where its WebSocket is, the extra paths
 * to call, a bounded load test, what counts as an error in its logs, and which runtime package and
 * dependency check its containers must pass. golive deploys none of it; `golive verify` reads it
 * from the stack outputs. A check whose declaration is missing answers unknown, naming the key.
 */
import { z } from "zod";

const urlPath = z.string().startsWith("/", "a path starting with / such as /api/v1/status");

/** A regular expression in JavaScript's syntax, refused at preview when it does not compile. */
const pattern = z.string().refine(
  (p) => {
    try {
      new RegExp(p);
      return true;
    } catch {
      return false;
    }
  },
  { message: "a regular expression (JavaScript syntax) that compiles" },
);

/** A command as an argument list: run without a shell, so nothing in it is expanded. */
const command = z.array(z.string().min(1)).min(1, "a command as a list such as [npm, run, smoke]");

export const verifySpec = z
  .object({
    /**
     * The application's own smoke suite, run on the operator's machine with GOLIVE_URL (the
     * gateway's https URL), GOLIVE_DOMAIN, GOLIVE_PORT and GOLIVE_PREFIX in its environment; exit
     * 0 passes. Run in the directory golive is run in.
     */
    smoke: z
      .object({
        command,
        /** Stopped, and unknown, after this many seconds. Defaults to 120, at most 600. */
        timeoutSeconds: z.number().int().min(1).max(600).default(120),
      })
      .strict()
      .optional(),
    /** The test account's login through the gateway (the password from a secret config key). */
    login: z
      .object({
        path: urlPath,
        method: z.enum(["POST", "PUT"]).default("POST"),
        username: z.string().min(1),
        /** The secret config key holding the password: `pulumi config set --secret golive:<key>`. */
        passwordConfig: z.string().min(1),
        /** The JSON body's field names. Defaults to username and password. */
        fields: z
          .object({
            username: z.string().min(1).default("username"),
            password: z.string().min(1).default("password"),
          })
          .strict()
          .prefault({}),
        /** What a successful login returns: a JSON field holding a token, or a named cookie. */
        expect: z.union([
          z.object({ token: z.string().min(1) }).strict(),
          z.object({ cookie: z.string().min(1) }).strict(),
        ]),
      })
      .strict()
      .optional(),
    /** A route that refuses a request without credentials (401/403) and accepts the test account's. */
    protectedPath: urlPath.optional(),
    /** A path that upgrades to a WebSocket through the gateway. */
    websocketPath: urlPath.optional(),
    /** Paths the items name (admin panel, versioned API, dashboard) that must answer 2xx or 3xx. */
    routes: z.array(urlPath).default([]),
    /** A bounded load test through the gateway, judged by monitoring.thresholds. */
    load: z
      .object({
        /** Defaults to the gateway's health path. */
        path: urlPath.optional(),
        requests: z.number().int().min(1).max(10000).default(200),
        concurrency: z.number().int().min(1).max(50).default(10),
      })
      .strict()
      .optional(),
    /** The health path's latency bound through the gateway (median of 5 requests). Defaults to 50. */
    gatewayLatencyMs: z.number().int().min(1).default(50),
    /** A log line matching this is an error (app containers and PostgreSQL, since they started). */
    logErrorPattern: pattern.default("\\b(ERROR|CRITICAL|FATAL|PANIC)\\b"),
    /** The watch window after a deploy in which no critical alert may fire. Defaults to 24 h. */
    alertWindowMinutes: z.number().int().min(1).max(43200).default(1440),
    /** Runtime packages every app container must have: a version command and what it must print. */
    packages: z.array(z.object({ command, expect: pattern }).strict()).default([]),
    /** A command, run in every app container, that exits 0 when its dependencies are complete. */
    dependencies: z.object({ command }).strict().optional(),
  })
  .strict();

export type VerifySpec = z.output<typeof verifySpec>;
