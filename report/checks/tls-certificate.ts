/**
 * tls-certificate: the certificate the gateway serves for its domain is valid now, names the
 * domain, and runs for at least the pack's `minDaysValid` when the customer supplies it (ACME and
 * Caddy's internal CA renew their short-lived certificates themselves: those must be valid, with
 * the days left reported); plain HTTP redirects to HTTPS.
 */
import { fail, pass, reach, skipped, unknown, unreached, type LiveCheck } from "./check";
import { peerCertificate, request } from "./probe";

export const tlsCertificate: LiveCheck = {
  id: "tls-certificate",
  items: ["cgs-assist.ssl-tls-verbindung-pruefen"],
  timeoutSeconds: 10,
  run: async (ctx) => {
    const gw = ctx.env.gateway;
    if (!gw) return skipped("the spec has no gateway");
    const other = unreached(ctx, "the gateway's certificate");
    if (other) return other;
    const access = reach(ctx);
    if (access.unreachable("gateway", "https") !== undefined)
      return unknown("the gateway publishes no host port (gateway.hostPorts) this check can reach");
    const cert = await access.forward("gateway", "https", (port) =>
      peerCertificate(port, gw.domain),
    );
    const problems: string[] = [];
    const notAfter = Date.parse(cert.valid_to);
    const notBefore = Date.parse(cert.valid_from);
    const days = Math.floor((notAfter - ctx.now.getTime()) / 86_400_000);
    const names = (cert.subjectaltname ?? "")
      .split(/,\s*/)
      .filter((n) => n.startsWith("DNS:"))
      .map((n) => n.slice(4));
    const covers = names.some(
      (n) => n === gw.domain || (n.startsWith("*.") && gw.domain.endsWith(n.slice(1))),
    );
    if (!covers) problems.push(`it names ${names.join(", ") || "no DNS name"}, not ${gw.domain}`);
    if (notBefore > ctx.now.getTime()) problems.push(`it is valid only from ${cert.valid_from}`);
    if (notAfter <= ctx.now.getTime()) problems.push(`it expired on ${cert.valid_to}`);
    else if (gw.tls === "file" && days < ctx.minCertDays)
      problems.push(
        `it expires in ${days} days (${cert.valid_to}); at least ${ctx.minCertDays} required`,
      );
    const plain = access.unreachable("gateway", "http") === undefined;
    if (plain) {
      const r = await access.forward("gateway", "http", (port) =>
        request("http", port, gw.healthPath, { host: gw.domain }),
      );
      const location = String(r.headers.location ?? "");
      if (![301, 302, 307, 308].includes(r.status) || !location.startsWith("https://"))
        problems.push(
          `plain HTTP answered ${r.status}${location ? ` → ${location}` : ""}, expected a redirect to https://`,
        );
    }
    const hours = (notAfter - ctx.now.getTime()) / 3_600_000;
    const left = hours < 48 ? `${hours.toFixed(1)} h left` : `${days} days left`;
    const seen = `certificate for ${names.join(", ")} (${gw.tls}), ${left}`;
    return problems.length > 0
      ? fail(`${seen}: ${problems.join("; ")}`)
      : pass(`${seen}${plain ? "; HTTP redirects to HTTPS" : ""}`);
  },
};
