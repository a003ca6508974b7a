/**
 * `golive verify <stack>`: gathers what the go-live report judges, on the deployed stack, through
 * the Automation API's LocalWorkspace: the stack's outputs (where every workload is, the secrets the
 * checks log in with), a `preview` through the policy pack with its stack config (the policy events
 * it emits: `pulumi preview --json` drops policy violations, the engine's events carry them), the
 * last update's result, then every live check (report/checks). The results are what
 * `golive report --results` reads (report/results.ts); `golive report <stack>` without
 * `--results` runs this first.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, type EngineEvent, type Stack } from "@pulumi/pulumi/automation";
import * as YAML from "yaml";
import { rawPolicies } from "../policies/rules";
import { stackOutputs, type LiveEnvironment, type LiveSecrets } from "../policies/lib/contract";
import { liveChecks, runChecks } from "../report/checks";
import type {
  CheckResult,
  DeploymentResult,
  EnvironmentGraph,
  GateEvent,
  GateResults,
} from "../report/model";
import type { Results } from "../report/results";

export interface VerifyOptions {
  readonly stack: string;
  /** The Pulumi project folder (Pulumi.yaml, Pulumi.<stack>.yaml, policies/). */
  readonly dir: string;
  /** The policy pack config: policies/config/<stack>.json unless named. */
  readonly policyConfig: string;
  readonly restoreDrill: boolean;
  readonly restoreDrillDays: number;
}

/** The checklist systems the stack runs: its config key `golive:checklistSystems`, if set. */
export function checklistSystems(dir: string, stack: string): string[] | undefined {
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) return undefined;
  const doc = YAML.parse(fs.readFileSync(file, "utf8")) as {
    config?: Record<string, unknown>;
  } | null;
  const systems = doc?.config?.["golive:checklistSystems"];
  if (systems === undefined) return undefined;
  if (!Array.isArray(systems) || !systems.every((s) => typeof s === "string"))
    throw new Error(`Pulumi.${stack}.yaml: golive:checklistSystems must be a list of system names`);
  return systems;
}

/** `tls-enforce-certificate-validity`'s minDaysValid in a pack config (the policy's default 30). */
export function minCertDays(policyConfig: string): number {
  const config = JSON.parse(fs.readFileSync(policyConfig, "utf8")) as Record<string, unknown>;
  const own = config["tls-enforce-certificate-validity"] as { minDaysValid?: number } | undefined;
  return typeof own === "object" && typeof own?.minDaysValid === "number" ? own.minDaysValid : 30;
}

/**
 * The pack's policies the preview ran: all but those the pack config disables. A gate item whose
 * policy is disabled for the stack is then unknown ("did not run"), never a pass.
 */
export function policiesThatRan(policyConfig: string): string[] {
  const config = JSON.parse(fs.readFileSync(policyConfig, "utf8")) as Record<string, unknown>;
  const level = (v: unknown): unknown =>
    typeof v === "object" && v !== null
      ? (v as { enforcementLevel?: unknown }).enforcementLevel
      : v;
  return rawPolicies
    .map((p) => p.name)
    .filter((name) => (level(config[name]) ?? level(config.all)) !== "disabled");
}

/**
 * What an engine event shows of the policy pack, where it found nothing to report: `stack` when
 * its stack-wide analysis ran (`policyAnalyzeStackSummaryEvent`, after every resource; the SDK's
 * EngineEvent type does not list it yet), `summary` when the preview's summary names the pack (the
 * engine writes `PolicyPacks`, the SDK's type says `policyPacks`). A per-resource summary
 * (`policyAnalyzeSummaryEvent`) shows no more than that some resources were analysed. A pack
 * without a violation must read as run, not as unread gates; a preview that failed midway, as not.
 */
export function showsPackRan(e: EngineEvent): "stack" | "summary" | undefined {
  const event = e as EngineEvent & { policyAnalyzeStackSummaryEvent?: unknown };
  if (event.policyAnalyzeStackSummaryEvent) return "stack";
  const summary = e.summaryEvent as
    { policyPacks?: Record<string, string>; PolicyPacks?: Record<string, string> } | undefined;
  return Object.keys(summary?.policyPacks ?? summary?.PolicyPacks ?? {}).length > 0
    ? "summary"
    : undefined;
}

function graph(env: LiveEnvironment, checks: readonly CheckResult[]): EnvironmentGraph {
  const health = checks.find((c) => c.checkId === "service-healthy");
  const status = (w: string) =>
    !health || health.status === "unknown"
      ? ("unknown" as const)
      : health.status === "fail" &&
          new RegExp(`\\b(${env.prefix}-)?${w}(-\\d+)?( |:)`).test(health.message)
        ? ("fail" as const)
        : ("pass" as const);
  const apps = new Set(env.apps.map((a) => a.name));
  const nodes = env.workloads
    .filter((w) => !w.endsWith("-exporter") && !w.endsWith("-migrate"))
    .map((w) => ({
      name: w,
      kind:
        w === "gateway"
          ? ("gateway" as const)
          : apps.has(w)
            ? ("service" as const)
            : ("data" as const),
      status: status(w),
    }));
  const names = new Set(nodes.map((n) => n.name));
  const edges = [
    ...(names.has("gateway")
      ? [...apps].filter((a) => names.has(a)).map((a) => ({ from: "gateway", to: a }))
      : []),
    ...env.apps.flatMap((a) =>
      a.dependsOn.filter((d) => names.has(d)).map((d) => ({ from: a.name, to: d })),
    ),
  ];
  return { nodes, edges };
}

/**
 * The Proxmox node's SSH private key of an LXC stack: the stack's config secret the program reads
 * (`lxc.node.privateKeyConfig` names its key), not an output. Undefined elsewhere, or when unset.
 */
export async function nodeKeyOf(
  stack: Stack,
  env: LiveEnvironment | undefined,
): Promise<string | undefined> {
  const keyConfig = env?.lxc?.node.privateKeyConfig;
  return keyConfig
    ? stack.getConfig(`golive:${keyConfig}`).then(
        (v) => v.value,
        () => undefined,
      )
    : undefined;
}

/** Runs verify; `progress` gets a line per step and per check. */
export async function verify(
  options: VerifyOptions,
  now: Date,
  progress: (line: string) => void,
): Promise<Results> {
  const stack = await LocalWorkspace.selectStack({
    stackName: options.stack,
    workDir: options.dir,
  }).catch((e: Error) => {
    const backend = process.env.PULUMI_BACKEND_URL ?? "the Pulumi login's backend";
    if (/ENOENT/.test(e.message))
      throw new Error(
        "golive verify: no pulumi command on PATH: run it as scripts/golive.sh (after scripts/setup.sh), or with the toolchain on PATH",
      );
    if (/no stack named/.test(e.message))
      throw new Error(
        `golive verify: no stack ${options.stack} in ${backend}: deploy it first (pulumi up), or point PULUMI_BACKEND_URL at its backend`,
      );
    throw e;
  });
  const outputs = await stack.outputs();
  const env = outputs[stackOutputs.environment]?.value as LiveEnvironment | undefined;
  const history = await stack.history(1);
  const last = history[0];
  // A stack that was never deployed (a merge request's new stack) still has its gates: the
  // preview judges them; there is nothing live to check. A deployed stack without the outputs (or
  // without their verify block) was deployed by an older golive, and its checks would have no
  // targets: refused.
  if (last && !env?.verify)
    throw new Error(
      `golive verify: stack ${options.stack} has no output ${stackOutputs.environment}${env ? " of this version (no verify block)" : ""}: run pulumi up with this version of golive first`,
    );
  const secrets = (outputs[stackOutputs.secrets]?.value ?? {}) as LiveSecrets;
  const nodeKey = await nodeKeyOf(stack, env);
  const deployment: DeploymentResult = last
    ? {
        status:
          last.result === "succeeded"
            ? "succeeded"
            : last.result === "failed"
              ? "failed"
              : "unknown",
        message: `${last.kind}${last.version ? ` #${last.version}` : ""} ${last.result} at ${new Date(last.endTime ?? last.startTime).toISOString()}`,
      }
    : { status: "unknown", message: "the stack has no update" };
  progress(`deployment: ${deployment.status} (${deployment.message})`);

  const violations: GateEvent[] = [];
  let packRan = false;
  let stackAnalysed = false;
  let summaryNamesPack = false;
  let previewError: string | undefined;
  const started = Date.now();
  try {
    await stack.preview({
      policyPacks: [path.join(options.dir, "policies")],
      policyPackConfigs: [options.policyConfig],
      onEvent: (e: EngineEvent) => {
        if (e.policyEvent) {
          packRan = true;
          violations.push({
            policyName: e.policyEvent.policyName,
            ...(e.policyEvent.resourceUrn ? { resourceUrn: e.policyEvent.resourceUrn } : {}),
            // The engine writes the policy's description, a newline, then the violation: one line.
            message: e.policyEvent.message.trim().replace(/\s*\n\s*/g, " "),
            enforcementLevel:
              e.policyEvent.enforcementLevel === "mandatory" ? "mandatory" : "advisory",
          });
        }
        const shown = showsPackRan(e);
        if (shown === "stack") stackAnalysed = true;
        if (shown === "summary") summaryNamesPack = true;
      },
    });
  } catch (e) {
    // A mandatory violation stops the preview: its events were seen all the same.
    previewError =
      (e as Error).message.split("\n").find((l) => /error/i.test(l)) ?? (e as Error).message;
  }
  // A violation shows the pack ran (a mandatory one stops the preview); without one, its
  // stack-wide analysis does, or the summary of a preview that succeeded.
  packRan ||= stackAnalysed || (summaryNamesPack && previewError === undefined);
  const gates: GateResults = packRan
    ? { read: true, violations, policies: policiesThatRan(options.policyConfig) }
    : {
        read: false,
        reason: previewError
          ? `the preview failed before the policy pack ran: ${previewError.trim()}`
          : "the policy pack did not run",
        violations: [],
      };
  progress(
    `gates: preview through the policy pack in ${((Date.now() - started) / 1000).toFixed(1)} s, ${gates.read ? `${violations.length} violations` : `not read (${gates.reason})`}`,
  );

  if (!env) {
    progress(`checks: none run, stack ${options.stack} has never been deployed`);
    const checks: CheckResult[] = liveChecks.map((c) => ({
      checkId: c.id,
      status: "unknown",
      message: `stack ${options.stack} has never been deployed: nothing to check (run pulumi up)`,
      seconds: 0,
    }));
    const systems = checklistSystems(options.dir, options.stack);
    return { gates, checks, deployment, ...(systems ? { systems } : {}) };
  }
  const checks = await runChecks(
    {
      env,
      secrets,
      minCertDays: minCertDays(options.policyConfig),
      restoreDrillDays: options.restoreDrillDays,
      runRestoreDrill: options.restoreDrill,
      now,
      ...(nodeKey ? { nodeKey } : {}),
    },
    (r, i, n) =>
      progress(
        `[${String(i).padStart(2)}/${n}] ${r.checkId.padEnd(22)} ${r.status.padEnd(7)} ${r.seconds.toFixed(2).padStart(6)} s  ${r.message}`,
      ),
  );
  const systems = checklistSystems(options.dir, options.stack);
  return {
    gates,
    checks,
    deployment,
    ...(systems ? { systems } : {}),
    environment: graph(env, checks),
  };
}
