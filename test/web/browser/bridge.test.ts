// The bridge and transfer pages in headless Chromium against a running devnet (one for the file;
// scenarios in turn, each in a fresh browser context), with the EIP-6963 wallet stand-in: BTT bridged
// BTTC → Ethereum → BSC → BTTC, each leg checked on chain to the wei (what left the sender, gas aside,
// is exactly the amount; what arrived is exactly the transfer's amount, and amount + fee = what was
// sent); a transfer followed live on its page until `completed` without a reload (the destination's
// mining is held so that the page must show an earlier status first); the round trip found on the
// Transfers page and the accounting invariant holding on Stats; and a gateway as recipient,
// refused by the API with RECIPIENT_IS_BRIDGE_CONTRACT shown next to the Recipient field, nothing sent.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Wallet, getAddress, parseEther } from "ethers";
import { AppHarness, type EvmChainName, type Session } from "../../../testkit/browser/app.ts";
import type { SentTransaction } from "../../../testkit/browser/evm-wallet.ts";
import { connectEvmWallet, fieldError, waitForStatus, waitForText, waitForTransferPage } from "../../../testkit/browser/ui.ts";
import { DEV_KEYS } from "../../../testkit/constants.ts";

interface Transfer {
  id: string;
  status: string;
  kind: string;
  amount: string;
  fee: string;
  source: { chain: string; txHash: string };
  destination: { chain: string; recipient: string };
}

const STATUSES = ["pending", "finalized", "attested", "submitted", "completed", "dropped", "rejected", "delayed"];

describe("bridge and transfer pages in Chromium against the devnet", { timeout: 900_000 }, () => {
  let h: AppHarness;
  /** The round trip's transfers, in order (the search scenario looks for them). */
  const roundTrip: Transfer[] = [];

  before(async () => {
    h = await AppHarness.start("browser-bridge");
  });
  after(async () => {
    await h?.stop();
  });

  /** The holder's BTT where it lives on `chain`: native on BTTC, the bridged token elsewhere. */
  function btt(chain: EvmChainName, address: string): Promise<bigint> {
    return chain === "bttc" ? h.bttcBalance(address) : h.tokenBalance(chain, "token", address);
  }

  /** Gas paid for the transactions, from their receipts. */
  async function gasPaid(chain: EvmChainName, sent: readonly SentTransaction[]): Promise<bigint> {
    let total = 0n;
    for (const tx of sent) {
      const receipt = (await h.provider(chain).getTransactionReceipt(tx.hash))!;
      total += receipt.gasUsed * receipt.gasPrice;
    }
    return total;
  }

  /** Fills the bridge form (opened through the main navigation) and submits it. */
  async function submitBridge(s: Session, from: EvmChainName, to: EvmChainName, amountText: string, recipient: string): Promise<void> {
    await s.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Bridge" }).click();
    const form = s.page.getByRole("form", { name: "Bridge" });
    await form.getByLabel("From", { exact: true }).selectOption(from);
    await form.getByLabel("To", { exact: true }).selectOption(to);
    await form.getByLabel("Amount", { exact: true }).fill(amountText);
    await form.getByLabel("Recipient", { exact: true }).fill(recipient);
    await waitForText(
      form.getByTestId("conversion"),
      (text) => text.startsWith(`${amountText} BTT`),
      `the conversion of ${amountText} BTT`,
    );
    await form.getByRole("button", { name: "Bridge" }).click();
  }

  /** One leg through the page, to `completed`; returns the transfer and the transactions the wallet sent for it. */
  async function leg(s: Session, from: EvmChainName, to: EvmChainName, amountText: string, recipient: string) {
    const sentBefore = s.evm!.sent.length;
    const id = await s.step(`${from}-${to}`, async () => {
      await submitBridge(s, from, to, amountText, recipient);
      const id = await waitForTransferPage(s.page);
      await waitForStatus(s.page, "completed");
      return id;
    });
    const transfer = (await h.api<Transfer>(`/v1/transfers/${id}`)).body;
    const sent = s.evm!.sent.slice(sentBefore);
    assert.equal(transfer.status, "completed");
    assert.equal(transfer.kind, "bridge");
    assert.equal(transfer.source.chain, from);
    assert.equal(transfer.destination.chain, to);
    assert.equal(getAddress(transfer.destination.recipient), getAddress(recipient));
    // Every transaction on the source chain; the last one is the transfer's source, at the gateway.
    assert.ok(sent.length >= 1);
    for (const tx of sent) assert.equal(tx.chainId, h.chain(from).chainId, `a transaction went to chain ${tx.chainId}`);
    if (from === "bttc") for (const tx of sent) assert.equal(tx.type, 0, "BTTC takes legacy transactions only");
    assert.equal(sent.at(-1)!.hash, transfer.source.txHash);
    assert.equal(getAddress(sent.at(-1)!.to!), getAddress(h.chain(from).gateway));
    return { transfer, sent };
  }

  it("bridges BTT BTTC → Ethereum → BSC → BTTC, each leg exact on chain", async () => {
    const s = await h.session("round-trip", { evmKey: DEV_KEYS[6] });
    try {
      const me = s.evm!.address;
      await s.step("connect", async () => {
        await s.open("#/bridge");
        await connectEvmWallet(s.page, me);
      });

      // BTTC → Ethereum: 100 BTT locked (plus gas) on BTTC; the bridged token minted on Ethereum.
      let bttcBefore = await btt("bttc", me);
      const ethBefore = await btt("ethereum", me);
      const one = await leg(s, "bttc", "ethereum", "100", me);
      assert.equal(BigInt(one.transfer.amount) + BigInt(one.transfer.fee), parseEther("100"));
      assert.equal(one.sent.at(-1)!.value, parseEther("100"));
      assert.equal(bttcBefore - (await btt("bttc", me)), parseEther("100") + (await gasPaid("bttc", one.sent)));
      assert.equal((await btt("ethereum", me)) - ethBefore, BigInt(one.transfer.amount));

      // Ethereum → BSC: 50 BTT burned on Ethereum (gas is ETH), minted on BSC.
      const ethMid = await btt("ethereum", me);
      const bscBefore = await btt("bsc", me);
      const two = await leg(s, "ethereum", "bsc", "50", me);
      assert.equal(BigInt(two.transfer.amount) + BigInt(two.transfer.fee), parseEther("50"));
      assert.equal(ethMid - (await btt("ethereum", me)), parseEther("50"));
      assert.equal((await btt("bsc", me)) - bscBefore, BigInt(two.transfer.amount));

      // BSC → BTTC: 20 BTT burned on BSC, released on BTTC (the wallet sent nothing on BTTC meanwhile).
      const bscMid = await btt("bsc", me);
      bttcBefore = await btt("bttc", me);
      const three = await leg(s, "bsc", "bttc", "20", me);
      assert.equal(BigInt(three.transfer.amount) + BigInt(three.transfer.fee), parseEther("20"));
      assert.equal(bscMid - (await btt("bsc", me)), parseEther("20"));
      assert.equal((await btt("bttc", me)) - bttcBefore, BigInt(three.transfer.amount));
      roundTrip.push(one.transfer, two.transfer, three.transfer);
    } finally {
      await s.close();
    }
  });

  it("finds the round trip on the Transfers page (by source transaction, and in the wallet's history); Stats says the invariant holds", async () => {
    assert.equal(roundTrip.length, 3, "the round trip did not complete");
    const s = await h.session("search", { evmKey: DEV_KEYS[6] });
    try {
      const nav = s.page.getByRole("navigation", { name: "Main" });
      const link = (id: string) => s.page.locator(`a[href$="#/transfer/${id}"]`);
      await s.step("search", async () => {
        await s.open("#/swap");
        await nav.getByRole("link", { name: "Transfers" }).click();
        await s.page.getByLabel("Transfer id, source transaction or address", { exact: true }).fill(roundTrip[0]!.source.txHash);
        await s.page.getByRole("button", { name: "Find" }).click();
        await link(roundTrip[0]!.id).first().waitFor();
      });
      await s.step("history", async () => {
        await connectEvmWallet(s.page, s.evm!.address);
        for (const t of roundTrip) await link(t.id).first().waitFor();
      });
      await s.step("stats", async () => {
        await nav.getByRole("link", { name: "Stats" }).click();
        await s.page.getByRole("heading", { name: "Stats" }).waitFor();
        await waitForText(s.page.getByTestId("invariant"), (t) => /holds|violated/.test(t), "the invariant");
        assert.match((await s.page.getByTestId("invariant").textContent()) ?? "", /holds/);
        assert.doesNotMatch((await s.page.getByTestId("invariant").textContent()) ?? "", /violated/);
      });
    } finally {
      await s.close();
    }
  });

  it("follows a transfer live on its page to completed, without a reload", async () => {
    const s = await h.session("live", { evmKey: DEV_KEYS[7] });
    const bsc = h.provider("bsc");
    let held = false;
    const hold = async (on: boolean) => {
      // Holding BSC's blocks keeps the delivery from landing: the page must show the transfer before it completes.
      await bsc.send("evm_setAutomine", [!on]);
      await bsc.send("evm_setIntervalMining", [on ? 0 : 1_000]);
      held = on;
    };
    try {
      const recipient = Wallet.createRandom().address;
      const eventStreams: string[] = [];
      s.page.on("request", (r) => {
        if (/\/v1\/transfers\/0x[0-9a-fA-F]{64}\/events/.test(r.url())) eventStreams.push(r.url());
      });
      let loads = 0;
      await s.step("connect", async () => {
        await s.open("#/bridge");
        await connectEvmWallet(s.page, s.evm!.address);
      });
      s.page.on("load", () => loads++);
      await hold(true);
      const id = await s.step("send", async () => {
        await submitBridge(s, "bttc", "bsc", "10", recipient);
        return waitForTransferPage(s.page);
      });
      const first = await s.step("first-status", () =>
        waitForText(s.page.getByTestId("transfer-status"), (t) => STATUSES.includes(t) && t !== "completed", "a status before completed"),
      );
      // Record every status the page shows from now on, and mark the document: a reload would lose both.
      await s.page.evaluate(`(() => {
        const el = document.querySelector('[data-testid="transfer-status"]');
        window.__bttbSeen = [el.textContent.trim()];
        new MutationObserver(() => {
          const now = document.querySelector('[data-testid="transfer-status"]');
          const text = now ? now.textContent.trim() : "";
          if (text && window.__bttbSeen.at(-1) !== text) window.__bttbSeen.push(text);
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      })()`);
      const loadsBefore = loads;
      await hold(false);
      await s.step("completed", () => waitForStatus(s.page, "completed"));
      const seen = await s.page.evaluate<string[]>("window.__bttbSeen");
      // Recorded while the delivery was held, so not completed yet (it may have moved on from `first`).
      assert.notEqual(seen[0], "completed", `first seen ${first}, then ${seen.join(" → ")}`);
      assert.ok(STATUSES.includes(seen[0]!));
      assert.equal(seen.at(-1), "completed");
      assert.equal(loads, loadsBefore, "the page reloaded");
      assert.ok(
        eventStreams.some((u) => u.includes(`/v1/transfers/${id}/events`)),
        `the page did not open the transfer's event stream: ${eventStreams.join(", ")}`,
      );
      const timeline = s.page.getByRole("list", { name: "Timeline" }).getByRole("listitem");
      await s.step("timeline", () => waitForText(timeline.last(), (t) => t.includes("completed"), "the timeline's completed step"));
      assert.ok((await timeline.count()) >= 2);
      const transfer = (await h.api<Transfer>(`/v1/transfers/${id}`)).body;
      assert.equal(await btt("bsc", recipient), BigInt(transfer.amount));
      assert.equal(BigInt(transfer.amount) + BigInt(transfer.fee), parseEther("10"));
    } finally {
      if (held) await hold(false);
      await s.close();
    }
  });

  it("shows the API's refusal of a gateway as recipient next to the Recipient field, and sends nothing", async () => {
    const s = await h.session("refused-recipient", { evmKey: DEV_KEYS[5] });
    try {
      const evm = s.evm!;
      const gateway = h.chain("ethereum").gateway;
      const nonce = await h.provider("bttc").getTransactionCount(evm.address);
      // What the API says of this request, to find on the page.
      const refusal = await h.api<{ code?: string; message?: string; error?: { code: string; message: string } }>("/v1/bridge", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ from: "bttc", to: "ethereum", amount: parseEther("5").toString(), sender: evm.address, recipient: gateway }),
      });
      const error = refusal.body.error ?? { code: refusal.body.code, message: refusal.body.message };
      assert.equal(refusal.status, 422);
      assert.equal(error.code, "RECIPIENT_IS_BRIDGE_CONTRACT");
      await s.step("refused", async () => {
        await s.open("#/bridge");
        await connectEvmWallet(s.page, evm.address);
        await submitBridge(s, "bttc", "ethereum", "5", gateway);
        const shown = await fieldError(s.page.getByRole("form", { name: "Bridge" }), "Recipient");
        assert.ok(
          shown.includes(error.message!),
          `the Recipient field shows ${JSON.stringify(shown)}, not the API's ${JSON.stringify(error.message)}`,
        );
      });
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      assert.equal(s.page.url().includes("#/transfer/"), false);
      assert.deepEqual(evm.sent, []);
      assert.equal(evm.log.includes("eth_sendTransaction"), false);
      assert.equal(await h.provider("bttc").getTransactionCount(evm.address), nonce);
    } finally {
      await s.close();
    }
  });
});
