/**
 * app-smoke: the application's own smoke suite (verify.smoke.command), run on the operator's
 * machine from the project folder with GOLIVE_URL, GOLIVE_DOMAIN, GOLIVE_PORT and GOLIVE_PREFIX
 * set; exit 0 passes. Its output's last lines are quoted on a failure.
 */
import { fail, pass, unknown, type LiveCheck } from "./check";
import { gatewayTarget, isOutcome } from "./gateway";
import { exec } from "./inside";

/** The last `n` non-empty lines of a command's output, for a failure's message. */
export function tail(text: string, n = 5): string {
  return text
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l !== "")
    .slice(-n)
    .join(" | ");
}

export const appSmoke: LiveCheck = {
  id: "app-smoke",
  items: [
    "cgs-assist.api-endpoints-testen",
    "cgs-assist.smoke-tests-ausfuehren",
    "valero-neuroerp.api-endpunkte-funktional",
    "ablage.dokument-upload-funktioniert",
    "ablage.ocr-verarbeitung-funktioniert",
    "ablage.export-funktioniert",
    "psa-platform.smoke-tests",
    "psa-platform.ticket-erstellen-funktioniert",
    "psa-platform.reports-generieren",
    "psa-platform.19-3.smoke-tests",
  ],
  // The runner's deadline; the command's own (verify.smoke.timeoutSeconds, at most 600) is shorter.
  timeoutSeconds: 610,
  run: async (ctx) => {
    const smoke = ctx.env.verify.smoke;
    if (!smoke) return unknown("verify.smoke not declared");
    const t = gatewayTarget(ctx);
    if (isOutcome(t)) return t;
    const [cmd, ...args] = smoke.command;
    const r = await exec(cmd, args, {
      timeoutSeconds: smoke.timeoutSeconds,
      env: {
        ...process.env,
        GOLIVE_URL: t.url,
        GOLIVE_DOMAIN: t.domain,
        GOLIVE_PORT: String(t.port),
        GOLIVE_PREFIX: ctx.env.prefix,
      },
    });
    const what = smoke.command.join(" ");
    if (r.code === -1) return unknown(`${what}: no exit within ${smoke.timeoutSeconds} s`);
    if (r.code === 127 && r.stderr.endsWith(": not found"))
      return unknown(`${what}: ${cmd} not found`);
    const out = tail(`${r.stdout}\n${r.stderr}`);
    return r.code === 0
      ? pass(`${what} against ${t.url} exited 0`)
      : fail(`${what} against ${t.url} exited ${r.code}, expected 0${out ? `: ${out}` : ""}`);
  },
};
