/** tls-*: every public endpoint behind TLS, and supplied certificates valid long enough. */
import { describe, it } from "node:test";
import { tlsEnforceCertificateValidity } from "../../../policies/rules/tls-enforce-certificate-validity";
import { tlsRequirePublicEndpoints } from "../../../policies/rules/tls-require-public-endpoints";
import {
  dockerApp,
  k8sDeployment,
  none,
  onDay,
  one,
  runResource,
  unknown,
  type Res,
} from "./harness";

describe("tls-require-public-endpoints", () => {
  const ingress = (tls: unknown): Res => ({
    type: "kubernetes:networking.k8s.io/v1:Ingress",
    props: { spec: { rules: [{ host: "erp.example.com" }], tls } },
  });

  it("accepts an Ingress whose host has a TLS entry", async () => {
    none(
      await runResource(
        tlsRequirePublicEndpoints,
        ingress([{ hosts: ["erp.example.com"], secretName: "t" }]),
      ),
    );
  });

  it("refuses an Ingress host without a TLS entry", async () => {
    one(
      await runResource(tlsRequirePublicEndpoints, ingress([])),
      /erp\.example\.com has no TLS entry/,
    );
  });

  it("refuses a container port published on 0.0.0.0", async () => {
    one(
      await runResource(
        tlsRequirePublicEndpoints,
        dockerApp({ ports: [{ internal: 8080, external: 8080, ip: "0.0.0.0" }] }),
      ),
      /published on 0\.0\.0\.0/,
    );
  });

  it("accepts a container port published on 127.0.0.1 only", async () => {
    none(
      await runResource(
        tlsRequirePublicEndpoints,
        dockerApp({ ports: [{ internal: 8080, external: 18080, ip: "127.0.0.1" }] }),
      ),
    );
  });

  it("refuses a LoadBalancer Service, which bypasses the gateway", async () => {
    one(
      await runResource(tlsRequirePublicEndpoints, {
        type: "kubernetes:core/v1:Service",
        name: "api",
        props: { spec: { type: "LoadBalancer" } },
      }),
      /LoadBalancer/,
    );
  });

  /** golive's proxy gateway on Kubernetes: its Service, published, with the gateway's facts. */
  const gatewayService = (
    over: { labels?: Record<string, string>; ports?: unknown; type?: string } = {},
  ): Res => ({
    type: "kubernetes:core/v1:Service",
    name: "gateway",
    props: {
      metadata: {
        labels: over.labels ?? {
          "app.kubernetes.io/component": "gateway",
          "golive.dev/tls-source": "secret",
        },
      },
      spec: {
        type: over.type ?? "NodePort",
        ports: over.ports ?? [
          { name: "http", port: 80, targetPort: 80, nodePort: 30080 },
          { name: "https", port: 443, targetPort: 443 },
        ],
      },
    },
  });

  it("accepts the gateway's NodePort or LoadBalancer Service on 80 and 443", async () => {
    none(await runResource(tlsRequirePublicEndpoints, gatewayService()));
    none(await runResource(tlsRequirePublicEndpoints, gatewayService({ type: "LoadBalancer" })));
  });

  it("refuses the gateway's Service when it declares no TLS certificate source", async () => {
    one(
      await runResource(
        tlsRequirePublicEndpoints,
        gatewayService({ labels: { "app.kubernetes.io/component": "gateway" } }),
      ),
      /gateway's Service gateway declares no TLS certificate source/,
    );
  });

  it("refuses a published gateway port other than 80 and 443, and ports unknown at preview", async () => {
    one(
      await runResource(
        tlsRequirePublicEndpoints,
        gatewayService({ ports: [{ port: 443 }, { port: 8081 }] }),
      ),
      /publishes port 8081; only 443/,
    );
    one(
      await runResource(tlsRequirePublicEndpoints, gatewayService({ ports: [{ port: unknown }] })),
      /its ports is unknown at preview/,
    );
  });

  it("refuses a published Service of another component, even on 443", async () => {
    one(
      await runResource(
        tlsRequirePublicEndpoints,
        gatewayService({
          labels: { "app.kubernetes.io/component": "app" },
          ports: [{ port: 443 }],
        }),
      ),
      /published as NodePort; route it through the TLS gateway/,
    );
  });

  it("refuses a gateway Deployment that declares no TLS certificate source, accepts one that does", async () => {
    const gateway = (labels: Record<string, string>): Res => {
      const d = k8sDeployment();
      Object.assign(d.props.spec.template.metadata.labels, {
        "app.kubernetes.io/component": "gateway",
        ...labels,
      });
      return d;
    };
    one(
      await runResource(tlsRequirePublicEndpoints, gateway({})),
      /gateway api declares no TLS certificate source/,
    );
    none(
      await runResource(tlsRequirePublicEndpoints, gateway({ "golive.dev/tls-source": "file" })),
    );
  });
});

describe("tls-enforce-certificate-validity", () => {
  it("accepts a certificate valid for more than 30 days", async () => {
    await onDay("2026-11-21", async () =>
      none(
        await runResource(
          tlsEnforceCertificateValidity,
          dockerApp({}, { "golive.dev/tls-not-after": "2027-06-01T00:00:00.000Z" }),
        ),
      ),
    );
  });

  it("refuses a certificate that expires within 30 days, saying in how many", async () => {
    await onDay("2026-11-21", async () =>
      one(
        await runResource(
          tlsEnforceCertificateValidity,
          dockerApp({}, { "golive.dev/tls-not-after": "2026-12-10T00:00:00.000Z" }),
        ),
        /19 days/,
      ),
    );
  });

  it("reads the expiry off the Kubernetes proxy gateway's Deployment (an annotation)", async () => {
    const gateway = (notAfter: string): Res => {
      const d = k8sDeployment();
      d.props.metadata.annotations = { "golive.dev/tls-not-after": notAfter };
      return d;
    };
    await onDay("2026-11-21", async () => {
      one(
        await runResource(tlsEnforceCertificateValidity, gateway("2026-12-10T00:00:00.000Z")),
        /19 days/,
      );
      none(await runResource(tlsEnforceCertificateValidity, gateway("2027-06-01T00:00:00.000Z")));
    });
  });
});
