/**
 * workload-*: every workload has a health check, resource limits, golive's labels, runs
 * unprivileged and not as root, and (on Kubernetes) has replicas and a PodDisruptionBudget.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { workloadDisallowPrivileged } from "../../../policies/rules/workload-disallow-privileged";
import { workloadEnforceNonRoot } from "../../../policies/rules/workload-enforce-non-root";
import { workloadEnforceReplicasPdb } from "../../../policies/rules/workload-enforce-replicas-pdb";
import { workloadMissingHealthcheck } from "../../../policies/rules/workload-missing-healthcheck";
import { workloadMissingLabels } from "../../../policies/rules/workload-missing-labels";
import { workloadMissingResourceLimits } from "../../../policies/rules/workload-missing-resource-limits";
import {
  dockerApp,
  k8sDeployment,
  lxcContainer,
  lxcService,
  messages,
  none,
  one,
  runResource,
  runStack,
  type Res,
} from "./harness";

describe("workload-missing-healthcheck", () => {
  it("accepts a container with a health check", async () => {
    none(await runResource(workloadMissingHealthcheck, dockerApp()));
  });

  it("refuses a Docker container without a health check", async () => {
    one(
      await runResource(workloadMissingHealthcheck, dockerApp({ healthcheck: undefined })),
      /no liveness or readiness check/,
    );
  });

  it("exempts a one-off job (an attached container)", async () => {
    none(
      await runResource(
        workloadMissingHealthcheck,
        dockerApp({ healthcheck: undefined, attach: true }),
      ),
    );
  });

  it("refuses a Kubernetes container without a readiness probe", async () => {
    one(
      await runResource(workloadMissingHealthcheck, k8sDeployment({ readinessProbe: undefined })),
      /no readiness check/,
    );
  });
});

describe("workload-missing-resource-limits", () => {
  it("accepts a container with CPU and memory limits", async () => {
    none(await runResource(workloadMissingResourceLimits, dockerApp()));
  });

  it("refuses a Docker container without a memory limit", async () => {
    one(
      await runResource(workloadMissingResourceLimits, dockerApp({ memory: undefined })),
      /memory limit/,
    );
  });

  it("names the requests a Kubernetes container with limits only lacks", async () => {
    one(
      await runResource(
        workloadMissingResourceLimits,
        k8sDeployment({ resources: { limits: { cpu: "1", memory: "1Gi" } } }),
      ),
      /CPU request, memory request/,
    );
  });
});

describe("workload-disallow-privileged", () => {
  it("accepts an unprivileged Docker container", async () => {
    none(await runResource(workloadDisallowPrivileged, dockerApp()));
  });

  it("refuses a privileged Docker container", async () => {
    one(
      await runResource(workloadDisallowPrivileged, dockerApp({ privileged: true })),
      /privileged/,
    );
  });

  it("refuses a Docker container on the host network", async () => {
    one(
      await runResource(workloadDisallowPrivileged, dockerApp({ networkMode: "host" })),
      /host network/,
    );
  });

  it("refuses a container that mounts the Docker socket", async () => {
    one(
      await runResource(
        workloadDisallowPrivileged,
        dockerApp({
          volumes: [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }],
        }),
      ),
      /Docker socket/,
    );
  });

  it("refuses a Kubernetes pod on the host network", async () => {
    one(
      await runResource(workloadDisallowPrivileged, k8sDeployment({}, {}, { hostNetwork: true })),
      /host network/,
    );
  });

  it("accepts an unprivileged LXC container", async () => {
    assert.deepEqual(
      await runResource(workloadDisallowPrivileged, lxcContainer("api", 200, "app")),
      [],
    );
  });

  it("refuses a privileged LXC container, naming its ID and host name", async () => {
    const found = await runResource(
      workloadDisallowPrivileged,
      lxcContainer("api", 200, "app", {}, { GOLIVE_CT_UNPRIVILEGED: "0" }),
    );
    assert.equal(found.length, 1);
    assert.match(found[0], /LXC container 200 \(api\) is privileged/);
  });
});

describe("workload-enforce-non-root", () => {
  it("accepts a pod that runs as a non-root UID", async () => {
    none(await runResource(workloadEnforceNonRoot, k8sDeployment()));
  });

  it("refuses a pod that leaves the user to its image", async () => {
    one(
      await runResource(workloadEnforceNonRoot, k8sDeployment({}, {}, { securityContext: {} })),
      /whatever user its image sets/,
    );
  });

  it("refuses a container that runs as UID 0", async () => {
    one(
      await runResource(
        workloadEnforceNonRoot,
        k8sDeployment({ securityContext: { runAsUser: 0 } }),
      ),
      /runs as root/,
    );
  });

  const unit = (extra: string) => ({ GOLIVE_UNIT: `[Service]\nExecStart=/srv/api\n${extra}` });

  it("on LXC, accepts a service unit with DynamicUser", async () => {
    assert.deepEqual(
      await runResource(
        workloadEnforceNonRoot,
        lxcService("api", 200, "app", unit("DynamicUser=yes\n")),
      ),
      [],
    );
  });

  it("on LXC, refuses a service unit with User=0", async () => {
    assert.match(
      (
        await runResource(workloadEnforceNonRoot, lxcService("api", 200, "app", unit("User=0\n")))
      )[0],
      /runs as root/,
    );
  });

  it("on LXC, accepts a Debian package's own unit", async () => {
    assert.deepEqual(
      await runResource(
        workloadEnforceNonRoot,
        lxcService("redis", 210, "cache", {
          GOLIVE_PACKAGES: "redis-server",
          GOLIVE_SYSTEMD_SERVICE: "redis-server",
        }),
      ),
      [],
    );
  });

  it("on LXC, judges Debian's HAProxy unit by the user its configuration drops to", async () => {
    const gateway = (cfg: string) =>
      lxcService("gateway", 200, "gateway", {
        GOLIVE_PACKAGES: "haproxy",
        GOLIVE_SYSTEMD_SERVICE: "haproxy",
        GOLIVE_FILE_0: cfg,
      });
    const cfg = (user: string) =>
      `# Generated\nglobal\n\tlog stdout format raw local0\n${user}\n\tmaxconn 2000\n\ndefaults\n\tmode http\n`;
    none(
      await runResource(workloadEnforceNonRoot, gateway(cfg("\tuser haproxy\n\tgroup haproxy"))),
    );
    assert.match(
      (await runResource(workloadEnforceNonRoot, gateway(cfg("\tuser root"))))[0],
      /runs as root/,
    );
    // A `user` outside the global section is no drop of privileges.
    assert.match(
      (await runResource(workloadEnforceNonRoot, gateway(`${cfg("")}\tuser haproxy\n`)))[0],
      /cannot read at preview/,
    );
  });

  it("on LXC, refuses a service with neither its own unit nor a package's unit", async () => {
    assert.match(
      (await runResource(workloadEnforceNonRoot, lxcService("x", 220, "app", {})))[0],
      /package's unit/,
    );
  });

  it("on LXC, refuses a job without a user, which pct exec runs as root", async () => {
    const job = {
      type: "command:remote:Command",
      name: "migrate",
      props: { environment: { GOLIVE_CT_ID: "200", GOLIVE_JOB: "api-migration" } },
    };
    assert.match((await runResource(workloadEnforceNonRoot, job))[0], /runs as root/);
  });

  it("on LXC, accepts a job run as a DynamicUser or a named user, refuses one run as root", async () => {
    const job = (user: string) => ({
      type: "command:remote:Command",
      name: "migrate",
      props: {
        environment: { GOLIVE_CT_ID: "200", GOLIVE_JOB: "api-migration", GOLIVE_JOB_USER: user },
      },
    });
    none(await runResource(workloadEnforceNonRoot, job("dynamic")));
    none(await runResource(workloadEnforceNonRoot, job("postgres")));
    assert.match((await runResource(workloadEnforceNonRoot, job("root")))[0], /runs as root/);
  });
});

describe("workload-missing-labels", () => {
  it("accepts a workload with golive's labels", async () => {
    none(await runResource(workloadMissingLabels, k8sDeployment()));
  });

  it("names the labels a workload lacks", async () => {
    const bare = k8sDeployment();
    bare.props.metadata = { name: "api" };
    one(
      await runResource(workloadMissingLabels, bare),
      /Missing labels: app\.kubernetes\.io\/name/,
    );
  });

  it("remediates a workload by adding the labels, after which it passes", async () => {
    const bare = k8sDeployment();
    bare.props.metadata = { name: "api" };
    const fixed = workloadMissingLabels.remediateResource!({
      type: bare.type,
      props: bare.props,
      name: "api",
    } as any) as Record<string, any>;
    assert.equal(fixed.metadata.labels["app.kubernetes.io/part-of"], "golive");
    none(await runResource(workloadMissingLabels, { ...bare, props: fixed }));
  });
});

describe("workload-enforce-replicas-pdb", () => {
  const pdb: Res = {
    type: "kubernetes:policy/v1:PodDisruptionBudget",
    props: {
      spec: { minAvailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": "api" } } },
    },
  };
  const hpa: Res = {
    type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    props: { spec: { scaleTargetRef: { name: "api" }, minReplicas: 3 } },
  };

  it("accepts two replicas with a PodDisruptionBudget", async () => {
    assert.deepEqual(
      messages(await runStack(workloadEnforceReplicasPdb, [k8sDeployment(), pdb])),
      [],
    );
  });

  it("refuses a Deployment without a PodDisruptionBudget", async () => {
    assert.match(
      messages(await runStack(workloadEnforceReplicasPdb, [k8sDeployment()]))[0],
      /no PodDisruptionBudget/,
    );
  });

  it("refuses a single replica", async () => {
    assert.match(
      messages(
        await runStack(workloadEnforceReplicasPdb, [k8sDeployment({}, { replicas: 1 }), pdb]),
      )[0],
      /1 replica\(s\); at least 2/,
    );
  });

  it("accepts a single replica when a HorizontalPodAutoscaler keeps at least 3", async () => {
    assert.deepEqual(
      messages(
        await runStack(workloadEnforceReplicasPdb, [k8sDeployment({}, { replicas: 1 }), pdb, hpa]),
      ),
      [],
    );
  });
});
