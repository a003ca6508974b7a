// Preloaded (node --require) into @pulumi/pulumi's dynamic-provider host by
// pulumi-resource-pulumi-nodejs: the health check golive's other plugins have (providerkit/lifecycle),
// which upstream's host lacks, so that it does not outlive a SIGKILLed engine for good.
// The engine's gRPC health check (grpc.health.v1.Health/Check at the address the engine passes as
// the last argument) is polled every second, the next call once the last one answered, as
// upstream's rpcutil.Healthcheck does; any error but UNIMPLEMENTED stops the host, killing its
// process group (the engine makes it a group leader), so what a dynamic provider started goes too.
// SIGINT needs nothing: node resets inherited signal dispositions at startup, so the engine's
// SIGINT to the group ends the host at once even when the engine's caller ignored SIGINT.
"use strict";
const path = require("path");

function stop() {
  try {
    process.kill(-process.pid, "SIGKILL");
  } catch {
    // Not a group leader (started by hand): only this process goes.
  }
  process.exit(1);
}

const engine = process.argv
  .slice(2)
  .filter((a) => !a.startsWith("-"))
  .pop();
if (engine) {
  // @grpc/grpc-js as the dynamic-provider host itself loads it: from the program's @pulumi/pulumi.
  const sdk = path.resolve("node_modules", "@pulumi", "pulumi");
  const grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdk] }));
  const client = new grpc.Client(engine, grpc.credentials.createInsecure());
  const check = () =>
    client.makeUnaryRequest(
      "/grpc.health.v1.Health/Check",
      (request) => request,
      (response) => response,
      Buffer.alloc(0), // an empty HealthCheckRequest: every service
      (err) => {
        if (err && err.code !== grpc.status.UNIMPLEMENTED) stop();
        else setTimeout(check, 1000).unref();
      },
    );
  setTimeout(check, 1000).unref();
}
