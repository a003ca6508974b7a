import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { one, recordResources, settle, type Recorded } from "../mocks";
import { specFor } from "./fixtures";

const recorded: Recorded[] = recordResources();
pulumi.runtime.setAllConfig({ "golive:openaiKey": "sk-test" }, ["golive:openaiKey"]);

describe("the Kubernetes maintenance page", () => {
  before(async () => {
    const { Environment } = await import("../../../components/environment");
    new Environment("golive-mirror", {
      spec: specFor({
        runtime: "kubernetes",
        tier: "staging",
        imageRegistry: "mirror.example.com/",
        maintenance: { enabled: true, message: "Back at 06:00" },
        gateway: {
          domain: "erp.example.com",
          tls: { source: "secret", secretName: "erp-tls" },
          healthPath: "/health",
          // The page is the Ingress's: the proxy gateway answers 503 itself.
          kubernetes: { mode: "ingress" },
        },
      }),
    });
    await settle();
  });

  it("pulls its image through the environment's imageRegistry, like every other image", () => {
    const d = one(
      recorded,
      "kubernetes:apps/v1:Deployment",
      "golive-mirror-maintenance-deployment",
    );
    assert.equal(
      d.inputs.spec.template.spec.containers[0].image,
      "mirror.example.com/nginxinc/nginx-unprivileged:1.27",
    );
    const api = one(recorded, "kubernetes:apps/v1:Deployment", "golive-mirror-api-deployment");
    assert.equal(
      api.inputs.spec.template.spec.containers[0].image,
      "mirror.example.com/acme/api:1.4.2",
    );
  });

  it("answers 503 with the spec's message", () => {
    const cm = one(recorded, "kubernetes:core/v1:ConfigMap", "golive-mirror-maintenance-files");
    assert.match(
      cm.inputs.data["etc_nginx_conf.d_default.conf"],
      /listen 8080; .*return 503 "Back at 06:00";/,
    );
  });

  it("takes every route but the health path, which stays with the app", () => {
    const ing = one(recorded, "kubernetes:networking.k8s.io/v1:Ingress", "golive-mirror-gateway");
    const paths = ing.inputs.spec.rules[0].http.paths.map(
      (p: any) => `${p.path} -> ${p.backend.service.name}:${p.backend.service.port.number}`,
    );
    assert.deepEqual(paths, ["/health -> api:8080", "/ -> maintenance:8080"]);
    assert.equal(ing.inputs.metadata.annotations["golive.dev/maintenance"], "true");
    assert.equal(
      ing.inputs.metadata.annotations["nginx.ingress.kubernetes.io/custom-http-errors"],
      "503",
    );
  });
});
