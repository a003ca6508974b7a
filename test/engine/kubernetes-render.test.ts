/**
 * The Kubernetes render: `pulumi up` of the staging stack with `kubernetes.renderYamlToDirectory`
 * writes the manifests without any cluster, through the policy pack with staging's settings; then
 * kubeconform (built by toolchain/build.sh) checks every manifest with `-strict` against JSON
 * schemas of the Kubernetes API made offline from the API's own OpenAPI spec. A deliberately
 * broken copy of one manifest must be refused, so the check can fail.
 *
 * Custom resources: golive renders none (monitoring is Prometheus configured by files, not
 * prometheus-operator's ServiceMonitor/PrometheusRule), so no kind is skipped and none may be:
 * kubeconform runs without -ignore-missing-schemas, and a kind it has no schema for is an error.
 * A CustomResourceDefinition itself would land in 0-crd/ and has a schema like any built-in kind.
 *
 * kube-score (kube-linter's module is not served) then lints the same rendered files: a critical
 * finding fails the test unless test/engine/kube-score-exceptions.ts excuses it, an exception that
 * matches nothing fails it too, and a deliberately bad Deployment must draw critical findings.
 * Options and results: docs/kube-score.md.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import yaml from "js-yaml";
import { podTemplates, restrictedViolations } from "../unit/pod-security";
import { figure, Project, repo, stackFile } from "./harness";
import {
  countByCheck,
  enabledOptionalTests,
  ignoredTests,
  judge,
  kubeScore,
  type KubeScoreReport,
} from "./kube-score";
import { kubeScoreExceptions } from "./kube-score-exceptions";

interface KubeconformResult {
  readonly filename: string;
  readonly kind: string;
  readonly name: string;
  readonly version: string;
  readonly status: string;
  readonly msg: string;
}

interface KubeconformReport {
  readonly code: number;
  readonly seconds: number;
  readonly resources: readonly KubeconformResult[];
  readonly summary: { valid: number; invalid: number; errors: number; skipped: number };
  readonly output: string;
}

/**
 * The objects the staging stack renders, by kind, at least: the namespace and its NetworkPolicy;
 * api (Deployment, 2 replicas: PodDisruptionBudget), PostgreSQL primary and replica
 * (StatefulSets), pgBouncer, backups, two exporters, Prometheus, Alertmanager, Grafana and
 * node-exporter, each with its Service; their Secrets, ConfigMaps and volume claims; the gateway
 * (golive's Caddy: Deployment of 2 replicas with its PodDisruptionBudget, Caddyfile ConfigMap,
 * LoadBalancer Service). No Ingress: that is gateway.kubernetes.mode "ingress".
 */
const expectedKinds: Readonly<Record<string, number>> = {
  Namespace: 1,
  NetworkPolicy: 1,
  Deployment: 8,
  StatefulSet: 4,
  Service: 12,
  Secret: 8,
  ConfigMap: 7,
  PersistentVolumeClaim: 2,
  PodDisruptionBudget: 2,
};
const expectedObjects = Object.values(expectedKinds).reduce((a, b) => a + b, 0); // 45

/** Runs kubeconform against the offline schemas only; `-strict` unless told otherwise. */
function kubeconform(target: string, strict = true): KubeconformReport {
  const version = process.env.GOLIVE_KUBERNETES_VERSION;
  const schemas = process.env.GOLIVE_KUBERNETES_SCHEMAS;
  if (!version || !schemas) {
    throw new Error("kubeconform's schemas are not set up: run the tests through scripts/test.sh");
  }
  const args = [
    ...(strict ? ["-strict"] : []),
    "-summary",
    "-verbose",
    "-output",
    "json",
    "-kubernetes-version",
    version,
    // A full template ending in .json: kubeconform reads exactly these files and nothing else.
    "-schema-location",
    `${schemas}/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
    target,
  ];
  const start = process.hrtime.bigint();
  const r = spawnSync("kubeconform", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.error) {
    throw r.error;
  }
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  const parsed = JSON.parse(r.stdout) as Pick<KubeconformReport, "resources" | "summary">;
  return { code: r.status ?? -1, seconds, output, ...parsed };
}

interface ServiceManifest {
  readonly metadata: { readonly name: string };
  readonly spec: { readonly clusterIP?: string; readonly ports?: readonly unknown[] };
}

function yamlFiles(dir: string): string[] {
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".yaml"))
        .sort()
        .map((f) => path.join(dir, f))
    : [];
}

describe("the staging stack rendered to YAML passes kubeconform -strict and kube-score", () => {
  let p: Project;
  let rendered: string;
  let score: KubeScoreReport | undefined;
  before(() => {
    p = new Project("kubernetes-render", "staging", stackFile("staging"));
    rendered = path.join(p.dir, "rendered");
  });

  it("pulumi up renders the manifests without a cluster, every policy passing", (t) => {
    const set = p.pulumi([
      "config",
      "set",
      "--path",
      "golive:environment.kubernetes.renderYamlToDirectory",
      rendered,
    ]);
    assert.equal(set.code, 0, set.output);
    const r = p.pulumi([
      "up",
      "--yes",
      "--non-interactive",
      "--policy-pack",
      "policies",
      "--policy-pack-config",
      "policies/config/staging.json",
    ]);
    figure("render-up-seconds-staging", r.seconds.toFixed(1));
    t.diagnostic(`pulumi up (render mode, policy pack) took ${r.seconds.toFixed(1)} s`);
    assert.equal(r.code, 0, r.output);
    // The policy pack's Kubernetes rules (pinned images, probes, requests and limits, security
    // context, replicas, TLS, …) ran on this very stack, at preview and at update.
    assert.match(r.output, /Policies:/);
    assert.doesNotMatch(r.output, /\[(mandatory|advisory)\]/, "no policy may report a violation");
    assert.doesNotMatch(r.output, /can't run policy/);
    assert.match(r.output, /rendering manifests to .* instead of applying them/);
  });

  it("every manifest is valid against the Kubernetes API schemas, strictly", (t) => {
    const crds = yamlFiles(path.join(rendered, "0-crd"));
    const manifests = yamlFiles(path.join(rendered, "1-manifest"));
    const files = [...crds, ...manifests];
    // The Secrets hold generated passwords in clear: the files are for this user only.
    for (const f of files) {
      assert.equal(fs.statSync(f).mode & 0o077, 0, `${f} is readable by others`);
    }

    const k = kubeconform(rendered);
    const byKind: Record<string, number> = {};
    for (const res of k.resources.filter((x) => x.status === "statusValid")) {
      byKind[res.kind] = (byKind[res.kind] ?? 0) + 1;
    }
    const skippedKinds = [
      ...new Set(k.resources.filter((x) => x.status === "statusSkipped").map((x) => x.kind)),
    ];
    figure("kubeconform-files", files.length);
    figure("kubeconform-crd-files", crds.length);
    figure("kubeconform-valid", k.summary.valid);
    figure("kubeconform-invalid", k.summary.invalid);
    figure("kubeconform-errors", k.summary.errors);
    figure("kubeconform-skipped", k.summary.skipped);
    figure("kubeconform-seconds", k.seconds.toFixed(2));
    const line =
      `kubeconform -strict (Kubernetes ${process.env.GOLIVE_KUBERNETES_VERSION}): ` +
      `${files.length} files (${crds.length} in 0-crd), ${k.summary.valid} valid, ` +
      `${k.summary.invalid} invalid, ${k.summary.errors} errors, ${k.summary.skipped} skipped ` +
      `(kinds: ${skippedKinds.join(", ") || "none"}); valid by kind: ${JSON.stringify(byKind)}`;
    console.log(line);
    t.diagnostic(line);

    const problems = k.resources
      .filter((x) => x.status !== "statusValid")
      .map((x) => `${x.kind} ${x.name} (${path.basename(x.filename)}): ${x.status} ${x.msg}`);
    assert.deepEqual(problems, [], k.output);
    assert.equal(k.code, 0, k.output);
    assert.equal(k.summary.invalid, 0);
    assert.equal(k.summary.errors, 0);
    assert.equal(k.summary.skipped, 0, "golive renders no custom resources; nothing is skipped");
    assert.ok(
      k.summary.valid >= expectedObjects,
      `expected at least ${expectedObjects} valid objects, got ${k.summary.valid}`,
    );
    assert.equal(k.summary.valid, files.length, "one object per rendered file");
    for (const [kind, n] of Object.entries(expectedKinds)) {
      assert.ok((byKind[kind] ?? 0) >= n, `expected at least ${n} ${kind}, got ${byKind[kind]}`);
    }
  });

  it("an unknown field under a Deployment's spec is refused (the check can fail)", (t) => {
    const original = yamlFiles(path.join(rendered, "1-manifest")).find((f) =>
      /apps_v1-deployment-.*-api\.yaml$/.test(f),
    );
    assert.ok(original, "the api Deployment was rendered");
    const text = fs.readFileSync(original, "utf8");
    // replicas among the spec's own keys (progressDeadlineSeconds sorts before it)
    assert.match(text, /^spec:\n(?: {2}[A-Za-z]+: .*\n)* {2}replicas: 2$/m);
    const mutated = path.join(p.dir, "mutated", path.basename(original));
    fs.mkdirSync(path.dirname(mutated), { recursive: true });
    fs.writeFileSync(mutated, text.replace(/^spec:\n/m, "spec:\n  replicaCount: 2\n"));

    const strict = kubeconform(mutated);
    const lenient = kubeconform(mutated, false);
    const line =
      `kubeconform on a Deployment with spec.replicaCount: -strict ${strict.summary.invalid} ` +
      `invalid; without -strict ${lenient.summary.valid} valid`;
    console.log(line);
    t.diagnostic(line);
    assert.equal(strict.code, 1, strict.output);
    assert.equal(strict.summary.invalid, 1, strict.output);
    assert.equal(strict.summary.valid, 0, strict.output);
    assert.match(strict.resources[0].msg, /additional properties 'replicaCount' not allowed/);
    // Without -strict the same file passes: the strict schemas are what refuse unknown fields.
    assert.equal(lenient.code, 0, lenient.output);
    assert.equal(lenient.summary.valid, 1, lenient.output);
  });

  it("every Service has a port or is headless, as the API server requires", () => {
    // A rule of the API server's validation (spec.ports: Required value) that no schema carries,
    // so neither kubeconform nor kube-score sees it.
    const services = yamlFiles(path.join(rendered, "1-manifest"))
      .filter((f) => /(^|_)v1-service-/.test(path.basename(f)))
      .map((f) => yaml.load(fs.readFileSync(f, "utf8")) as ServiceManifest);
    assert.ok(services.length >= expectedKinds.Service);
    const refused = services
      .filter((svc) => (svc.spec.ports ?? []).length === 0 && svc.spec.clusterIP !== "None")
      .map((svc) => svc.metadata.name);
    assert.deepEqual(refused, [], "Services with a cluster IP and no port");
    const headless = services
      .filter((svc) => svc.spec.clusterIP === "None")
      .map((x) => x.metadata.name);
    assert.ok(headless.includes("postgres-backup"), "the backup loop has no port: headless");
  });

  it("kube-score finds no critical issue the documented exceptions do not excuse", (t) => {
    const files = [
      ...yamlFiles(path.join(rendered, "0-crd")),
      ...yamlFiles(path.join(rendered, "1-manifest")),
    ];
    const k = kubeScore(files);
    score = k;
    const critical = k.findings.filter((f) => f.grade === "critical");
    const warning = k.findings.filter((f) => f.grade === "warning");
    const byCheck = countByCheck(k.findings);
    figure("kube-score-objects", k.objects.length);
    figure("kube-score-checks-run", k.checksRun.length);
    figure("kube-score-critical", critical.length);
    figure("kube-score-warning", warning.length);
    figure(
      "kube-score-excepted",
      critical.length - judge(k.findings, kubeScoreExceptions).unexcused.length,
    );
    figure("kube-score-seconds", k.seconds.toFixed(2));
    for (const [key, n] of Object.entries(byCheck)) {
      figure(`kube-score-${key.replace(" ", "-")}`, n);
    }
    const line =
      `kube-score (Kubernetes ${process.env.GOLIVE_KUBERNETES_VERSION}): ${k.objects.length} ` +
      `objects scored, ${k.checksRun.length} checks run (${k.checksRun.join(", ")}); ` +
      `${critical.length} critical, ${warning.length} warning; by check: ${JSON.stringify(byCheck)}`;
    console.log(line);
    t.diagnostic(line);

    // kube-score scores the workloads, Services, Ingress, NetworkPolicy and PodDisruptionBudget.
    const scoredKinds = ["Deployment", "StatefulSet", "Service", "Ingress", "NetworkPolicy"];
    for (const kind of [...scoredKinds, "PodDisruptionBudget"]) {
      const n = k.objects.filter((o) => o.startsWith(`${kind}/`)).length;
      assert.equal(n, byKindRendered(files, kind), `every rendered ${kind} is scored`);
    }
    for (const id of enabledOptionalTests) {
      assert.ok(k.checksRun.includes(id), `the optional check ${id} ran`);
    }
    for (const id of Object.keys(ignoredTests)) {
      assert.ok(!k.checksRun.includes(id), `the ignored check ${id} did not run`);
    }

    const { unexcused, stale } = judge(k.findings, kubeScoreExceptions);
    assert.deepEqual(
      unexcused.map((f) => `${f.check} ${f.object}: ${f.comments.join("; ")}`),
      [],
      "critical findings must be fixed or justified in test/engine/kube-score-exceptions.ts",
    );
    assert.deepEqual(stale, [], "exceptions that no longer match a critical finding must go");
    // kube-score exits 1 on any critical finding; the exceptions are ours, not its.
    assert.equal(k.code, critical.length > 0 ? 1 : 0, k.output);

    // Every exception is documented, by check and object.
    const docs = fs.readFileSync(path.join(repo, "docs", "kube-score.md"), "utf8");
    for (const e of kubeScoreExceptions) {
      assert.ok(e.reason.length > 40, `${e.check}: the exception gives a reason`);
      for (const o of e.objects) {
        assert.match(
          docs,
          new RegExp(`\\| \`${e.check}\` \\|[^\\n]*\`${o}\``),
          `docs/kube-score.md names the exception ${e.check} ${o}`,
        );
      }
    }
  });

  it("an exception matching nothing is reported stale (the list cannot rot)", () => {
    assert.ok(score, "kube-score ran on the render");
    const stale = { check: "container-image-tag", objects: ["Deployment/api"], reason: "none" };
    const j = judge(score.findings, [...kubeScoreExceptions, stale]);
    assert.deepEqual(j.stale, ["container-image-tag Deployment/api"]);
  });

  it("a Deployment without resources and with a :latest image draws critical findings", (t) => {
    const original = yamlFiles(path.join(rendered, "1-manifest")).find((f) =>
      /apps_v1-deployment-.*-api\.yaml$/.test(f),
    );
    assert.ok(original, "the api Deployment was rendered");
    const text = fs.readFileSync(original, "utf8");
    const image = /^( {8}image: )(\S+):(\S+)$/m.exec(text);
    assert.ok(image, "the api container names a tagged image");
    const bad = text
      .replace(image[0], `${image[1]}${image[2]}:latest`)
      .replace(/^ {8}resources:\n(?: {10}.*\n)+/m, "");
    assert.notEqual(bad, text);
    assert.doesNotMatch(bad, /^ {8}resources:/m, "the container's resources are gone");
    const mutated = path.join(p.dir, "mutated-kube-score", path.basename(original));
    fs.mkdirSync(path.dirname(mutated), { recursive: true });
    fs.writeFileSync(mutated, bad);

    const k = kubeScore([mutated]);
    const { unexcused } = judge(k.findings, kubeScoreExceptions);
    const checks = [...new Set(unexcused.map((f) => f.check))].sort();
    const line = `kube-score on the api Deployment with :latest and no resources: critical ${checks.join(", ")}`;
    console.log(line);
    t.diagnostic(line);
    assert.equal(k.code, 1, k.output);
    assert.ok(checks.includes("container-image-tag"), k.output);
    assert.ok(checks.includes("container-resources"), k.output);
  });
});

/**
 * The blue/green offline config of the live cluster tests (test/scenarios/k8s-bluegreen-offline.yaml),
 * rendered the same way through the pack at its tier's enforcement: accepted by the spec, no
 * violation, every manifest valid, every pod admitted by PodSecurity restricted, the gateway a
 * Deployment behind a NodePort Service on the file's node ports, and no Ingress. The staging and
 * VALERO offline configs are not rendered here: test/engine/kubernetes-stacks.test.ts applies them
 * to a real cluster through the same pack, where the API server and PodSecurity admission judge
 * every object.
 */
describe("the offline configs of the live cluster test render, pass the pack and kubeconform", () => {
  for (const scenario of ["k8s-bluegreen-offline"]) {
    it(scenario, (t) => {
      const text = fs.readFileSync(
        path.join(repo, "test", "scenarios", `${scenario}.yaml`),
        "utf8",
      );
      const tier = /^\s+tier: (\w+)/m.exec(text)?.[1] ?? "production";
      const p = new Project(`render-${scenario}`, "offline", text);
      const rendered = path.join(p.dir, "rendered");
      const set = p.pulumi([
        "config",
        "set",
        "--path",
        "golive:environment.kubernetes.renderYamlToDirectory",
        rendered,
      ]);
      assert.equal(set.code, 0, set.output);
      const r = p.pulumi([
        "up",
        "--yes",
        "--non-interactive",
        "--policy-pack",
        "policies",
        "--policy-pack-config",
        `policies/config/${tier}.json`,
      ]);
      figure(`render-up-seconds-${scenario}`, r.seconds.toFixed(1));
      assert.equal(r.code, 0, r.output);
      assert.match(r.output, /Policies:/);
      assert.doesNotMatch(r.output, /\[mandatory\]/, "no mandatory policy may report a violation");
      assert.doesNotMatch(r.output, /\[advisory\](?!.*waivers-report-active)/, r.output);
      assert.doesNotMatch(r.output, /can't run policy/);

      const k = kubeconform(rendered);
      const problems = k.resources
        .filter((x) => x.status !== "statusValid")
        .map((x) => `${x.kind} ${x.name}: ${x.status} ${x.msg}`);
      assert.deepEqual(problems, [], k.output);
      assert.equal(k.code, 0, k.output);

      const objects = yamlFiles(path.join(rendered, "1-manifest")).map(
        (f) => yaml.load(fs.readFileSync(f, "utf8")) as Record<string, any>,
      );
      const refused = objects.flatMap((o) => {
        const pod = podTemplates(o.kind, o);
        return pod
          ? restrictedViolations(pod.pod, pod.annotations).map(
              (v) => `${o.kind} ${o.metadata.name}: ${v}`,
            )
          : [];
      });
      assert.deepEqual(refused, [], "every pod admitted under PodSecurity restricted");
      const ns = objects.find((o) => o.kind === "Namespace");
      assert.equal(ns?.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
      const svc = objects.find((o) => o.kind === "Service" && o.metadata.name === "gateway");
      assert.equal(svc?.spec.type, "NodePort");
      const nodePorts = /nodePorts: \{ http: (\d+), https: (\d+) \}/.exec(text);
      assert.ok(nodePorts, "the scenario fixes its node ports");
      assert.deepEqual(
        svc.spec.ports.map((x: { port: number; nodePort: number }) => [x.port, x.nodePort]),
        [
          [80, Number(nodePorts[1])],
          [443, Number(nodePorts[2])],
        ],
      );
      assert.ok(objects.some((o) => o.kind === "Deployment" && o.metadata.name === "gateway"));
      assert.ok(!objects.some((o) => o.kind === "Ingress"), "no Ingress in proxy mode");
      const line = `${scenario}: ${objects.length} objects, kubeconform ${k.summary.valid} valid, pods admitted under restricted`;
      console.log(line);
      t.diagnostic(line);
    });
  }
});

/** The number of rendered objects of a kind (the provider names files `<group>_<version>-<kind>-…`). */
function byKindRendered(files: readonly string[], kind: string): number {
  const re = new RegExp(`(^|_)v\\d\\w*-${kind.toLowerCase()}-`);
  return files.filter((f) => re.test(path.basename(f))).length;
}
