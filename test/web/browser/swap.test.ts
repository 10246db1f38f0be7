// The swap page in headless Chromium against a running devnet (one for the file; scenarios in turn, each
// in a fresh browser context): a TRC-10 swap from TRON with the TronLink stand-in, an 18-decimal BEP-20
// swap on BSC (approve, then redenominate) with the EIP-6963 wallet, a swap signed in the page by a devnet
// demo account, and bad amounts refused by the page itself. Every outcome is read on chain as well: exact BTTOLD taken, exact BTT (1 BTTOLD = 1,000 BTT)
// received on BTTC, and, where the page refused, no transaction signed and no nonce moved.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Wallet, getAddress } from "ethers";
import { AppHarness } from "../../../testkit/browser/app.ts";
import {
  connectEvmWallet,
  connectTronLink,
  fieldError,
  waitForStatus,
  waitForText,
  waitForTransferPage,
} from "../../../testkit/browser/ui.ts";
import { DEV_KEYS } from "../../../testkit/constants.ts";

interface Transfer {
  id: string;
  status: string;
  kind: string;
  amount: string;
  legacyAmount: string | null;
  source: { chain: string; txHash: string; sender: string };
  destination: { chain: string; recipient: string };
}

const APPROVE_SELECTOR = "0x095ea7b3";
const WEI_PER_BTT = 10n ** 18n;

describe("swap page in Chromium against the devnet", { timeout: 900_000 }, () => {
  let h: AppHarness;

  before(async () => {
    h = await AppHarness.start("browser-swap");
  });
  after(async () => {
    await h?.stop();
  });

  it("swaps TRC-10 BTTOLD from TRON with TronLink: 1.5 BTTOLD taken, exactly 1,500 BTT on BTTC", async () => {
    const s = await h.session("tron-swap", { tronKey: DEV_KEYS[1] });
    try {
      const tron = s.tron!;
      const recipient = Wallet.createRandom().address;
      const form = s.page.getByRole("form", { name: "Swap" });
      const tronBefore = await h.tronTokenBalance(tron.base58);
      await s.step("fill", async () => {
        await s.open("#/swap");
        await connectTronLink(s.page, tron.base58);
        await form.getByLabel("From", { exact: true }).selectOption("tron");
        await form.getByLabel("Amount", { exact: true }).fill("1.5");
        await form.getByLabel("Recipient on BTTC", { exact: true }).fill(recipient);
        await waitForText(form.getByTestId("conversion"), (text) => text.includes("1,500 BTT"), "the conversion");
        assert.equal((await form.getByTestId("conversion").textContent())?.trim(), "1.5 BTTOLD (TRC-10 1002000) → 1,500 BTT on BTTC");
      });
      const id = await s.step("send", async () => {
        await form.getByRole("button", { name: "Swap" }).click();
        return waitForTransferPage(s.page);
      });
      await s.step("completed", () => waitForStatus(s.page, "completed"));

      // One transaction signed by TronLink, and it is the transfer's source.
      assert.equal(tron.signed.length, 1);
      const transfer = (await h.api<Transfer>(`/v1/transfers/${id}`)).body;
      assert.equal(transfer.kind, "swap");
      assert.equal(transfer.status, "completed");
      assert.equal(transfer.source.chain, "tron");
      assert.equal(transfer.source.txHash.replace(/^0x/, ""), tron.signed[0]);
      assert.equal(transfer.source.sender, tron.base58);
      assert.equal(getAddress(transfer.destination.recipient), recipient);
      // On chain: exactly 1.5 BTTOLD (6 decimals) left the sender, exactly 1,500 BTT reached the recipient.
      assert.equal(tronBefore - (await h.tronTokenBalance(tron.base58)), 1_500_000n);
      assert.equal(await h.bttcBalance(recipient), 1_500n * WEI_PER_BTT);
      assert.equal(transfer.amount, (1_500n * WEI_PER_BTT).toString());
      assert.equal(transfer.legacyAmount, "1500000");
    } finally {
      await s.close();
    }
  });

  it("swaps 18-decimal BEP-20 BTTOLD on BSC with the EIP-6963 wallet: approve, then redenominate", async () => {
    const s = await h.session("bsc-swap", { evmKey: DEV_KEYS[2] });
    try {
      const evm = s.evm!;
      const bsc = h.chain("bsc");
      const recipient = Wallet.createRandom().address;
      const amount = 2_500_000_000_000_000_000n; // 2.5 BTTOLD, 18 decimals
      const legacyBefore = await h.tokenBalance("bsc", "legacyToken", evm.address);
      const form = s.page.getByRole("form", { name: "Swap" });
      await s.step("fill", async () => {
        await s.open("#/swap");
        await connectEvmWallet(s.page, evm.address);
        await form.getByLabel("From", { exact: true }).selectOption("bsc");
        await form.getByLabel("Amount", { exact: true }).fill("2.5");
        await form.getByLabel("Recipient on BTTC", { exact: true }).fill(recipient);
        await waitForText(form.getByTestId("conversion"), (text) => text.includes("2,500 BTT"), "the conversion");
        assert.match((await form.getByTestId("conversion").textContent()) ?? "", /^2\.5 BTTOLD .*BEP-20.* → 2,500 BTT on BTTC$/);
      });
      const id = await s.step("send", async () => {
        await form.getByRole("button", { name: "Swap" }).click();
        return waitForTransferPage(s.page);
      });
      await s.step("completed", () => waitForStatus(s.page, "completed"));

      // Two transactions, both on BSC: the approval of the legacy token, then the swap at the gateway.
      assert.deepEqual(
        evm.sent.map((t) => [t.chainId, t.to && getAddress(t.to)]),
        [
          [bsc.chainId, getAddress(bsc.legacyToken!)],
          [bsc.chainId, getAddress(bsc.gateway)],
        ],
      );
      assert.equal(evm.sent[0]!.data.slice(0, 10), APPROVE_SELECTOR);
      const transfer = (await h.api<Transfer>(`/v1/transfers/${id}`)).body;
      assert.equal(transfer.kind, "swap");
      assert.equal(transfer.source.chain, "bsc");
      assert.equal(transfer.source.txHash, evm.sent[1]!.hash);
      assert.equal(legacyBefore - (await h.tokenBalance("bsc", "legacyToken", evm.address)), amount);
      assert.equal(await h.bttcBalance(recipient), 2_500n * WEI_PER_BTT);
      assert.equal(transfer.amount, (2_500n * WEI_PER_BTT).toString());
    } finally {
      await s.close();
    }
  });

  it("on a devnet, a demo account chosen in the page is both wallets and signs in the page: a TRC-10 swap", async () => {
    const s = await h.session("demo-account");
    try {
      const demo = h.info.accounts[3]!;
      const recipient = Wallet.createRandom().address;
      const tronBefore = await h.tronTokenBalance(demo.tronAddress);
      const form = s.page.getByRole("form", { name: "Swap" });
      await s.step("choose", async () => {
        await s.open("#/swap");
        await s.page.getByLabel("Demo account", { exact: true }).selectOption({ label: "Demo account 3" });
        await waitForText(s.page.getByTestId("evm-account"), (t) => t.toLowerCase() === demo.address.toLowerCase(), "the demo EVM account");
        await waitForText(s.page.getByTestId("tron-account"), (t) => t === demo.tronAddress, "the demo TRON account");
        // The recipient defaults to the connected EVM account.
        assert.equal((await form.getByLabel("Recipient on BTTC", { exact: true }).inputValue()).toLowerCase(), demo.address.toLowerCase());
      });
      const id = await s.step("send", async () => {
        await form.getByLabel("From", { exact: true }).selectOption("tron");
        await form.getByLabel("Amount", { exact: true }).fill("0.25");
        await form.getByLabel("Recipient on BTTC", { exact: true }).fill(recipient);
        await waitForText(form.getByTestId("conversion"), (text) => text.includes("250 BTT"), "the conversion");
        await form.getByRole("button", { name: "Swap" }).click();
        return waitForTransferPage(s.page);
      });
      await s.step("completed", () => waitForStatus(s.page, "completed"));
      const transfer = (await h.api<Transfer>(`/v1/transfers/${id}`)).body;
      assert.equal(transfer.source.sender, demo.tronAddress);
      assert.equal(tronBefore - (await h.tronTokenBalance(demo.tronAddress)), 250_000n);
      assert.equal(await h.bttcBalance(recipient), 250n * WEI_PER_BTT);
    } finally {
      await s.close();
    }
  });

  it("refuses a malformed amount and one with more decimals than the token has; nothing is signed or sent", async () => {
    const s = await h.session("bad-amount", { evmKey: DEV_KEYS[4], tronKey: DEV_KEYS[4] });
    try {
      const evm = s.evm!;
      const tron = s.tron!;
      const nonces = async () => Promise.all([h.provider("bsc"), h.provider("bttc")].map((p) => p.getTransactionCount(evm.address)));
      const noncesBefore = await nonces();
      const tronBefore = await h.tronTokenBalance(tron.base58);
      const form = s.page.getByRole("form", { name: "Swap" });
      await s.step("connect", async () => {
        await s.open("#/swap");
        await connectEvmWallet(s.page, evm.address);
        await connectTronLink(s.page, tron.base58);
      });
      await s.step("malformed", async () => {
        await form.getByLabel("From", { exact: true }).selectOption("bsc");
        await form.getByLabel("Amount", { exact: true }).fill("1.2.3");
        await form.getByRole("button", { name: "Swap" }).click();
        assert.match(await fieldError(form, "Amount"), /number|amount/i);
      });
      await s.step("too-many-decimals", async () => {
        await form.getByLabel("From", { exact: true }).selectOption("tron");
        // TRC-10 BTTOLD has 6 decimals: a seventh is refused, not rounded.
        await form.getByLabel("Amount", { exact: true }).fill("1.1234567");
        await form.getByRole("button", { name: "Swap" }).click();
        assert.match(await fieldError(form, "Amount"), /6 decimals/);
      });
      // Give a wrongly sent transaction time to show, then check nothing moved.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      assert.equal(s.page.url().includes("#/transfer/"), false);
      assert.deepEqual(evm.sent, []);
      assert.equal(evm.log.includes("eth_sendTransaction"), false);
      assert.deepEqual(tron.signed, []);
      assert.deepEqual(await nonces(), noncesBefore);
      assert.equal(await h.tronTokenBalance(tron.base58), tronBefore);
    } finally {
      await s.close();
    }
  });
});
