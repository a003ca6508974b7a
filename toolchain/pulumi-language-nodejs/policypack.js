// golive's runner of a compiled policy pack (see policypack.go). Arguments: <engine> <pack folder>.
"use strict";
const path = require("path");
const pack = process.argv[process.argv.length - 1];
let failed = false;
const fail = (err) => {
  if (failed) return;
  failed = true;
  console.error(`Running policy pack '${pack}' failed:\n${(err && err.stack) || String(err)}`);
  process.exitCode = 1;
};
process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);
// The pack reads no command line; keep argv as a script of its own would see it.
process.argv = [process.argv[0], path.join(pack, "index.js")];
try {
  require(path.resolve(pack));
} catch (err) {
  fail(err);
}
