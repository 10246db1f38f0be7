// What a user can do on the transfer page when the bridge does not finish a transfer for them, in headless
// Chromium against a running devnet (one for the file; each scenario in a fresh browser context), each
// outcome read on chain as well as on the page:
// - "Deliver it yourself": BTTC → BSC with BSC's mining held so that the relayers' delivery stays in the
//   mempool; once the transfer is attested every relayer node is frozen (SIGSTOP: to the devnet they are
//   still running, and they are thawed whatever happens) and their delivery is dropped from the mempool,
//   so nothing but the user can deliver it. The page's button sends the API-built delivery from the
//   user's wallet: exactly the amount reaches the recipient, from the user's transaction, the gateway
//   marks it delivered, and the page shows `completed` with that transaction in the timeline.
// - "Claim": Ethereum → BTTC to a contract that needs more gas to take BTT than the gateway gives a
//   payout, which is therefore deferred; the completed transfer's page offers "Claim", whose transaction
//   pays the contract exactly the amount and leaves nothing claimable.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Contract, ContractFactory, Wallet, getAddress, parseEther, type InterfaceAbi } from "ethers";
import { AppHarness, type EvmChainName, type Session } from "../../../testkit/browser/app.ts";
import { connectEvmWallet, fieldError, waitForStatus, waitForText, waitForTransferPage } from "../../../testkit/browser/ui.ts";
import { DEV_KEYS } from "../../../testkit/constants.ts";

interface Transfer {
  id: string;
  status: string;
  amount: string;
  fee: string;
  source: { chain: string; chainId: string; gateway: string; ref: string; txHash: string };
  destination: { chain: string; recipient: string };
  delivery: { txHash: string; blockNumber: string | null; final: boolean } | null;
  waiting: { reason: string; actions: string[] } | null;
  claimable: { chain: string; recipient: string; amount: string } | null;
  timeline: { status: string; txHash: string | null }[];
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
/** Gas the hungry recipient burns to take a payment: more than the 30,000 a gateway payout forwards. */
const RECIPIENT_BURN = 60_000n;

/** Polls `read` until `ok` holds; the error names what was awaited and the last value seen. */
async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await read();
      if (ok(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const seen =
        last === undefined ? String(lastError) : JSON.stringify(last, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v));
      throw new Error(`waited ${timeoutMs / 1000} s for ${what}; last seen: ${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe("deliver it yourself and claim, in Chromium against the devnet", { timeout: 900_000 }, () => {
  let h: AppHarness;

  before(async () => {
    h = await AppHarness.start("browser-self-service");
  });
  after(async () => {
    await h?.stop();
  });

  function transfer(id: string): Promise<Transfer> {
    return h.api<Transfer>(`/v1/transfers/${id}`).then((r) => {
      if (r.status !== 200) throw new Error(`GET /v1/transfers/${id}: ${r.status}`);
      return r.body;
    });
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

  it("delivers a transfer whose relayers all stopped after attesting it, from the user's wallet, to completed", async () => {
    const s = await h.session("deliver-yourself", { evmKey: DEV_KEYS[3] });
    const bsc = h.provider("bsc");
    const gateway = h.chain("bsc").gateway;
    const relayerPids = h.info.relayers.filter((r) => !r.standby && r.pid !== undefined).map((r) => r.pid!);
    assert.ok(relayerPids.length >= 3, `devnet.json lists the relayers' pids: ${JSON.stringify(h.info.relayers)}`);
    let held = false;
    let frozen = false;
    const hold = async (on: boolean) => {
      // While BSC mines nothing, the relayers' delivery waits in its mempool, where the test can drop it.
      await bsc.send("evm_setAutomine", [!on]);
      await bsc.send("evm_setIntervalMining", [on ? 0 : 1_000]);
      held = on;
    };
    const freeze = (on: boolean) => {
      // Marked first: a freeze that stops halfway is still thawed. Thawing goes on past a node that is gone.
      if (on) frozen = true;
      for (const pid of relayerPids) {
        try {
          process.kill(pid, on ? "SIGSTOP" : "SIGCONT");
        } catch (error) {
          if (on) throw error;
        }
      }
      frozen = on;
    };
    /** The pending transactions to BSC's gateway (the relayers' deliveries). */
    const pendingDeliveries = async () => {
      const block = (await bsc.send("eth_getBlockByNumber", ["pending", true])) as { transactions: { hash: string; to: string | null }[] };
      return block.transactions.filter((tx) => tx.to !== null && getAddress(tx.to) === getAddress(gateway));
    };
    try {
      const me = s.evm!.address;
      const relayerPayers = new Set(h.info.relayers.map((r) => getAddress(r.payer)));
      assert.equal(relayerPayers.has(me), false, "the user's account is a relayer's payer");
      const recipient = Wallet.createRandom().address;
      await s.step("connect", async () => {
        await s.open("#/bridge");
        await connectEvmWallet(s.page, me);
      });
      await hold(true);
      const id = await s.step("send", async () => {
        await submitBridge(s, "bttc", "bsc", "10", recipient);
        return waitForTransferPage(s.page);
      });

      // Attested, and its delivery sent: the followed node stored the signed batch (the API offers to deliver
      // it), and a relayer's delivery waits in BSC's mempool. Which node sends it is the route's designation,
      // so the followed node's own record may say `attested`, `submitted`, or `finalized` again (it found the
      // delivery made already when it simulated its own against the pending block).
      await until(
        async () => ({ transfer: await transfer(id), pending: await pendingDeliveries() }),
        (x) => x.transfer.waiting?.actions.includes("deliver_yourself") === true && x.pending.length > 0,
        "the transfer attested and the relayers' delivery in BSC's mempool",
        180_000,
      );
      freeze(true);
      // A delivery a node was sending as it froze reaches the mempool a moment later: drop until none has come for a while.
      let quietSince = Date.now();
      const dropped: string[] = [];
      while (Date.now() - quietSince < 3_000) {
        const pending = await pendingDeliveries();
        for (const tx of pending) {
          assert.equal(await bsc.send("hardhat_dropTransaction", [tx.hash]), true, `dropping ${tx.hash}`);
          dropped.push(tx.hash);
          quietSince = Date.now();
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.ok(dropped.length >= 1, "no relayer delivery was found in BSC's mempool");
      assert.deepEqual(await pendingDeliveries(), [], "a relayer's delivery is still in BSC's mempool");
      for (const hash of dropped) assert.equal(await bsc.getTransaction(hash), null, `the dropped ${hash} is still known`);
      await hold(false);

      const before = await until(
        () => transfer(id),
        (t) => t.waiting?.actions.includes("deliver_yourself") === true,
        "the API to offer deliver_yourself",
        60_000,
      );
      assert.notEqual(before.status, "completed");
      assert.equal(before.delivery, null);
      const amount = BigInt(before.amount);
      assert.equal(amount + BigInt(before.fee), parseEther("10"));
      assert.equal(await h.tokenBalance("bsc", "token", recipient), 0n, "delivered before the user did");
      const srcRef = before.source.ref;
      const gw = new Contract(gateway, ["function isDelivered(uint64,bytes32,bytes32) view returns (bool)"], bsc);
      const delivered = () => gw.getFunction("isDelivered")(before.source.chainId, before.source.gateway, srcRef) as Promise<boolean>;
      assert.equal(await delivered(), false);

      const sentBefore = s.evm!.sent.length;
      await s.step("deliver", async () => {
        const button = s.page.getByRole("button", { name: "Deliver it yourself" });
        await button.waitFor({ timeout: 60_000 });
        await button.click();
        await waitForStatus(s.page, "completed", 180_000);
      });
      const mine = s.evm!.sent.slice(sentBefore);
      assert.equal(mine.length, 1, `the wallet sent ${mine.length} transactions for the delivery`);
      const userTx = mine[0]!;
      assert.equal(userTx.chainId, h.chain("bsc").chainId);
      assert.equal(getAddress(userTx.to!), getAddress(gateway));

      // On chain: the user's transaction delivered it, and exactly the amount arrived.
      const tx = (await bsc.getTransaction(userTx.hash))!;
      assert.equal(getAddress(tx.from), me);
      const receipt = (await bsc.getTransactionReceipt(userTx.hash))!;
      assert.equal(receipt.status, 1);
      assert.equal(await h.tokenBalance("bsc", "token", recipient), amount);
      assert.equal(await delivered(), true);

      const after = await transfer(id);
      assert.equal(after.status, "completed");
      assert.equal(after.delivery?.txHash, userTx.hash);
      assert.equal(after.waiting, null);
      assert.ok(
        after.timeline.some((e) => e.status === "completed" && e.txHash === userTx.hash),
        `the API's timeline: ${JSON.stringify(after.timeline)}`,
      );
      // The page's timeline shows the user's transaction, and the button is gone.
      const timeline = s.page.getByRole("list", { name: "Timeline" }).getByRole("listitem");
      await s.step("timeline", () =>
        waitForText(
          timeline.filter({ hasText: userTx.hash }).last(),
          (t) => t.includes("completed"),
          "the user's delivery in the timeline",
        ),
      );
      assert.equal(await s.page.getByRole("button", { name: "Deliver it yourself" }).count(), 0);
    } finally {
      if (frozen) freeze(false);
      if (held) await hold(false);
      await s.close();
    }
  });

  it("claims a payout the gateway deferred for a contract recipient, from the transfer page", async () => {
    const s = await h.session("claim", { evmKey: DEV_KEYS[4] });
    try {
      const me = s.evm!.address;
      const bttc = h.provider("bttc");
      // The recipient: a contract that takes BTT only with more gas than a payout forwards. BTTC is Berlin: legacy transactions.
      const artifact = JSON.parse(
        readFileSync(join(root, "artifacts/contracts/mocks/HostileRecipients.sol/GasHungryRecipient.json"), "utf8"),
      ) as { abi: InterfaceAbi; bytecode: string };
      const deployer = new Wallet(DEV_KEYS[9], bttc);
      const gasPrice = (await bttc.getFeeData()).gasPrice!;
      const hungry = await new ContractFactory(artifact.abi, artifact.bytecode, deployer).deploy(RECIPIENT_BURN, { type: 0, gasPrice });
      await hungry.waitForDeployment();
      const recipient = getAddress(await hungry.getAddress());
      assert.equal(await h.bttcBalance(recipient), 0n);
      const home = new Contract(h.chain("bttc").gateway, ["function claimable(address) view returns (uint256)"], bttc);
      const claimable = () => home.getFunction("claimable")(recipient) as Promise<bigint>;
      assert.equal(await claimable(), 0n);

      await s.step("connect", async () => {
        await s.open("#/bridge");
        await connectEvmWallet(s.page, me);
      });
      // BTT on Ethereum first: bridged from BTTC to the user, through the page.
      await s.step("fund", async () => {
        await submitBridge(s, "bttc", "ethereum", "30", me);
        await waitForTransferPage(s.page);
        await waitForStatus(s.page, "completed", 180_000);
      });
      const ethBalance = await h.tokenBalance("ethereum", "token", me);
      assert.ok(ethBalance >= parseEther("20"), `the user holds ${ethBalance} wei of BTT on Ethereum`);

      // Ethereum → BTTC to the contract: the page warns that the recipient is a contract and holds the first submit.
      const sentBefore = s.evm!.sent.length;
      const warning = await s.step("warned", async () => {
        await submitBridge(s, "ethereum", "bttc", "20", recipient);
        return fieldError(s.page.getByRole("form", { name: "Bridge" }), "Recipient");
      });
      assert.match(warning, /contract/i);
      assert.equal(s.evm!.sent.length, sentBefore, "the page sent a transaction before the warning was acknowledged");
      const id = await s.step("send", async () => {
        await s.page.getByRole("form", { name: "Bridge" }).getByRole("button", { name: "Bridge" }).click();
        const id = await waitForTransferPage(s.page);
        await waitForStatus(s.page, "completed", 180_000);
        return id;
      });
      const done = await until(
        () => transfer(id),
        (t) => t.status === "completed" && t.claimable !== null,
        "the transfer completed with a claimable payout",
      );
      const amount = BigInt(done.amount);
      assert.equal(amount + BigInt(done.fee), parseEther("20"));
      assert.equal(getAddress(done.destination.recipient), recipient);
      // Deferred: nothing reached the contract, the whole amount waits for it.
      assert.equal(await h.bttcBalance(recipient), 0n);
      assert.equal(await claimable(), amount);
      assert.equal(done.claimable!.amount, amount.toString());
      assert.equal(getAddress(done.claimable!.recipient), recipient);

      const claimedFrom = s.evm!.sent.length;
      await s.step("claim", async () => {
        const button = s.page.getByRole("button", { name: "Claim" });
        await button.waitFor({ timeout: 60_000 });
        await button.click();
        await until(
          () => button.count(),
          (n) => n === 0,
          "the Claim button gone",
          120_000,
        );
      });
      const claimTxs = s.evm!.sent.slice(claimedFrom);
      assert.equal(claimTxs.length, 1);
      assert.equal(claimTxs[0]!.chainId, h.chain("bttc").chainId);
      assert.equal(claimTxs[0]!.type, 0, "BTTC takes legacy transactions only");
      assert.equal((await bttc.getTransactionReceipt(claimTxs[0]!.hash))!.status, 1);
      // On chain: the contract got exactly the amount, and nothing is left to claim.
      assert.equal(await h.bttcBalance(recipient), amount);
      assert.equal(await claimable(), 0n);
      assert.equal((await transfer(id)).claimable, null);
      const none = await h.api<{ code: string }>(`/v1/claims/${recipient}`);
      assert.equal(none.status, 404);
    } finally {
      await s.close();
    }
  });
});
