/**
 * Writes docs/checklist-coverage.md from the checklist registry (report/checklist/items.yaml) and
 * its template. Run after editing either: `npm run checklist:doc`. The unit tests render the same
 * text in memory and fail when the committed file differs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { coverageDoc, coverageDocFile } from "../report/checklist/coverage-doc";
import { loadChecklist } from "../report/checklist/registry";

const text = coverageDoc(loadChecklist());
const before = fs.existsSync(coverageDocFile) ? fs.readFileSync(coverageDocFile, "utf8") : "";
fs.writeFileSync(coverageDocFile, text);
const rel = path.relative(process.cwd(), coverageDocFile);
console.log(before === text ? `${rel}: unchanged` : `${rel}: written`);
