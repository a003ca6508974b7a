/** The gateway's TLS on Kubernetes, shared by the Caddy and HAProxy proxies. */
import type { GatewaySpec } from "../config/spec";
import type { KubernetesSecretMount } from "../runtime/workload";

/**
 * With tls.source "secret", the Secret's certificate and key mounted in /etc/golive/tls under the
 * file names the proxy reads; none otherwise.
 */
export function tlsSecretMounts(
  g: GatewaySpec,
  files: { readonly cert: string; readonly key: string },
): KubernetesSecretMount[] {
  return g.tls.source === "secret"
    ? [
        {
          name: "tls",
          secretName: g.tls.secretName,
          mountPath: "/etc/golive/tls",
          items: [
            { key: "tls.crt", path: files.cert },
            { key: "tls.key", path: files.key },
          ],
        },
      ]
    : [];
}
