/**
 * The HTML report as a person sees it: headless Chromium renders the fixture page to a screenshot
 * (the picture must have the window's size, more than one colour, and the status colours of the
 * environment picture), and its DOM must hold the item table. Two browser starts, a few seconds;
 * skipped when Chromium is not installed (Debian: `apt-get install chromium`; scripts/setup.sh
 * installs it).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { statusColours } from "../../../report/render/environment-svg";
import { renderHtml } from "../../../report/render/html";
import { browser, chromium } from "../../report-formats/validate";
import { checklist, fixtureReport } from "./fixture";
import { decodePng } from "./png";

const skip = !chromium && "Chromium is not installed (Debian: apt-get install chromium)";

describe("the HTML report in a browser", { skip }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "golive-html-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const page = path.join(dir, "report.html");
  const report = fixtureReport();
  fs.writeFileSync(page, renderHtml(checklist, report));

  it("renders to a screenshot of the window's size with the environment picture's colours", () => {
    const shot = path.join(dir, "report.png");
    browser([`--screenshot=${shot}`, "--window-size=1280,900", `file://${page}`]);
    const png = decodePng(fs.readFileSync(shot));
    assert.deepEqual([png.width, png.height], [1280, 900]);
    const colours = new Set<string>();
    for (let y = 0; y < png.height; y += 3)
      for (let x = 0; x < png.width; x += 3) colours.add(png.colourAt(x, y));
    assert.ok(colours.size > 20, `only ${colours.size} colours: the page looks blank`);
    for (const status of ["pass", "fail", "unknown"] as const)
      assert.ok(colours.has(statusColours[status].fill), `no ${status} box in the screenshot`);
  });

  it("has the item table in the DOM, a row per item", () => {
    const dom = browser(["--dump-dom", `file://${page}`]);
    const table = /<table id="items">([\s\S]*?)<\/table>/.exec(dom);
    assert.ok(table, "no table#items in the DOM");
    const rows = [...table[1].matchAll(/<tr class="[^"]*" data-item="([^"]+)">/g)].map((m) => m[1]);
    assert.deepEqual(
      rows,
      report.items.map((r) => r.item.id),
    );
  });
});
