/**
 * kube-score (built by toolchain/build.sh) on rendered manifests: the run with golive's options,
 * its JSON report reduced to findings, and the comparison with the documented exceptions
 * (test/engine/kube-score-exceptions.ts, docs/kube-score.md). Used by the Kubernetes render test.
 */
import { spawnSync } from "node:child_process";

/**
 * Checks kube-score runs with but leaves off by default: both hold for golive's pods (a
 * RuntimeDefault seccomp profile on every pod; port names unique and at most 15 characters), so
 * a change that breaks them fails the render test.
 */
export const enabledOptionalTests: readonly string[] = [
  "container-seccomp-profile",
  "container-ports-check",
];

/**
 * Checks switched off for every object, each a decision golive makes for all its workloads
 * (docs/kube-score.md gives the reasons in full).
 */
export const ignoredTests: Readonly<Record<string, string>> = {
  "container-image-pull-policy":
    "golive pins every image to a version (image-disallow-latest-tag) and keeps the kubelet's " +
    "default, IfNotPresent: with Always, every pod start needs the registry, so a registry " +
    "outage or rate limit turns a restart into an outage; forcing pulls to re-check pull " +
    "secrets is the cluster's AlwaysPullImages admission plugin's job, not a manifest's",
};

/** One check of one object that kube-score grades critical or warning. */
export interface Finding {
  /** kube-score's check id, e.g. `container-resources`. */
  readonly check: string;
  /** `<Kind>/<name>`, e.g. `Deployment/api`. */
  readonly object: string;
  readonly grade: "critical" | "warning";
  /** kube-score's comments: the container, then what it found. */
  readonly comments: readonly string[];
}

export interface KubeScoreReport {
  readonly code: number;
  readonly seconds: number;
  readonly output: string;
  /** Objects kube-score scored (it scores workloads, Services, Ingresses, NetworkPolicies, PDBs). */
  readonly objects: readonly string[];
  /** Check ids that ran on at least one object and were not skipped. */
  readonly checksRun: readonly string[];
  readonly findings: readonly Finding[];
}

interface ScoredCheck {
  readonly check: { readonly id: string };
  readonly grade: number;
  readonly skipped: boolean;
  readonly comments: readonly { path: string; summary: string }[] | null;
}

interface ScoredObject {
  readonly type_meta: { readonly kind: string };
  readonly object_meta: { readonly name: string };
  readonly checks: readonly ScoredCheck[];
}

// kube-score's grades (scorecard.Grade): 1 critical, 5 warning, 7 almost OK, 10 OK.
const gradeCritical = 1;
const gradeWarning = 5;

/** `v1.33` from `1.33.13`: kube-score takes only major and minor. */
export function kubeScoreVersion(kubernetesVersion: string): string {
  const m = /^v?(\d+)\.(\d+)/.exec(kubernetesVersion);
  if (!m) {
    throw new Error(`not a Kubernetes version: ${kubernetesVersion}`);
  }
  return `v${m[1]}.${m[2]}`;
}

/** Runs `kube-score score -o json` with golive's options on the given manifest files. */
export function kubeScore(files: readonly string[]): KubeScoreReport {
  const version = process.env.GOLIVE_KUBERNETES_VERSION;
  if (!version) {
    throw new Error(
      "the toolchain environment is not set up: run the tests through scripts/test.sh",
    );
  }
  const args = [
    "score",
    "--output-format",
    "json",
    "--kubernetes-version",
    kubeScoreVersion(version),
    // A `kube-score/ignore` annotation in a manifest must not switch a check off unseen.
    "--disable-ignore-checks-annotations",
    ...enabledOptionalTests.flatMap((t) => ["--enable-optional-test", t]),
    ...Object.keys(ignoredTests).flatMap((t) => ["--ignore-test", t]),
    ...files,
  ];
  const start = process.hrtime.bigint();
  const r = spawnSync("kube-score", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.error) {
    throw r.error;
  }
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  let scored: ScoredObject[];
  try {
    scored = JSON.parse(r.stdout) as ScoredObject[];
  } catch {
    throw new Error(`kube-score did not answer JSON (exit ${r.status}):\n${output}`);
  }
  const objects: string[] = [];
  const checksRun = new Set<string>();
  const findings: Finding[] = [];
  for (const o of scored) {
    const object = `${o.type_meta.kind}/${o.object_meta.name}`;
    objects.push(object);
    for (const c of o.checks) {
      if (c.skipped) continue;
      checksRun.add(c.check.id);
      if (c.grade > gradeWarning) continue;
      findings.push({
        check: c.check.id,
        object,
        grade: c.grade <= gradeCritical ? "critical" : "warning",
        comments: (c.comments ?? []).map((x) => `${x.path}: ${x.summary}`),
      });
    }
  }
  return {
    code: r.status ?? -1,
    seconds,
    output,
    objects: objects.sort(),
    checksRun: [...checksRun].sort(),
    findings,
  };
}

/** Critical findings judged acceptable: one check, the objects it may flag, and why. */
export interface KubeScoreException {
  readonly check: string;
  /** `<Kind>/<name>`, each named: no patterns, so a new object is never excused unseen. */
  readonly objects: readonly string[];
  readonly reason: string;
}

export interface Judgement {
  /** Critical findings no exception covers: each must be fixed or justified. */
  readonly unexcused: readonly Finding[];
  /** Exception entries (`check object`) no critical finding matches any more: remove them. */
  readonly stale: readonly string[];
}

/** Compares critical findings with the exceptions, both ways. */
export function judge(
  findings: readonly Finding[],
  exceptions: readonly KubeScoreException[],
): Judgement {
  const critical = findings.filter((f) => f.grade === "critical");
  const excused = new Set(exceptions.flatMap((e) => e.objects.map((o) => `${e.check} ${o}`)));
  const found = new Set(critical.map((f) => `${f.check} ${f.object}`));
  return {
    unexcused: critical.filter((f) => !excused.has(`${f.check} ${f.object}`)),
    stale: [...excused].filter((e) => !found.has(e)).sort(),
  };
}

/** Findings counted per grade and check: `{ "critical container-resources": 2, … }`. */
export function countByCheck(findings: readonly Finding[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of findings) {
    const k = `${f.grade} ${f.check}`;
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}
