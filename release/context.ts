/**
 * What every step of a release works with: the stack through the Automation API's LocalWorkspace
 * (`up` and `preview` through the policy pack, as `golive verify` previews), the spec document the
 * steps change, the stack's live outputs, and the release's folder for what it keeps (the dump,
 * each engine run's output).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, type EngineEvent, type Stack } from "@pulumi/pulumi/automation";
import { nodeKeyOf, showsPackRan } from "../cli/verify";
import { stackOutputs, type LiveEnvironment, type LiveSecrets } from "../policies/lib/contract";
import { accessFor, type RuntimeAccess } from "../report/checks/access";
import type { RunLog } from "./log";
import { releaseInterruption, type Interruption } from "./interrupt";
import { SpecDocument } from "./spec-doc";

export interface EngineRun {
  readonly ok: boolean;
  readonly message: string;
  /** Resources by operation (create, update, replace, same, …). */
  readonly changes: Record<string, number>;
  /**
   * URNs the run created, replaced or updated: a job re-runs in any of them (a Docker container
   * is replaced, a command on LXC re-runs its create on update).
   */
  readonly ran: string[];
  /** Policy violations the pack reported (advisory ones when the run passed). */
  readonly violations: { policy: string; level: string; message: string }[];
  /** Whether the policy pack ran at all. */
  readonly packRan: boolean;
}

/** The stack as deployed: its outputs, the secrets the checks log in with, and how to reach it. */
export interface Live {
  readonly env: LiveEnvironment;
  readonly secrets: LiveSecrets;
  /** The Proxmox node's SSH key (LXC), from the stack's config. Never printed. */
  readonly nodeKey?: string;
  /** The runtime as the live checks reach it (report/checks/access): exec, streams, ports. */
  readonly access: RuntimeAccess;
}

export interface ReleaseContext {
  readonly dir: string;
  readonly stackName: string;
  readonly policyConfig: string;
  /** The stack's release folder (.golive/releases/<stack>). */
  readonly folder: string;
  readonly doc: SpecDocument;
  readonly progress: (line: string) => void;
  /** SIGINT/SIGTERM during the release: long steps (a watch window) end early on it. */
  readonly interruption: Interruption;
  /** `up` through the policy pack; `label` names the file its output is kept in. */
  up(log: RunLog, label: string): Promise<EngineRun>;
  preview(log: RunLog, label: string): Promise<EngineRun>;
  live(): Promise<Live>;
}

/** The first line of an engine error that says what went wrong. */
export function engineError(e: unknown): string {
  const text = (e as Error).message ?? String(e);
  const lines = text.split("\n").map((l) => l.trim());
  const why =
    lines.find((l) => /unhealthy|was not healthy|mandatory policy|error:/i.test(l)) ??
    lines.find((l) => /error/i.test(l)) ??
    lines[0];
  return why.replace(/^error:\s*/i, "").slice(0, 400);
}

export async function selectStack(stackName: string, dir: string): Promise<Stack> {
  return LocalWorkspace.selectStack({ stackName, workDir: dir }).catch((e: Error) => {
    const backend = process.env.PULUMI_BACKEND_URL ?? "the Pulumi login's backend";
    if (/ENOENT/.test(e.message))
      throw new Error(
        "golive release: no pulumi command on PATH: run it as scripts/golive.sh (after scripts/setup.sh), or with the toolchain on PATH",
      );
    if (/no stack named/.test(e.message))
      throw new Error(
        `golive release: no stack ${stackName} in ${backend}: deploy it first (pulumi up), or point PULUMI_BACKEND_URL at its backend`,
      );
    throw e;
  });
}

export function releaseContext(
  stack: Stack,
  options: { dir: string; stackName: string; policyConfig: string; folder: string },
  progress: (line: string) => void,
): ReleaseContext {
  const doc = new SpecDocument(options.dir, options.stackName);
  const engine = async (kind: "up" | "preview", log: RunLog, label: string): Promise<EngineRun> => {
    let output = "";
    const changes: Record<string, number> = {};
    const ran: string[] = [];
    const violations: EngineRun["violations"] = [];
    let packRan = false;
    const onEvent = (e: EngineEvent) => {
      if (e.policyEvent) {
        packRan = true;
        violations.push({
          policy: e.policyEvent.policyName,
          level: e.policyEvent.enforcementLevel,
          message: e.policyEvent.message.trim().replace(/\s*\n\s*/g, " "),
        });
      }
      // A pack without a violation shows itself as golive verify reads it: its stack-wide
      // analysis, or the summary naming it (the engine spells it `PolicyPacks`).
      if (showsPackRan(e)) packRan = true;
      const m = e.resourcePreEvent?.metadata;
      if (m && !m.urn.includes("pulumi:pulumi:Stack")) {
        changes[m.op] = (changes[m.op] ?? 0) + 1;
        if (["create", "replace", "create-replacement", "update"].includes(m.op)) ran.push(m.urn);
      }
    };
    const opts = {
      policyPacks: [path.join(options.dir, "policies")],
      policyPackConfigs: [options.policyConfig],
      onOutput: (s: string) => (output += s),
      onEvent,
    };
    let ok = true;
    let message = "";
    try {
      if (kind === "up") await stack.up(opts);
      else await stack.preview(opts);
    } catch (e) {
      ok = false;
      message = engineError(e);
      output += `\n${(e as Error).message}`;
    }
    fs.mkdirSync(options.folder, { recursive: true });
    fs.writeFileSync(path.join(options.folder, `${log.id}.${label}.${kind}.txt`), output);
    const counted = Object.entries(changes)
      .filter(([op]) => op !== "same")
      .map(([op, n]) => `${n} ${op}`)
      .join(", ");
    if (ok) message = counted ? `${kind}: ${counted}` : `${kind}: no change`;
    else if (/currently locked/i.test(message))
      message = `${message} (an interrupted up holds the backend's lock: scripts/recover.sh ${options.stackName})`;
    return { ok, message, changes, ran, violations, packRan };
  };
  return {
    ...options,
    doc,
    progress,
    interruption: releaseInterruption,
    up: (log, label) => engine("up", log, label),
    preview: (log, label) => engine("preview", log, label),
    live: async () => {
      const outputs = await stack.outputs();
      const env = outputs[stackOutputs.environment]?.value as LiveEnvironment | undefined;
      if (!env)
        throw new Error(
          `stack ${options.stackName} has no output ${stackOutputs.environment}: run pulumi up with this version of golive first`,
        );
      const nodeKey = await nodeKeyOf(stack, env);
      return {
        env,
        secrets: (outputs[stackOutputs.secrets]?.value ?? {}) as LiveSecrets,
        ...(nodeKey ? { nodeKey } : {}),
        access: accessFor(env, nodeKey),
      };
    },
  };
}
