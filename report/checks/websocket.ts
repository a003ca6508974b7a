/** The WebSocket opening handshake (RFC 6455 §4), over TLS to the gateway. */
import { createHash, randomBytes } from "node:crypto";
import * as tls from "node:tls";

/** The Sec-WebSocket-Accept a server must answer for a key (RFC 6455 §4.2.2). */
export function websocketAccept(key: string): string {
  return createHash("sha1")
    .update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
    .digest("base64");
}

/** Sends an upgrade request for `path`; resolves the status line's code and the response headers. */
export function websocketUpgrade(
  port: number,
  domain: string,
  path: string,
  timeoutSeconds = 5,
): Promise<{ status: number; headers: Record<string, string>; key: string }> {
  const key = randomBytes(16).toString("base64");
  return new Promise((resolve, reject) => {
    const s = tls.connect({
      host: "127.0.0.1",
      port,
      servername: domain,
      rejectUnauthorized: false,
      ALPNProtocols: ["http/1.1"],
    });
    let data = "";
    s.setTimeout(timeoutSeconds * 1000, () =>
      s.destroy(new Error(`wss://${domain}:${port}${path}: no answer within ${timeoutSeconds} s`)),
    );
    s.on("secureConnect", () =>
      s.write(
        [
          `GET ${path} HTTP/1.1`,
          `Host: ${domain}:${port}`,
          "Upgrade: websocket",
          "Connection: Upgrade",
          `Sec-WebSocket-Key: ${key}`,
          "Sec-WebSocket-Version: 13",
          "",
          "",
        ].join("\r\n"),
      ),
    );
    s.on("data", (c: Buffer) => {
      data += c.toString("latin1");
      const end = data.indexOf("\r\n\r\n");
      if (end < 0) return;
      const [statusLine, ...lines] = data.slice(0, end).split("\r\n");
      const headers = Object.fromEntries(
        lines.map((l) => [
          l.slice(0, l.indexOf(":")).trim().toLowerCase(),
          l.slice(l.indexOf(":") + 1).trim(),
        ]),
      );
      s.destroy();
      resolve({ status: Number(statusLine.split(" ")[1]), headers, key });
    });
    s.on("error", (e: Error) => reject(new Error(`wss://${domain}:${port}${path}: ${e.message}`)));
    s.on("close", () =>
      reject(new Error(`wss://${domain}:${port}${path}: closed without an answer`)),
    );
  });
}
