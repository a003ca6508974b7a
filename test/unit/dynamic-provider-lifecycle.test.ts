/**
 * The dynamic-provider host (toolchain/pulumi-resource-pulumi-nodejs, which preloads
 * toolchain/dynamic-provider-lifecycle.js) started as the engine starts a plugin: in a process
 * group of its own, in the program folder, with the engine's address as its argument. Like the
 * engine's other plugins it must stop when the engine's health check stops answering (upstream's
 * does not), and at once on SIGINT even when it inherited SIGINT ignored (the engine closes a
 * plugin with SIGINT and kills it 5 s later: sdk/go/common/resource/plugin/plugin.go). Node resets
 * inherited signal dispositions at startup, so the second holds for upstream's host too: it guards
 * the preload against delaying the close.
 */
import * as grpc from "@grpc/grpc-js";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";

const repo = path.resolve(__dirname, "..", "..");
const script = path.join(repo, "toolchain", "pulumi-resource-pulumi-nodejs");

/** A stand-in for the engine's host server: it answers grpc.health.v1.Health/Check. */
async function startEngine(): Promise<{ address: string; stop: () => void }> {
  const server = new grpc.Server();
  const identity = (b: Buffer) => b;
  server.addService(
    {
      check: {
        path: "/grpc.health.v1.Health/Check",
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    },
    {
      // An empty HealthCheckResponse (status UNKNOWN): upstream's check only looks at errors.
      check: (_call: unknown, callback: grpc.sendUnaryData<Buffer>) =>
        callback(null, Buffer.alloc(0)),
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return { address: `127.0.0.1:${port}`, stop: () => server.forceShutdown() };
}

/** Starts the host like the engine does and waits for the port it prints. */
async function startHost(engine: string, ignoreSigint: boolean): Promise<ChildProcess> {
  const child = ignoreSigint
    ? spawn("/bin/sh", ["-c", `trap '' INT; exec "$0" "$@"`, script, engine], {
        cwd: repo,
        detached: true,
        stdio: ["ignore", "pipe", "inherit"],
      })
    : spawn(script, [engine], { cwd: repo, detached: true, stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once("data", (chunk: Buffer) =>
      /^\d+\n/.test(chunk.toString())
        ? resolve()
        : reject(new Error(`port line: ${chunk.toString()}`)),
    );
    child.once("exit", (code) => reject(new Error(`the host exited (${code}) before its port`)));
  });
  return child;
}

/** Milliseconds until child exits, failing past boundMs. */
function exitWithin(child: ChildProcess, boundMs: number): Promise<number> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.kill(-child.pid!, "SIGKILL");
      reject(new Error(`the dynamic-provider host was still running ${boundMs} ms later`));
    }, boundMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(Date.now() - start);
    });
  });
}

describe("the dynamic-provider host has the lifecycle of golive's other plugins", () => {
  it("exits when the engine's health check stops answering", async () => {
    const engine = await startEngine();
    const host = await startHost(engine.address, false);
    // It keeps serving while the engine answers (the check runs every second).
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(host.exitCode, null, "the host exited although the engine answers");
    assert.equal(host.signalCode, null, "the host was killed although the engine answers");
    engine.stop();
    const ms = await exitWithin(host, 5000);
    assert.ok(ms < 5000);
  });

  it("stops at once on SIGINT even when it inherited SIGINT ignored", async () => {
    const engine = await startEngine();
    const host = await startHost(engine.address, true);
    process.kill(-host.pid!, "SIGINT");
    const ms = await exitWithin(host, 2000);
    assert.ok(ms < 2000);
    engine.stop();
  });
});
