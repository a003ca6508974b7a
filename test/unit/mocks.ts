/**
 * Pulumi mocks for component tests: records every resource the program registers and throws on
 * any provider function call nobody mocked. Import the code under test only after `recordResources`.
 */
import * as pulumi from "@pulumi/pulumi";

export interface Recorded {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
}

export function recordResources(): Recorded[] {
  const recorded: Recorded[] = [];
  void pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        recorded.push({ type: args.type, name: args.name, inputs: args.inputs });
        // Generated secrets: a deterministic stand-in of the requested length.
        const state =
          args.type.startsWith("pulumi-nodejs:dynamic") && typeof args.inputs.length === "number"
            ? { ...args.inputs, value: "s".repeat(args.inputs.length) }
            : args.inputs;
        return { id: `${args.name}-id`, state };
      },
      call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        throw new Error(`unmocked provider call ${args.token}`);
      },
    },
    "golive",
    "test",
    true,
  );
  return recorded;
}

const secretSig = "4dabf18193072939515e22adb298388d";

/** Whether a recorded input value is a secret (as the engine would receive it). */
export function isSecret(v: unknown): boolean {
  return (
    typeof v === "object" && v !== null && (v as Record<string, unknown>)[secretSig] !== undefined
  );
}

/** A recorded input value with its secret wrapper, if any, removed. */
export function reveal<T = any>(v: unknown): T {
  return (isSecret(v) ? (v as { value: unknown }).value : v) as T;
}

/** Resolves an Output's value under mocks. */
export function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => resolve(v)));
}

/** Waits until every registered resource's inputs have been recorded. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 50));
}

export function byType(recorded: readonly Recorded[], type: string): Recorded[] {
  return recorded.filter((r) => r.type === type);
}

export function one(recorded: readonly Recorded[], type: string, name: string): Recorded {
  const r = recorded.find((x) => x.type === type && x.name === name);
  if (!r) {
    const seen = recorded.map((x) => `${x.type} ${x.name}`).join("\n  ");
    throw new Error(`no ${type} named ${name}; recorded:\n  ${seen}`);
  }
  return r;
}
