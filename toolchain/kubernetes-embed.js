// Writes the two files the upstream Kubernetes provider's main package embeds, as its release
// build's `go generate` would: schema-embed.json (schema.json with the version set) and
// terraform-mapping-embed.json (terraform-mapping.json, compacted).
// Usage: node kubernetes-embed.js <module cmd dir> <out dir> <version>
"use strict";
const fs = require("fs");
const path = require("path");
const [src, out, version] = process.argv.slice(2);
if (!src || !out || !version) {
  console.error("usage: node kubernetes-embed.js <module cmd dir> <out dir> <version>");
  process.exit(2);
}
const schema = JSON.parse(fs.readFileSync(path.join(src, "schema.json"), "utf8"));
schema.version = version;
fs.writeFileSync(path.join(out, "schema-embed.json"), JSON.stringify(schema));
const mapping = JSON.parse(fs.readFileSync(path.join(src, "terraform-mapping.json"), "utf8"));
fs.writeFileSync(path.join(out, "terraform-mapping-embed.json"), JSON.stringify(mapping));
