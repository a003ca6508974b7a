/**
 * app-auth-required: verify.protectedPath refuses a request without credentials (401 or 403) and
 * answers 2xx with the test account's token or cookie from verify.login.
 */
import { fail, pass, unknown, type LiveCheck } from "./check";
import { gatewayTarget, isOutcome, login, viaGateway } from "./gateway";

export const appAuthRequired: LiveCheck = {
  id: "app-auth-required",
  items: ["cgs-assist.authentifizierung-validieren"],
  timeoutSeconds: 20,
  run: async (ctx) => {
    const t = gatewayTarget(ctx);
    if (isOutcome(t)) return t;
    const path = ctx.env.verify.protectedPath;
    if (!path) return unknown("verify.protectedPath not declared");
    const anonymous = await viaGateway(t, path);
    if (anonymous.status !== 401 && anonymous.status !== 403)
      return fail(`${path} without credentials answered ${anonymous.status}, expected 401 or 403`);
    const r = await login(ctx, t);
    if ("problem" in r)
      return r.unknown
        ? unknown(`${path} refused without credentials (${anonymous.status}); ${r.problem}`)
        : fail(
            `${path} refused without credentials (${anonymous.status}), but the login failed: ${r.problem}`,
          );
    const authed = await viaGateway(t, path, { headers: r.credential.headers });
    if (authed.status < 200 || authed.status > 299)
      return fail(`${path} with ${r.credential.what} answered ${authed.status}, expected 2xx`);
    return pass(
      `${path}: ${anonymous.status} without credentials, ${authed.status} with ${r.credential.what}`,
    );
  },
};
