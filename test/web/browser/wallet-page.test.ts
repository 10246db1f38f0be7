// The wallet stand-ins inside headless Chromium, on a trivial page of the test's own (no app): the page
// finds the EVM wallet only through EIP-6963 (no window.ethereum), asks for the account and sends a
// legacy BTTC transaction through it; it finds TronLink as a TronLink page does, connects, and has a
// TRC-10 transfer built, signed and broadcast. Checked on chain (exact balances, the sender's nonce),
// and that a page's request before connecting is refused and sends nothing.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { JsonRpcProvider, Wallet, toBeHex } from "ethers";
import type { Browser, Page } from "playwright-core";
import { chromiumPath, launchChromium, withScreenshotOnFailure } from "../../../testkit/browser/chromium.ts";
import { EvmTestWallet } from "../../../testkit/browser/evm-wallet.ts";
import { TEST_WALLET_NAME, TEST_WALLET_RDNS, installWallets } from "../../../testkit/browser/page-wallets.ts";
import { serveStatic, type StaticServer } from "../../../testkit/browser/static-server.ts";
import { TronTestWallet } from "../../../testkit/browser/tron-wallet.ts";
import { CHAIN_IDS, DEV_KEYS } from "../../../testkit/constants.ts";
import { startHardhatNode, type HardhatNode } from "../../../testkit/hardhat-node.ts";
import { BTTOLD, startTestNode, type TestNode } from "../../../devnet/tron/testing.ts";

const PAGE = `<!doctype html><html><head><title>wallet test page</title></head><body><p>test page</p>
<script>
  window.announced = [];
  window.addEventListener("eip6963:announceProvider", (event) => window.announced.push(event.detail));
  window.dispatchEvent(new Event("eip6963:requestProvider"));
</script></body></html>`;

describe("finding Chromium", () => {
  it("fails, naming how to install it, when Chromium is missing (the browser tests never skip)", () => {
    assert.throws(
      () => chromiumPath({ CHROMIUM_PATH: "/nonexistent/chromium" }),
      /not at \/nonexistent\/chromium.*apt-get install -y --no-install-recommends chromium/s,
    );
  });

  it("takes CHROMIUM_PATH, else Debian's /usr/bin/chromium", () => {
    assert.equal(chromiumPath({ CHROMIUM_PATH: process.execPath }), process.execPath);
    // Without CHROMIUM_PATH: Debian's path, found or named in the error.
    let found: string;
    try {
      found = chromiumPath({});
    } catch (error) {
      found = (error as Error).message;
    }
    assert.match(found, /\/usr\/bin\/chromium/);
  });
});

describe("wallet stand-ins in headless Chromium on a trivial page", { timeout: 180_000 }, () => {
  let bttc: HardhatNode;
  let tron: TestNode;
  let server: StaticServer;
  let dir: string;
  let browser: Browser;
  let page: Page;
  let evm: EvmTestWallet;
  let tronWallet: TronTestWallet;
  let rpc: JsonRpcProvider;
  const consoleLines: string[] = [];
  const recipient = new Wallet(DEV_KEYS[11]).address;

  before(async () => {
    [bttc, tron] = await Promise.all([startHardhatNode({ chainId: CHAIN_IDS.bttc }), startTestNode()]);
    dir = mkdtempSync(join(tmpdir(), "bttb-wallet-page-"));
    writeFileSync(join(dir, "index.html"), PAGE);
    server = await serveStatic(dir);
    rpc = new JsonRpcProvider(bttc.url, undefined, { cacheTimeout: -1 });
    evm = new EvmTestWallet(DEV_KEYS[10], [{ chainId: CHAIN_IDS.bttc, rpcUrl: bttc.url }]);
    tronWallet = new TronTestWallet(tron.accounts[6]!.privateKey, tron.node.url);
    browser = await launchChromium();
    page = await browser.newPage();
    page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    await installWallets(page, { evm, tron: tronWallet });
    await page.goto(server.url);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    evm?.close();
    rpc?.destroy();
    await Promise.all([bttc?.stop(), tron?.node.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return withScreenshotOnFailure(page, `wallet-page-${name}`, fn, consoleLines);
  }

  it("is announced through EIP-6963 (and is not window.ethereum)", () =>
    step("announce", async () => {
      const info = await page.evaluate(() => {
        const w = globalThis as unknown as { announced: { info: Record<string, string> }[]; ethereum?: unknown };
        return { infos: w.announced.map((a) => a.info), ethereum: w.ethereum !== undefined };
      });
      assert.equal(info.ethereum, false);
      assert.equal(info.infos.length, 1);
      assert.equal(info.infos[0]!.name, TEST_WALLET_NAME);
      assert.equal(info.infos[0]!.rdns, TEST_WALLET_RDNS);
      assert.match(info.infos[0]!.icon!, /^data:image\//);
      assert.match(info.infos[0]!.uuid!, /^[0-9a-f-]{36}$/);
    }));

  it("refuses a transaction before the page asked for the account, and nothing is sent", () =>
    step("before-connect", async () => {
      const nonce = await rpc.getTransactionCount(evm.address);
      const error = await page.evaluate(async (to) => {
        const provider = (globalThis as unknown as { announced: { provider: { request(a: unknown): Promise<unknown> } }[] }).announced[0]!
          .provider;
        try {
          await provider.request({ method: "eth_sendTransaction", params: [{ to, value: "0x1" }] });
          return null;
        } catch (e) {
          return { code: (e as { code: number }).code, message: (e as Error).message };
        }
      }, recipient);
      assert.equal(error?.code, 4100);
      assert.equal(await rpc.getTransactionCount(evm.address), nonce);
    }));

  it("connects and sends a legacy BTTC transaction the page asked for, emitting accountsChanged", () =>
    step("send", async () => {
      const before = await rpc.getBalance(recipient);
      const gasPrice = (await rpc.getFeeData()).gasPrice!;
      const outcome = await page.evaluate(
        async ({ to, gasPrice }) => {
          const provider = (
            globalThis as unknown as {
              announced: { provider: { request(a: unknown): Promise<unknown>; on(e: string, f: (d: unknown) => void): void } }[];
            }
          ).announced[0]!.provider;
          const events: unknown[] = [];
          provider.on("accountsChanged", (accounts) => events.push(accounts));
          const accounts = (await provider.request({ method: "eth_requestAccounts" })) as string[];
          const chainId = await provider.request({ method: "eth_chainId" });
          const hash = await provider.request({
            method: "eth_sendTransaction",
            params: [{ from: accounts[0], to, value: "0x3e8", type: "0x0", gasPrice }],
          });
          return { accounts, chainId, hash, events };
        },
        { to: recipient, gasPrice: toBeHex(gasPrice) },
      );
      assert.deepEqual(outcome.accounts, [evm.address]);
      assert.deepEqual(outcome.events, [[evm.address]]);
      assert.equal(outcome.chainId, toBeHex(CHAIN_IDS.bttc));
      const receipt = (await rpc.waitForTransaction(outcome.hash as string, 1, 30_000))!;
      assert.equal(receipt.status, 1);
      assert.equal((await rpc.getTransaction(receipt.hash))!.type, 0);
      assert.equal((await rpc.getBalance(recipient)) - before, 1000n);
    }));

  it("offers TronLink's window.tronLink / window.tronWeb: connect, build, sign and broadcast a TRC-10 transfer", () =>
    step("tronlink", async () => {
      const to = tron.accounts[7]!.base58;
      const balance = async () => {
        for (let i = 0; i < 4; i++) tron.node.mine(); // getAccount reads solidified state (3 deep)
        const account = (await tron.tronWeb.trx.getAccount(to)) as { assetV2?: { key: string; value: number }[] };
        return BigInt(account.assetV2?.find((a) => a.key === BTTOLD)?.value ?? 0);
      };
      const before = await balance();
      const outcome = await page.evaluate(
        async ({ to, token }) => {
          type Link = {
            ready: boolean;
            request(a: unknown): Promise<{ code: number }>;
            tronWeb: {
              defaultAddress: { base58: string };
              transactionBuilder: Record<string, (...a: unknown[]) => Promise<unknown>>;
              trx: Record<string, (...a: unknown[]) => Promise<unknown>>;
            };
          };
          const link = (globalThis as unknown as { tronLink: Link }).tronLink;
          const readyBefore = link.ready;
          const answer = await link.request({ method: "tron_requestAccounts" });
          const from = link.tronWeb.defaultAddress.base58;
          const tx = await link.tronWeb.transactionBuilder.sendToken!(to, 25, token, from);
          const signed = (await link.tronWeb.trx.sign!(tx)) as { txID: string };
          const sent = (await link.tronWeb.trx.sendRawTransaction!(signed)) as { result?: boolean };
          return { readyBefore, readyAfter: link.ready, code: answer.code, from, txID: signed.txID, result: sent.result };
        },
        { to, token: BTTOLD },
      );
      assert.equal(outcome.readyBefore, false);
      assert.equal(outcome.readyAfter, true);
      assert.equal(outcome.code, 200);
      assert.equal(outcome.from, tronWallet.base58);
      assert.equal(outcome.result, true);
      assert.deepEqual(tronWallet.signed, [outcome.txID]);
      assert.equal((await balance()) - before, 25n);
    }));
});
