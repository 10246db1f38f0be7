// What the browser scenarios do on the app's pages, through the UI contract's accessible names only
// (roles, labels, and the few data-testid the contract names): connect the wallets, read a field's error
// as a person with a screen reader would (the alert the field's aria-describedby points to), and follow
// a transfer's page.
import type { Locator, Page } from "playwright-core";
import { TEST_WALLET_NAME } from "./page-wallets.ts";

/** "Connect wallet", then the test wallet's button (announced through EIP-6963); waits for the account shown. */
export async function connectEvmWallet(page: Page, address: string): Promise<void> {
  await page.getByRole("button", { name: "Connect wallet" }).click();
  await page.getByRole("button", { name: TEST_WALLET_NAME }).click();
  await waitForText(page.getByTestId("evm-account"), (text) => text.toLowerCase() === address.toLowerCase(), "the connected EVM account");
}

/** "Connect TronLink"; waits for the TRON account shown. */
export async function connectTronLink(page: Page, base58: string): Promise<void> {
  await page.getByRole("button", { name: "Connect TronLink" }).click();
  await waitForText(page.getByTestId("tron-account"), (text) => text === base58, "the connected TRON account");
}

/** Waits until `locator`'s text (trimmed) satisfies `ok`; the error names what was awaited and the last text seen. */
export async function waitForText(locator: Locator, ok: (text: string) => boolean, what: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "(not found)";
  for (;;) {
    if ((await locator.count()) > 0) {
      last = ((await locator.first().textContent()) ?? "").trim();
      if (ok(last)) return last;
    }
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs / 1000} s for ${what}; last seen: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The error shown for a form field: the text of the `role="alert"` element that the field's
 * aria-describedby names. Waits for it; fails if the field has no such linked alert.
 */
export async function fieldError(form: Locator, label: string, timeoutMs = 15_000): Promise<string> {
  const field = form.getByLabel(label, { exact: true });
  const page = form.page();
  const deadline = Date.now() + timeoutMs;
  let seen = "";
  for (;;) {
    const ids = ((await field.getAttribute("aria-describedby")) ?? "").split(/\s+/).filter(Boolean);
    seen = `aria-describedby=${JSON.stringify(ids)}`;
    for (const id of ids) {
      const described = page.locator(`[id="${id}"]`);
      if ((await described.count()) === 1 && (await described.getAttribute("role")) === "alert") {
        const text = ((await described.textContent()) ?? "").trim();
        if (text) return text;
      }
    }
    if (Date.now() > deadline) throw new Error(`no alert linked to the field "${label}" within ${timeoutMs / 1000} s (${seen})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** After the last transaction is sent, the app opens the transfer's page: waits for it, returns the id. */
export async function waitForTransferPage(page: Page, timeoutMs = 90_000): Promise<string> {
  await page.waitForURL(/#\/transfer\/0x[0-9a-fA-F]{64}$/, { timeout: timeoutMs });
  await page.getByRole("heading", { name: "Transfer" }).waitFor();
  return /#\/transfer\/(0x[0-9a-fA-F]{64})$/.exec(page.url())![1]!.toLowerCase();
}

/** Waits until the transfer page's status word is `status`. */
export function waitForStatus(page: Page, status: string, timeoutMs = 120_000): Promise<string> {
  return waitForText(page.getByTestId("transfer-status"), (text) => text === status, `transfer status "${status}"`, timeoutMs);
}
