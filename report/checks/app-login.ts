/** app-login: the test account (verify.login) logs in through the gateway and gets a token or session cookie. */
import { fail, pass, unknown, type LiveCheck } from "./check";
import { gatewayTarget, isOutcome, login } from "./gateway";

export const appLogin: LiveCheck = {
  id: "app-login",
  items: [
    "cgs-assist.login-authentifizierung",
    "ablage.login-funktioniert",
    "psa-platform.login-funktioniert",
  ],
  timeoutSeconds: 20,
  run: async (ctx) => {
    const t = gatewayTarget(ctx);
    if (isOutcome(t)) return t;
    const r = await login(ctx, t);
    if ("problem" in r) return r.unknown ? unknown(r.problem) : fail(r.problem);
    const l = ctx.env.verify.login!;
    return pass(
      `${l.method} ${l.path} as ${l.username} answered ${r.status} with ${r.credential.what}`,
    );
  },
};
