// The delivery watcher against a real `hardhat node` with a RemoteGateway (daily limit 10 BTT) deployed
// through deploy/bridge.ts, and real Redis. Transfers from a fictional BTTC gateway are delivered the way
// another node would: signed by the validator set and sent directly with ethers. This node's store learns
// of them from the gateway's logs: completed (with the delivery transaction) once the block is final,
// delayed on a daily-limit skip, unknown ids ignored, a restart continuing from its cursor, and ranges
// split by maxBlockRange missing nothing.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { Contract, JsonRpcProvider, NonceManager, Wallet, hexlify, parseEther, randomBytes } from "ethers";
import type { Filter, FilterByBlockHash, Log } from "ethers";
import {
  TransferKind,
  addressToBytes32,
  gatewayDomain,
  orderBySigner,
  sequenceToRef,
  signBatch,
  toDeliveryArgs,
  transferId,
  type Transfer,
} from "../../../common/transfer.ts";
import { deployChain } from "../../../deploy/bridge.ts";
import { SkipReason, type DeliveryLog, type ObservedTransfer } from "../../../relayer/chains/adapter.ts";
import { EvmDeliveryLog } from "../../../relayer/chains/evm/delivery-log.ts";
import { createEvmProvider } from "../../../common/rpc/evm-provider.ts";
import { DeliveryObserver, deliveryCursorChain, type DeliveryTickResult } from "../../../relayer/observe/delivery-observer.ts";
import { ChainCursor } from "../../../relayer/store/chain-cursor.ts";
import { TransferStore } from "../../../relayer/store/transfer-store.ts";
import { startHardhatNode, type HardhatNode } from "../../../testkit/hardhat-node.ts";
import { connectTestRedis, deleteByPrefix, type TestRedis } from "../../../testkit/redis.ts";
import { validatorWallets } from "../../../testkit/world.ts";
import { CHAIN_IDS, DEV_KEYS } from "../../../testkit/constants.ts";

// Hardhat's development accounts #0 and #2: the deployer, and "another node" that delivers.
const DEPLOYER_KEY = DEV_KEYS[0];
const OTHER_NODE_KEY = DEV_KEYS[2];
const BTTC_ID = CHAIN_IDS.bttc;
const ETH_ID = CHAIN_IDS.ethereum;
const DAILY_LIMIT = parseEther("10");
const ONE_DAY = 86_400;
// A BTTC gateway that exists only in these transfers: the destination checks signatures, not sources.
const SOURCE = { srcChainId: BTTC_ID, srcGateway: addressToBytes32("0x00000000000000000000000000000000000B77c0") };

/** A provider that notes the block range of each eth_getLogs query. */
class LogRangeRecorder extends JsonRpcProvider {
  readonly ranges: [bigint, bigint][] = [];

  constructor(url: string) {
    super(url, ETH_ID, { staticNetwork: true, cacheTimeout: -1 });
  }

  override getLogs(filter: Filter | FilterByBlockHash): Promise<Log[]> {
    if ("fromBlock" in filter) this.ranges.push([BigInt(filter.fromBlock as string), BigInt(filter.toBlock as string)]);
    return super.getLogs(filter);
  }
}

describe("DeliveryObserver", () => {
  let node: HardhatNode;
  let provider: JsonRpcProvider;
  let gateway: Contract;
  let gatewayAddress: string;
  let otherNode: NonceManager;
  let redis: TestRedis;
  let startBlock: bigint;
  const validators = validatorWallets(3);
  let nextRef = 1n;

  before(async () => {
    node = await startHardhatNode({ chainId: ETH_ID });
    provider = createEvmProvider({ name: "ethereum", chainId: ETH_ID, rpcUrl: node.url });
    const deployer = new NonceManager(new Wallet(DEPLOYER_KEY, provider));
    const deployed = await deployChain({
      deployer,
      role: "remote",
      validators: validators.map((v) => v.address),
      threshold: 2,
      guardian: await deployer.getAddress(),
      dailyLimit: DAILY_LIMIT,
      routes: [{ dstChainId: BTTC_ID, fee: 0n, minAmount: 0n }],
      timelockDelay: 0n,
      homeChainId: BTTC_ID,
    });
    gatewayAddress = await deployed.gateway.getAddress();
    otherNode = new NonceManager(new Wallet(OTHER_NODE_KEY, provider));
    gateway = deployed.gateway.connect(otherNode) as Contract;
    redis = await connectTestRedis("delivery-watcher");
  });
  after(async () => {
    await redis?.cleanup();
    provider?.destroy();
    await node?.stop();
  });
  // Each test starts with an empty store and reads only the blocks it makes.
  beforeEach(async () => {
    await deleteByPrefix(redis.redis, redis.prefix);
    startBlock = BigInt(await provider.getBlockNumber()) + 1n;
  });

  function deliveryLog(maxBlockRange = 2_000, through: JsonRpcProvider = provider): EvmDeliveryLog {
    return new EvmDeliveryLog(
      { name: "ethereum", chainId: ETH_ID, gateway: gatewayAddress, finality: { confirmations: 2 }, maxBlockRange },
      through,
    );
  }

  function watcher(options: { log?: DeliveryLog; maxBlocksPerTick?: bigint } = {}) {
    const store = new TransferStore(redis.redis, redis.prefix);
    const w = new DeliveryObserver({
      deliveries: options.log ?? deliveryLog(),
      store,
      cursor: new ChainCursor(redis.redis, redis.prefix, deliveryCursorChain("ethereum")),
      startBlock,
      ...(options.maxBlocksPerTick !== undefined ? { maxBlocksPerTick: options.maxBlocksPerTick } : {}),
    });
    return { w, store };
  }

  function transfer(amount: bigint): Transfer {
    return {
      ...SOURCE,
      srcRef: sequenceToRef(nextRef++),
      kind: TransferKind.Bridge,
      dstChainId: ETH_ID,
      recipient: Wallet.createRandom().address,
      amount,
    };
  }

  /** The transfer as this node's source watcher would have recorded it. */
  function observed(t: Transfer): ObservedTransfer {
    return {
      id: transferId(t),
      transfer: t,
      sender: Wallet.createRandom().address,
      fee: 0n,
      sequence: BigInt(t.srcRef),
      srcTxHash: hexlify(randomBytes(32)),
      blockNumber: 7n,
      blockHash: hexlify(randomBytes(32)),
      logIndex: 0,
    };
  }

  async function known(store: TransferStore, ...transfers: Transfer[]): Promise<string[]> {
    for (const t of transfers) assert.equal((await store.observe(observed(t), "finalized")).changed, true);
    return transfers.map(transferId);
  }

  /** Another node's delivery: `deliver` for one transfer, `deliverBatch` for more (or when asked). */
  async function deliver(transfers: Transfer[], batch = transfers.length > 1): Promise<{ hash: string; block: bigint }> {
    const domain = gatewayDomain(ETH_ID, gatewayAddress);
    const signatures = orderBySigner(await Promise.all(validators.slice(0, 2).map((v) => signBatch(v, domain, transfers))));
    const { srcChainId, srcGateway, items } = toDeliveryArgs(transfers);
    const tx = batch
      ? await gateway.getFunction("deliverBatch")(srcChainId, srcGateway, items, signatures)
      : await gateway.getFunction("deliver")(srcChainId, srcGateway, items[0], signatures);
    const receipt = await tx.wait();
    assert.equal(receipt.status, 1);
    return { hash: receipt.hash as string, block: BigInt(receipt.blockNumber) };
  }

  async function mine(blocks: number): Promise<void> {
    await provider.send("hardhat_mine", ["0x" + blocks.toString(16)]);
  }

  /** Lets a full day pass: the daily limit is whole again. */
  async function nextDay(): Promise<void> {
    await provider.send("evm_increaseTime", [ONE_DAY + 1]);
    await mine(1);
  }

  async function catchUp(w: DeliveryObserver): Promise<{ ticks: number; total: DeliveryTickResult }> {
    const total: DeliveryTickResult = { completed: 0, delayed: 0, unknown: 0, scannedUpTo: 0n, finalized: 0n };
    for (let ticks = 1; ticks < 200; ticks++) {
      const r = await w.tick();
      total.completed += r.completed;
      total.delayed += r.delayed;
      total.unknown += r.unknown;
      total.scannedUpTo = r.scannedUpTo;
      total.finalized = r.finalized;
      if (r.scannedUpTo >= r.finalized) return { ticks, total };
    }
    throw new Error("the watcher did not catch up");
  }

  it("reads every delivered id in order, and the skips with their reasons, from the gateway's log", async () => {
    await nextDay();
    const [a, b, c, d] = [transfer(parseEther("6")), transfer(parseEther("1")), transfer(parseEther("6")), transfer(1n)];
    const batch = await deliver([a, b, c]); // c is over what is left of the day's 10
    const single = await deliver([d]);
    const entries = await deliveryLog().deliveriesIn(batch.block, single.block);
    assert.deepEqual(
      entries.delivered.map(({ id, txHash, blockNumber }) => ({ id, txHash, blockNumber })),
      [
        { id: transferId(a), txHash: batch.hash, blockNumber: batch.block },
        { id: transferId(b), txHash: batch.hash, blockNumber: batch.block },
        { id: transferId(d), txHash: single.hash, blockNumber: single.block },
      ],
    );
    assert.equal(entries.delivered[0]!.logIndex, entries.delivered[1]!.logIndex, "one event lists both");
    assert.deepEqual(
      entries.skipped.map(({ id, reason, txHash, blockNumber }) => ({ id, reason, txHash, blockNumber })),
      [{ id: transferId(c), reason: SkipReason.DailyLimitExceeded, txHash: batch.hash, blockNumber: batch.block }],
    );
    assert.ok(entries.skipped[0]!.logIndex < entries.delivered[0]!.logIndex, "the skip is logged before the delivery");
  });

  it("records another node's deliveries as completed, with the delivery transaction, once final (depth 2)", async () => {
    const { w, store } = watcher();
    const [one, two, three] = [transfer(1_000n), transfer(2_000n), transfer(3_000n)];
    const ids = await known(store, one, two, three);

    const first = await deliver([one]); // block N
    const second = await deliver([two, three]); // block N + 1: the head
    assert.equal(second.block, first.block + 1n);

    const atHead = await w.tick();
    assert.equal(atHead.completed, 0);
    assert.equal(atHead.scannedUpTo, first.block - 1n);
    assert.deepEqual(await Promise.all(ids.map((id) => store.statusOf(id))), ["finalized", "finalized", "finalized"]);

    await mine(1); // the first delivery is 2 blocks deep, the second 1
    const r1 = await w.tick();
    assert.deepEqual([r1.completed, r1.scannedUpTo], [1, first.block]);
    assert.deepEqual(await Promise.all(ids.map((id) => store.statusOf(id))), ["completed", "finalized", "finalized"]);

    await mine(1);
    const r2 = await w.tick();
    assert.deepEqual([r2.completed, r2.delayed, r2.unknown], [2, 0, 0]);
    assert.deepEqual(await Promise.all(ids.map((id) => store.statusOf(id))), ["completed", "completed", "completed"]);

    for (const [id, tx] of [
      [ids[0]!, first],
      [ids[1]!, second],
      [ids[2]!, second],
    ] as const) {
      const record = await store.get(id);
      assert.deepEqual(
        record!.timeline.map((e) => e.status),
        ["finalized", "completed"],
      );
      const done = record!.timeline[1]!;
      assert.equal(done.txHash, tx.hash);
      assert.equal(done.detail, `delivered on ethereum in block ${tx.block}`);
    }
    assert.deepEqual([(await store.idsWithStatus("completed")).sort(), await store.idsWithStatus("finalized")], [[...ids].sort(), []]);

    await mine(3);
    const again = await w.tick();
    assert.deepEqual([again.completed, again.delayed], [0, 0]);
  });

  it("marks a known transfer delayed on a daily-limit skip, and completed when a later delivery lands", async () => {
    await nextDay();
    const { w, store } = watcher();
    const [paid, over] = [transfer(parseEther("6")), transfer(parseEther("6"))];
    const [paidId, overId] = await known(store, paid, over);
    // This node had signed and sent `over` too: it is `submitted` here.
    await store.transition(overId!, "attested");
    await store.transition(overId!, "submitted", { txHash: hexlify(randomBytes(32)) });

    const skipping = await deliver([paid, over]); // 6 + 6 > 10: `over` is skipped
    await mine(2);
    const r1 = await w.tick();
    assert.deepEqual([r1.completed, r1.delayed, r1.unknown], [1, 1, 0]);
    assert.equal(await store.statusOf(paidId!), "completed");
    assert.equal(await store.statusOf(overId!), "delayed");
    const delayedEntry = (await store.get(overId!))!.timeline.at(-1)!;
    assert.equal(delayedEntry.status, "delayed");
    assert.equal(delayedEntry.detail, `skipped on ethereum: the daily limit is reached (tx ${skipping.hash}, block ${skipping.block})`);

    await nextDay();
    const later = await deliver([paid, over]); // `paid` skipped as already delivered, `over` delivered
    const entries = await deliveryLog().deliveriesIn(later.block, later.block);
    assert.deepEqual(
      entries.skipped.map((s) => [s.id, s.reason]),
      [[paidId, SkipReason.AlreadyDelivered]],
    );
    await mine(2);
    const r2 = await w.tick();
    assert.deepEqual([r2.completed, r2.delayed, r2.unknown], [1, 0, 0]);
    const record = await store.get(overId!);
    assert.equal(record!.status, "completed");
    assert.deepEqual(
      record!.timeline.map((e) => e.status),
      ["finalized", "attested", "submitted", "delayed", "completed"],
    );
    assert.equal(record!.timeline.at(-1)!.txHash, later.hash);
    assert.deepEqual(
      (await store.get(paidId!))!.timeline.map((e) => e.status),
      ["finalized", "completed"],
    );
  });

  it("does not mark delayed a transfer skipped and delivered within the range it reads", async () => {
    await nextDay();
    const { w, store } = watcher();
    const [paid, over] = [transfer(parseEther("6")), transfer(parseEther("6"))];
    const [, overId] = await known(store, paid, over);
    await deliver([paid, over]);
    await nextDay();
    const later = await deliver([over]);
    await mine(2);
    const r = await w.tick();
    assert.deepEqual([r.completed, r.delayed], [2, 0]);
    const record = await store.get(overId!);
    assert.deepEqual(
      record!.timeline.map((e) => e.status),
      ["finalized", "completed"],
    );
    assert.equal(record!.timeline[1]!.txHash, later.hash);
  });

  it("ignores ids this node has no record of", async () => {
    const { w, store } = watcher();
    const stranger = transfer(5_000n);
    const ours = transfer(6_000n);
    const [mineId] = await known(store, ours);
    await deliver([stranger, ours]);
    await mine(2);
    const r = await w.tick();
    assert.deepEqual([r.completed, r.delayed, r.unknown], [1, 0, 1]);
    assert.equal(await store.statusOf(mineId!), "completed");
    assert.equal(await store.statusOf(transferId(stranger)), null);
    assert.equal(await store.get(transferId(stranger)), null);
    assert.deepEqual(await redis.redis.keys(`${redis.prefix}*${transferId(stranger)}*`), []);
  });

  it("continues from its cursor after a restart, processing nothing twice", async () => {
    await nextDay();
    const first = watcher();
    const [a, paid, over] = [transfer(7_000n), transfer(parseEther("6")), transfer(parseEther("6"))];
    const [aId, , overId] = await known(first.store, a, paid, over);
    await deliver([a]);
    await deliver([paid, over]); // `over` skipped over the daily limit
    await mine(2);
    const r1 = await first.w.tick();
    assert.deepEqual([r1.completed, r1.delayed], [2, 1]);
    // The node's pipeline takes `over` back to try again: the old skip must not delay it a second time.
    await first.store.transition(overId!, "finalized", { detail: "retry" });

    const b = transfer(8_000n);
    const [bId] = await known(first.store, b);
    const afterRestart = await deliver([b]);
    await mine(2);

    // A new process on the same Redis: new objects, the same keys.
    const asked: [bigint, bigint][] = [];
    const real = deliveryLog();
    const recording: DeliveryLog = {
      name: real.name,
      heads: () => real.heads(),
      deliveriesIn: (from, to) => {
        asked.push([from, to]);
        return real.deliveriesIn(from, to);
      },
    };
    const second = watcher({ log: recording });
    const r2 = await second.w.tick();
    assert.deepEqual(asked, [[r1.scannedUpTo + 1n, afterRestart.block]]);
    assert.deepEqual([r2.completed, r2.delayed, r2.unknown], [1, 0, 0]);
    assert.equal(await second.store.statusOf(bId!), "completed");
    assert.equal(await second.store.statusOf(overId!), "finalized");
    assert.deepEqual(
      (await second.store.get(aId!))!.timeline.map((e) => e.status),
      ["finalized", "completed"],
    );
    assert.deepEqual(
      (await second.store.get(overId!))!.timeline.map((e) => e.status),
      ["finalized", "delayed", "finalized"],
    );

    // And a restart with nothing new final reads nothing.
    asked.length = 0;
    const r3 = await watcher({ log: recording }).w.tick();
    assert.deepEqual(asked, []);
    assert.equal(r3.scannedUpTo, afterRestart.block);
  });

  it("misses nothing when ranges are split by maxBlockRange and ticks are bounded", async () => {
    const { store: s } = watcher();
    const delivered: { id: string; hash: string }[] = [];
    for (let i = 0; i < 6; i++) {
      const batch = [transfer(BigInt(10_000 + i)), transfer(BigInt(20_000 + i))];
      const ids = await known(s, ...batch);
      const { hash } = await deliver(batch);
      for (const id of ids) delivered.push({ id, hash });
      await mine(1 + (i % 3)); // deliveries 2 to 4 blocks apart
    }
    await mine(2);
    const head = BigInt(await provider.getBlockNumber());

    // The same blocks read in chunks of one block and in one query give the same entries.
    const whole = await deliveryLog().deliveriesIn(startBlock, head);
    assert.equal(whole.delivered.length, 12);
    assert.deepEqual(await deliveryLog(1).deliveriesIn(startBlock, head), whole);
    assert.deepEqual(await deliveryLog(3).deliveriesIn(startBlock, head), whole);

    const counting = new LogRangeRecorder(node.url);
    const { w } = watcher({ log: deliveryLog(2, counting), maxBlocksPerTick: 5n });
    const { ticks, total } = await catchUp(w);
    counting.destroy();
    // Queries of at most 2 blocks, one after the other, covering every block once.
    let next = startBlock;
    for (const [from, to] of counting.ranges) {
      assert.equal(from, next);
      assert.ok(to >= from && to - from < 2n, `${from}..${to}`);
      next = to + 1n;
    }
    assert.equal(next, head - 1n);
    const blocks = head - 2n - startBlock + 1n;
    assert.ok(blocks >= 15n, `${blocks} blocks`);
    assert.equal(BigInt(ticks), (blocks + 4n) / 5n, "ticks of at most 5 blocks");
    assert.equal(total.scannedUpTo, head - 2n);
    assert.deepEqual([total.completed, total.delayed, total.unknown], [12, 0, 0]);
    for (const { id, hash } of delivered) {
      const record = await s.get(id);
      assert.equal(record!.status, "completed");
      assert.equal(record!.timeline.at(-1)!.txHash, hash);
    }
  });
});
