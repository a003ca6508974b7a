/** image-*: images are pinned to a version or a digest. */
import { describe, it } from "node:test";
import { imageDisallowLatestTag } from "../../../policies/rules/image-disallow-latest-tag";
import { dockerApp, k8sDeployment, none, one, runResource } from "./harness";

describe("image-disallow-latest-tag", () => {
  it("accepts an image pinned to a version tag or to a digest", async () => {
    none(await runResource(imageDisallowLatestTag, dockerApp()));
    none(
      await runResource(
        imageDisallowLatestTag,
        dockerApp({ image: "acme/api@sha256:" + "a".repeat(64) }),
      ),
    );
  });

  it("refuses the latest tag", async () => {
    one(
      await runResource(imageDisallowLatestTag, dockerApp({ image: "acme/api:latest" })),
      /is no version/,
    );
  });

  it("refuses an image without a tag, naming it", async () => {
    one(await runResource(imageDisallowLatestTag, dockerApp({ image: "acme/api" })), /acme\/api/);
  });

  it("refuses latest in a Kubernetes container, naming its workload", async () => {
    one(
      await runResource(imageDisallowLatestTag, k8sDeployment({ image: "acme/api:latest" })),
      /kubernetes workload "api"/,
    );
  });
});
