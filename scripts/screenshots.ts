// `npm run screenshots [-- --devnet <data dir>]`: screenshots of every page of the web app
// (docs/screenshots/*.png), taken with headless Chromium against a running devnet. It uses demo
// account 0, swaps 1.5 BTTOLD from TRON and follows the transfer to `completed` for the timeline.
import { readFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { chromium, type Page } from "playwright-core";
import type { DevnetInfo } from "../devnet/configs.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    devnet: { type: "string", default: ".devnet" },
    out: { type: "string", default: "docs/screenshots" },
    chromium: { type: "string", default: "/usr/bin/chromium" },
  },
});
const info = JSON.parse(readFileSync(join(values.devnet, "devnet.json"), "utf8")) as DevnetInfo;
if (!info.web) throw new Error(`${values.devnet}/devnet.json has no web app: start the devnet (npm start) first`);
const out = join(root, values.out);
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: values.chromium,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 860 }, deviceScaleFactor: 1 });
  page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
  const shot = async (name: string) => {
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
    console.log(`  ${values.out}/${name}.png`);
  };
  const open = async (route: string) => {
    await page.goto(`${info.web!.url}/#/${route}`);
    await page.getByRole("navigation", { name: "Main" }).waitFor();
  };
  const settle = (p: Page) => p.waitForTimeout(1_200); // the debounced quote

  await open("swap");
  await page.getByLabel("Demo account").selectOption({ label: "Demo account 0" });
  await page.getByLabel("Amount").fill("1.5");
  await settle(page);
  await shot("swap");

  await page.getByLabel("Amount").fill("1.0000001");
  await page.getByRole("button", { name: "Swap" }).click();
  await shot("swap-error");

  await page.getByLabel("Amount").fill("1.5");
  await page.getByRole("button", { name: "Swap" }).click();
  await page.waitForURL(/#\/transfer\//, { timeout: 90_000 });
  await page.getByTestId("transfer-status").filter({ hasText: "completed" }).waitFor({ timeout: 90_000 });
  await shot("transfer");

  await open("bridge");
  await page.getByLabel("From").selectOption("bttc");
  await page.getByLabel("To").selectOption("bsc");
  await page.getByLabel("Amount").fill("2500.75");
  await settle(page);
  await shot("bridge");

  await open("transfers");
  await page.getByLabel("Transfer id, source transaction or address").fill(info.accounts[0]!.address);
  await page.getByRole("button", { name: "Find" }).click();
  await page.getByRole("list", { name: "Results" }).waitFor();
  await shot("transfers");

  await open("stats");
  await page.getByTestId("invariant").waitFor({ timeout: 60_000 });
  await shot("stats");
} finally {
  await browser.close();
}
