// Headless Chromium for the browser tests: Debian's build (CI installs the `chromium` package), driven
// by playwright-core, which downloads no browser of its own. A missing browser FAILS the tests with a
// message saying how to install it: a browser test that skips would pass without testing anything.
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

export const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium";

/** Where Chromium is: `CHROMIUM_PATH`, else Debian's. Throws, naming the fix, when it is not there. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const path = env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
  if (!existsSync(path))
    throw new Error(
      `Chromium is not at ${path}: the browser tests need it. Install Debian's build ` +
        `(apt-get install -y --no-install-recommends chromium; .ci/run does) or set CHROMIUM_PATH to a Chromium binary.`,
    );
  return path;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
}

let screenshotDir: string | undefined;

/**
 * Runs `step`; if it throws, saves a screenshot of `page` (and the page's console lines, when given) in
 * a temp folder and adds its path to the error, so that a failure in CI shows what the page showed.
 */
export async function withScreenshotOnFailure<T>(page: Page, name: string, step: () => Promise<T>, consoleLines?: string[]): Promise<T> {
  try {
    return await step();
  } catch (error) {
    screenshotDir ??= mkdtempSync(join(tmpdir(), "bttb-browser-"));
    const file = join(screenshotDir, `${name.replace(/[^a-z0-9-]+/gi, "-")}.png`);
    let saved = `screenshot saved: ${file}`;
    try {
      await page.screenshot({ path: file, fullPage: true });
    } catch (shotError) {
      saved = `no screenshot (${shotError instanceof Error ? shotError.message : String(shotError)})`;
    }
    console.error(`[browser test "${name}" failed] ${saved} (page: ${page.url()})`);
    if (consoleLines && consoleLines.length > 0) console.error(`[page console]\n${consoleLines.slice(-40).join("\n")}`);
    if (error instanceof Error) error.message += `\n${saved}`;
    throw error;
  }
}
