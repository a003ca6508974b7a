/** tls-*: every public endpoint behind TLS, and supplied certificates valid long enough. */
import { describe, it } from "node:test";
import { tlsEnforceCertificateValidity } from "../../../policies/rules/tls-enforce-certificate-validity";
import { tlsRequirePublicEndpoints } from "../../../policies/rules/tls-require-public-endpoints";
import { dockerApp, none, onDay, one, runResource, type Res } from "./harness";

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
});
