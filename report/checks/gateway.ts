/**
 * Reaching the application through its gateway for the checks: the gateway's https port and
 * domain, a request by path, and the test account's login (verify.login) whose token or cookie
 * the protected-route check sends.
 */
import type { LiveVerify } from "../../policies/lib/contract";
import { skipped, unknown, type CheckContext, type Outcome } from "./check";
import { request, type HttpAnswer } from "./probe";

export interface GatewayTarget {
  readonly port: number;
  readonly domain: string;
  /** `https://<domain>:<port>`, what a smoke suite is given as GOLIVE_URL. */
  readonly url: string;
}

/** The gateway to send requests to, or the outcome saying why there is none. */
export function gatewayTarget(ctx: CheckContext): GatewayTarget | Outcome {
  const gw = ctx.env.gateway;
  if (!gw) return skipped("the spec has no gateway");
  if (gw.httpsPort === undefined)
    return unknown("the gateway publishes no host port (gateway.hostPorts) this check can reach");
  return { port: gw.httpsPort, domain: gw.domain, url: `https://${gw.domain}:${gw.httpsPort}` };
}

export const isOutcome = (t: GatewayTarget | Outcome): t is Outcome => "status" in t;

/** One request through the gateway over TLS, with the gateway's domain as Host and SNI. */
export function viaGateway(
  t: GatewayTarget,
  path: string,
  opts: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    timeoutSeconds?: number;
  } = {},
): Promise<HttpAnswer> {
  return request("https", t.port, path, { host: t.domain, ...opts });
}

/** The credential a login returned: a header to send it back with, and what it was (never its value). */
export interface Credential {
  readonly headers: Record<string, string>;
  readonly what: string;
}

/**
 * What a login answer carries, by verify.login.expect: the JSON field's token (sent back as a
 * Bearer token) or the named cookie; a string saying what was missing otherwise. Never returns
 * or quotes the secret itself in a message.
 */
export function credentialOf(
  expect: NonNullable<LiveVerify["login"]>["expect"],
  answer: HttpAnswer,
): Credential | string {
  if ("token" in expect) {
    let token: unknown;
    try {
      token = (JSON.parse(answer.body) as Record<string, unknown>)[expect.token];
    } catch {
      return `the answer is not JSON, expected a field "${expect.token}"`;
    }
    if (typeof token !== "string" || token === "")
      return `the answer has no string field "${expect.token}"`;
    return { headers: { Authorization: `Bearer ${token}` }, what: `a token in "${expect.token}"` };
  }
  const cookies = [answer.headers["set-cookie"] ?? []].flat();
  const mine = cookies
    .map((c) => c.split(";")[0])
    .find((c) => c.slice(0, c.indexOf("=")) === expect.cookie && c.indexOf("=") < c.length - 1);
  if (!mine) return `no cookie "${expect.cookie}" was set`;
  return { headers: { Cookie: mine }, what: `a cookie "${expect.cookie}"` };
}

/** Logs the test account in through the gateway: its credential, or a failure saying what was seen. */
export async function login(
  ctx: CheckContext,
  t: GatewayTarget,
): Promise<{ credential: Credential; status: number } | { problem: string; unknown?: true }> {
  const l = ctx.env.verify.login;
  if (!l) return { problem: "verify.login not declared", unknown: true };
  const password = ctx.secrets.loginPassword;
  if (password === undefined)
    return {
      problem: `the stack's secrets carry no password for ${l.username} (verify.login.passwordConfig)`,
      unknown: true,
    };
  const body = JSON.stringify({ [l.fields.username]: l.username, [l.fields.password]: password });
  const r = await viaGateway(t, l.path, {
    method: l.method,
    headers: {
      "Content-Type": "application/json",
      "Content-Length": String(Buffer.byteLength(body)),
    },
    body,
  });
  const where = `${l.method} ${l.path} as ${l.username}`;
  if (r.status < 200 || r.status > 299)
    return { problem: `${where} answered ${r.status}, expected 2xx` };
  const c = credentialOf(l.expect, r);
  if (typeof c === "string") return { problem: `${where} answered ${r.status} but ${c}` };
  return { credential: c, status: r.status };
}
