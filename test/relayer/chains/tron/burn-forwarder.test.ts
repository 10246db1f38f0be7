// The black-hole forwarding of swapped BTTOLD (relayer/chains/tron/burn-forwarder.ts) against the TRON
// development node (mining only when the test says) and real Redis, with real deposits whose records are
// put in a node's store as the watcher and the pipeline would. Checked on chain: the black hole receives
// exactly the units of completed swaps, each deposit named by exactly one burn, in batches; swaps not yet
// delivered wait; a burn still waiting for a block when the process "restarts" is waited for, not sent
// again, even while the node cannot say whether it is in a block (a proxy answers 503 for that), and a
// stop ends that wait at once with the burn still noted; a burn that never reached the node is sent
// again only once its expiration is past the solidified block (the node's clock moved on); a deposit
// burned in a block not solidified yet stays on the to-burn list, not burned again, until that block
// is; and after a loss of the Redis data while a burn waits for a block, the fresh start waits
// `settleMs`, then reads the chain and sends nothing twice.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Wallet } from "ethers";
import { pino } from "pino";
import type { TestNode } from "../../../../devnet/tron/testing.ts";
import { BTTOLD, signedToken, startTestNode } from "../../../../devnet/tron/testing.ts";
import { BurnForwarder, TRON_BLACK_HOLE, parseBurnMemo, burnMemo } from "../../../../relayer/chains/tron/burn-forwarder.ts";
import { DepositWallet } from "../../../../relayer/chains/tron/deposit-wallet.ts";
import { encodeSwapMemo } from "../../../../common/tron/memo.ts";
import { TronSource, type TronObservedTransfer } from "../../../../relayer/chains/tron/source.ts";
import { TransferStore } from "../../../../relayer/store/transfer-store.ts";
import { startPathFaultProxy, type PathFaultProxy } from "../../../../testkit/path-fault-proxy.ts";
import { connectTestRedis, deleteByPrefix, type TestRedis } from "../../../../testkit/redis.ts";
import { TRON_ACCOUNTS } from "../../../../testkit/tron-swaps.ts";
import { sleep, until } from "../../../../testkit/wait.ts";
import { CHAIN_IDS } from "../../../../testkit/constants.ts";

const DEPOSIT = TRON_ACCOUNTS[19]!;
const KEY_ENV = "DEPOSIT_KEY";
const DEPTH = 2;

describe("black-hole forwarding of swapped BTTOLD", { timeout: 300_000 }, () => {
  let h: TestNode;
  let redis: TestRedis;
  let source: TronSource;
  let store: TransferStore;
  let proxy: PathFaultProxy;
  /** Added to the node's clock: block times move on without waiting for them. */
  let skewMs = 0;
  const inflightKey = () => `${redis.prefix}tron:tron:burnInFlight`;

  /** A forwarder whose wallet talks to the node directly, or through `proxy` (with few, quick retries). */
  function forwarder(settleMs: number, batchSize = 2, viaProxy = false): BurnForwarder {
    const endpoint = viaProxy ? { fullHost: proxy.url, retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 } } : { fullHost: h.node.url };
    const wallet = new DepositWallet(
      { name: "tron", depositAddress: DEPOSIT.base58, ...endpoint, pollMs: 20 },
      { env: KEY_ENV },
      { [KEY_ENV]: DEPOSIT.privateKey },
    );
    return new BurnForwarder({
      source,
      wallet,
      store,
      redis: redis.redis,
      prefix: redis.prefix,
      chain: "tron",
      tokenId: BTTOLD,
      startBlock: 0n,
      batchSize,
      settleMs,
      log: pino({ level: "silent" }),
    });
  }

  /** Deposits `units` from distinct accounts in one block, made final; returns them as observed. */
  async function deposits(units: readonly number[]): Promise<TronObservedTransfer[]> {
    const txIds: string[] = [];
    for (const [i, amount] of units.entries()) {
      const user = TRON_ACCOUNTS[1 + i]!;
      const signed = await signedToken(h.client(user), DEPOSIT.base58, amount, encodeSwapMemo(Wallet.createRandom().address));
      assert.equal((await h.tronWeb.trx.sendRawTransaction(signed)).result, true);
      txIds.push(signed.txID);
    }
    const block = h.node.mine().header.number;
    h.node.mine(DEPTH);
    const found = await source.transfersIn(block, block);
    return txIds.map((id) => found.find((t) => t.srcTxHash === `0x${id}`)!);
  }

  /** Records the swaps as the watcher does, notes them for burning, and (if `complete`) delivers them. */
  async function record(forward: BurnForwarder, swaps: readonly TronObservedTransfer[], complete: boolean): Promise<void> {
    for (const swap of swaps) {
      await store.observe(swap, "finalized");
      if (complete) await store.transition(swap.id, "completed");
      assert.equal(await store.statusOf(swap.id), complete ? "completed" : "finalized");
    }
    await forward.note(swaps);
  }

  async function burns(): Promise<{ ids: string[]; amount: bigint }[]> {
    const { head } = await source.heads();
    return (await source.outgoingIn(0n, head))
      .filter((o) => o.to === TRON_BLACK_HOLE)
      .map((o) => ({ ids: parseBurnMemo(o.memo) ?? [], amount: o.amount }));
  }

  async function blackHole(): Promise<bigint> {
    return BigInt((await h.tronWeb.trx.getUnconfirmedAccount(TRON_BLACK_HOLE)).assetV2?.find((a) => a.key === BTTOLD)?.value ?? 0);
  }

  /** Runs `tick` while mining a block every 50 ms, so that its burn gets into a block. */
  async function tickMining(forward: BurnForwarder) {
    const miner = setInterval(() => h.node.mine(), 50);
    try {
      return await forward.tick();
    } finally {
      clearInterval(miner);
    }
  }

  before(async () => {
    h = await startTestNode({ solidityDepth: DEPTH, now: () => Date.now() + skewMs });
    proxy = await startPathFaultProxy(h.node.url);
    redis = await connectTestRedis("tron-burn");
    store = new TransferStore(redis.redis, redis.prefix);
    source = new TronSource({
      name: "tron",
      chainId: CHAIN_IDS.tron,
      fullHost: h.node.url,
      depositAddress: DEPOSIT.base58,
      tokenId: BTTOLD,
      bttcChainId: CHAIN_IDS.bttc,
      minimumUnits: 1n,
      maxBlockRange: 100,
    });
  });

  after(async () => {
    await redis?.cleanup();
    await proxy?.close();
    await h?.node.close();
  });

  it("writes and reads burn memos; refuses anything else", () => {
    const ids = ["a".repeat(64), `0x${"B".repeat(64)}`];
    assert.equal(burnMemo(ids), `BURN:${"a".repeat(64)},${"b".repeat(64)}`);
    assert.deepEqual(parseBurnMemo(burnMemo(ids)), ["a".repeat(64), "b".repeat(64)]);
    assert.equal(parseBurnMemo("REFUND:" + "a".repeat(64)), null);
    assert.equal(parseBurnMemo("BURN:" + "a".repeat(63)), null);
    assert.equal(parseBurnMemo("BURN:"), null);
  });

  it("burns completed swaps in batches, each once, and leaves undelivered ones", async () => {
    const forward = forwarder(0);
    const done = await deposits([1_000_000, 7, 250]);
    const waiting = await deposits([40]);
    await record(forward, done, true);
    await record(forward, waiting, false);

    const first = await tickMining(forward);
    const second = await tickMining(forward);
    assert.equal(first.burned.length + second.burned.length, 3);
    assert.equal((await tickMining(forward)).burned.length, 0, "nothing left that is delivered");
    assert.equal(await blackHole(), 1_000_257n);
    const onChain = await burns();
    assert.deepEqual(onChain.map((b) => b.ids.length).sort(), [1, 2], "batches of at most 2");
    assert.deepEqual(onChain.flatMap((b) => b.ids).sort(), done.map((d) => d.srcTxHash.slice(2)).sort());
    assert.deepEqual(await forward.unburned(), [waiting[0]!.id]);

    // Delivered later: burned then.
    await store.transition(waiting[0]!.id, "completed");
    assert.deepEqual((await tickMining(forward)).burned, [waiting[0]!.srcTxHash.slice(2)]);
    assert.equal(await blackHole(), 1_000_297n);
  });

  it("after a restart, waits for the burn it had sent before sending anything", async () => {
    const before = await blackHole();
    const blocksBefore = (await burns()).length;
    const swaps = await deposits([11, 13]);
    const first = forwarder(0, 10);
    await record(first, swaps, true);
    // The burn is sent and waits for a block (nothing is mined); "the process restarts" meanwhile.
    const pending = first.tick();
    await until("the burn in flight", async () => (await redis.redis.exists(inflightKey())) === 1, 10_000, 20);
    const restarted = forwarder(0, 10);
    const second = restarted.tick();
    await sleep(300);
    h.node.mine(1 + DEPTH); // in a block, and that block solidified
    const [a, b] = await Promise.all([pending, second]);
    assert.equal(a.burned.length, 2);
    assert.deepEqual(b.burned, [], "the restarted forwarder saw the burn in its block");
    assert.deepEqual((await tickMining(restarted)).burned, []);
    assert.equal(await blackHole(), before + 24n);
    assert.equal((await burns()).length, blocksBefore + 1);
  });

  it("two processes that both believe they hold the burn lease burn each deposit once", async () => {
    const before = await blackHole();
    const blocksBefore = (await burns()).length;
    const swaps = await deposits([23, 29, 31]);
    const a = forwarder(0, 10);
    const b = forwarder(0, 10);
    await record(a, swaps, true);
    // Both read the chain and their lists at the same moment and build the same burn; only one may go.
    const miner = setInterval(() => h.node.mine(), 50);
    let results;
    try {
      results = await Promise.all([a.tick(), b.tick()]);
    } finally {
      clearInterval(miner);
    }
    assert.deepEqual(results.map((r) => r.burned.length).sort(), [0, 3]);
    assert.equal(await blackHole(), before + 83n);
    assert.equal((await burns()).length, blocksBefore + 1);
    assert.deepEqual(await a.unburned(), []);
  });

  it("after losing its Redis data while a burn waits for a block, waits settleMs, then burns nothing twice", async () => {
    const before = await blackHole();
    const swaps = await deposits([17, 19]);
    const first = forwarder(0, 10);
    await record(first, swaps, true);
    const pending = first.tick();
    await until("the burn in flight", async () => (await redis.redis.exists(inflightKey())) === 1, 10_000, 20);

    // Every key gone (the in-flight note too); the records come back as the watcher's rescan rebuilds
    // them. The burn is still waiting for a block: the fresh start must not send the same again.
    await deleteByPrefix(redis.redis, redis.prefix);
    const fresh = forwarder(1_500, 10);
    await record(fresh, swaps, true);
    const started = Date.now();
    assert.deepEqual((await fresh.tick()).burned, [], "settling: nothing sent");
    h.node.mine(1 + DEPTH); // the burn sent before the loss gets into a block during the settling time
    assert.equal((await pending).burned.length, 2);
    await fresh.note(swaps); // noted again by the rescan (the old tick's clean-up took them out)
    while (Date.now() - started < 1_600) await sleep(100);
    assert.deepEqual((await tickMining(fresh)).burned, [], "the chain says they are burned");
    assert.deepEqual(await fresh.unburned(), []);
    assert.equal(await blackHole(), before + 36n);
  });

  it("stopped while it waits for a burn's block, a tick ends at once and leaves the burn noted in flight", async () => {
    const before = await blackHole();
    const [swap] = await deposits([41]);
    const first = forwarder(0, 10);
    await record(first, [swap!], true);
    const pending = first.tick();
    await until("the burn in flight", async () => (await redis.redis.exists(inflightKey())) === 1, 10_000, 20);
    const noted = await redis.redis.get(inflightKey());
    const restarted = forwarder(0, 10);
    const stop = new AbortController();
    const waiting = restarted.tick(stop.signal);
    await sleep(200);
    stop.abort();
    await assert.rejects(waiting, { name: "AbortError" });
    assert.equal(await redis.redis.get(inflightKey()), noted);

    h.node.mine(1 + DEPTH);
    assert.equal((await pending).burned.length, 1);
    assert.deepEqual((await tickMining(restarted)).burned, []);
    assert.equal(await blackHole(), before + 41n);
  });

  it("while the node cannot say whether the burn in flight is in a block, waits: no second burn", async () => {
    const before = await blackHole();
    const blocksBefore = (await burns()).length;
    // The deposit account also holds the BTTOLD of swaps not delivered yet: a second burn would take it.
    const [a, b, later, undelivered] = await deposits([23, 29, 500, 600]);
    const first = forwarder(0, 10);
    await record(first, [a!, b!], true);
    await record(first, [later!, undelivered!], false);
    const pending = first.tick();
    await until("the burn in flight", async () => (await redis.redis.exists(inflightKey())) === 1, 10_000, 20);
    const noted = await redis.redis.get(inflightKey());
    await store.transition(later!.id, "completed"); // delivered meanwhile

    // "Restarted" against a node that answers 503 to every inclusion query, but takes new transactions.
    proxy.failPaths(["/wallet/gettransactioninfobyid", "/walletsolidity/gettransactioninfobyid"]);
    const restarted = forwarder(0, 10, true);
    try {
      await assert.rejects(restarted.tick(), "a failed read proves nothing: the tick fails");
      await assert.rejects(restarted.tick());
    } finally {
      proxy.failPaths([]);
    }
    assert.ok(proxy.failed > 0);
    assert.equal(await redis.redis.get(inflightKey()), noted, "the same burn still in flight, nothing sent beside it");

    h.node.mine(1 + DEPTH);
    assert.equal((await pending).burned.length, 2);
    assert.deepEqual((await tickMining(restarted)).burned, [later!.srcTxHash.slice(2)], "then only what was not burned");
    assert.equal(await blackHole(), before + 552n, "each burned once");
    assert.equal((await burns()).length, blocksBefore + 2);
    assert.deepEqual(await restarted.unburned(), [undelivered!.id]);
    await store.transition(undelivered!.id, "completed"); // delivered after all: burned, so later tests start clean
    assert.deepEqual((await tickMining(restarted)).burned, [undelivered!.srcTxHash.slice(2)]);
  });

  it("a deposit burned in a block not solidified yet stays on the list, not burned again, until that block is", async () => {
    const before = await blackHole();
    const blocksBefore = (await burns()).length;
    const [swap] = await deposits([37]);
    // A burn sent before the forwarder lost its in-flight note: in a block, not solidified.
    const signed = await signedToken(h.client(DEPOSIT), TRON_BLACK_HOLE, 37, burnMemo([swap!.srcTxHash]));
    assert.equal((await h.tronWeb.trx.sendRawTransaction(signed)).result, true);
    h.node.mine();
    const forward = forwarder(0, 10);
    await record(forward, [swap!], true);

    assert.deepEqual((await forward.tick()).burned, [], "not burned again");
    assert.ok((await forward.unburned()).includes(swap!.id), "kept on the list: its block may still go");
    h.node.mine(DEPTH);
    assert.deepEqual((await forward.tick()).burned, []);
    assert.ok(!(await forward.unburned()).includes(swap!.id), "done once its block is solidified");
    assert.equal(await blackHole(), before + 37n);
    assert.equal((await burns()).length, blocksBefore + 1);
  });

  it("a burn that never reached the node is sent again only once its expiration is past the solidified block", async () => {
    const before = await blackHole();
    const blocksBefore = (await burns()).length;
    const [swap] = await deposits([31]);
    const first = forwarder(0, 10, true);
    await record(first, [swap!], true);
    proxy.failPaths(["/wallet/broadcasttransaction"]);
    try {
      await assert.rejects(first.tick());
    } finally {
      proxy.failPaths([]);
    }
    const lost = JSON.parse((await redis.redis.get(inflightKey()))!) as { txId: string; expiration: string };

    // Not expired yet: the restarted forwarder waits, and sends nothing.
    const restarted = forwarder(0, 10);
    const waiting = restarted.tick();
    await sleep(300);
    h.node.mine(1 + DEPTH);
    await sleep(300);
    assert.equal(await blackHole(), before);
    assert.equal(JSON.parse((await redis.redis.get(inflightKey()))!).txId, lost.txId);

    // The chain's clock passes the expiration, and the solidified block with it: now it is sent again.
    skewMs += 120_000;
    const miner = setInterval(() => h.node.mine(), 50);
    let result;
    try {
      result = await waiting;
    } finally {
      clearInterval(miner);
    }
    assert.deepEqual(result.burned, [swap!.srcTxHash.slice(2)]);
    assert.notEqual(result.txId, lost.txId);
    assert.equal(await redis.redis.exists(inflightKey()), 0);
    assert.equal(await blackHole(), before + 31n);
    assert.equal((await burns()).length, blocksBefore + 1);
  });
});
