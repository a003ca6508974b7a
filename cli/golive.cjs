#!/usr/bin/env node
// The `golive` bin: the command is TypeScript, run through tsx as the repository's scripts are.
require("tsx/cjs");
require("./golive.ts").run();
