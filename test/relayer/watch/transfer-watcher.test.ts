// The watcher against a real `hardhat node` and real Redis: transfers show as pending at the head, become
// finalized at the finality depth (reported once), vanish as dropped when a reorg removes them before
// finality, survive the loss of the node's Redis data by rescanning, and a range that comes back with a
// hole in the sequence numbers is read again instead of being skipped.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { JsonRpcProvider, NonceManager, Wallet, parseEther, type Contract } from "ethers";
import { pino } from "pino";
import { deployChain } from "../../../deploy/bridge.ts";
import type { ObservedTransfer, SourceChain } from "../../../relayer/chains/adapter.ts";
import { createEvmProvider } from "../../../common/rpc/evm-provider.ts";
import { EvmSource } from "../../../relayer/chains/evm/source.ts";
import { SequenceGapError, TransferWatcher } from "../../../relayer/watch/transfer-watcher.ts";
import { ChainCursor } from "../../../relayer/store/chain-cursor.ts";
import { TransferStore } from "../../../relayer/store/transfer-store.ts";
import { startHardhatNode, type HardhatNode } from "../../../testkit/hardhat-node.ts";
import { connectTestRedis, deleteByPrefix, type TestRedis } from "../../../testkit/redis.ts";
import { validatorWallets } from "../../../testkit/world.ts";
import { CHAIN_IDS, DEV_KEYS } from "../../../testkit/constants.ts";

const DEPLOYER_KEY = DEV_KEYS[0];
const USER_KEY = DEV_KEYS[3];
const ETHEREUM = CHAIN_IDS.ethereum;
const log = pino({ level: "silent" });

describe("TransferWatcher", () => {
  let node: HardhatNode;
  let provider: JsonRpcProvider;
  let gateway: Contract;
  let gatewayAddress: string;
  let user: NonceManager;
  let startBlock: bigint;
  let redis: TestRedis;

  before(async () => {
    node = await startHardhatNode({ chainId: CHAIN_IDS.bttc });
    provider = createEvmProvider({ name: "bttc", chainId: CHAIN_IDS.bttc, rpcUrl: node.url });
    const deployer = new NonceManager(new Wallet(DEPLOYER_KEY, provider));
    const deployed = await deployChain({
      deployer,
      role: "bttc",
      validators: validatorWallets(3).map((w) => w.address),
      threshold: 2,
      guardian: await deployer.getAddress(),
      dailyLimit: null,
      routes: [{ dstChainId: ETHEREUM, fee: 0n, minAmount: 0n }],
      timelockDelay: 0n,
    });
    gateway = deployed.gateway;
    gatewayAddress = await gateway.getAddress();
    user = new NonceManager(new Wallet(USER_KEY, provider));
    startBlock = BigInt(await provider.getBlockNumber());
    redis = await connectTestRedis("watcher");
  });
  after(async () => {
    await redis?.cleanup();
    provider?.destroy();
    await node?.stop();
  });
  beforeEach(async () => deleteByPrefix(redis.redis, redis.prefix));

  function source(): EvmSource {
    return new EvmSource(
      { name: "bttc", chainId: CHAIN_IDS.bttc, gateway: gatewayAddress, finality: { confirmations: 2 }, maxBlockRange: 5 },
      provider,
    );
  }

  function watcher(chainSource: SourceChain = source(), finalized: ObservedTransfer[][] = [], maxBlocksPerTick = 1_000n) {
    const store = new TransferStore(redis.redis, redis.prefix);
    const w = new TransferWatcher({
      source: chainSource,
      store,
      cursor: new ChainCursor(redis.redis, redis.prefix, "bttc"),
      startBlock,
      maxBlocksPerTick,
      onFinalized: async (batch) => {
        finalized.push(batch);
        return Promise.resolve();
      },
      log,
    });
    return { w, store, finalized };
  }

  /** A watcher that has read everything earlier tests left on the chain (final by now). */
  async function settledWatcher() {
    await mine(3);
    const made = watcher();
    await made.w.tick();
    made.finalized.length = 0;
    return made;
  }

  async function bridge(amount: bigint): Promise<string> {
    const tx = await gateway.connect(user).getFunction("bridge")(ETHEREUM, await user.getAddress(), { value: amount });
    const receipt = await tx.wait();
    return receipt.hash as string;
  }

  async function mine(blocks: number): Promise<void> {
    await provider.send("hardhat_mine", ["0x" + blocks.toString(16)]);
  }

  it("shows new transfers as pending, then finalized two blocks deep, reported to the pipeline once", async () => {
    const { w, store, finalized } = await settledWatcher();
    const txs = [await bridge(parseEther("1")), await bridge(parseEther("2"))]; // one block each
    const first = await w.tick();
    assert.equal(first.pending, 2); // 1 and 0 blocks deep: not final at depth 2
    const ids = (await Promise.all(txs.map((tx) => store.idsBySourceTx(tx)))).flat();
    assert.equal(ids.length, 2);
    assert.deepEqual(await Promise.all(ids.map((id) => store.statusOf(id))), ["pending", "pending"]);

    await mine(2);
    const second = await w.tick();
    assert.equal(second.finalized, 2);
    assert.deepEqual(await Promise.all(ids.map((id) => store.statusOf(id))), ["finalized", "finalized"]);
    assert.deepEqual(
      finalized
        .flat()
        .map((o) => o.id)
        .sort(),
      [...ids].sort(),
    );
    assert.deepEqual(
      finalized
        .flat()
        .map((o) => o.transfer.amount)
        .sort(),
      [parseEther("1"), parseEther("2")],
    );

    await mine(3);
    await w.tick();
    assert.equal(finalized.flat().length, 2, "reported once");
    const record = await store.get(ids[0]!);
    assert.deepEqual(
      record!.timeline.map((e) => e.status),
      ["pending", "finalized"],
    );
  });

  it("marks dropped a transfer a reorg removes before finality, and never reports it", async () => {
    const { w, store, finalized } = await settledWatcher();
    const snapshot = (await provider.send("evm_snapshot", [])) as string;
    const tx = await bridge(parseEther("3"));
    await w.tick();
    const [id] = await store.idsBySourceTx(tx);
    assert.equal(await store.statusOf(id!), "pending");

    await provider.send("evm_revert", [snapshot]);
    user.reset(); // the reverted transaction's nonce is free again
    await mine(4);
    await w.tick();
    assert.equal(await store.statusOf(id!), "dropped");
    assert.equal(finalized.flat().length, 0);
    assert.equal((await provider.getTransactionReceipt(tx)) === null, true);
  });

  it("rebuilds what it knew after its Redis data is lost, by rescanning from the start block", async () => {
    const first = watcher();
    const tx = await bridge(parseEther("4"));
    await mine(2);
    await first.w.tick();
    const [id] = await first.store.idsBySourceTx(tx);
    assert.equal(await first.store.statusOf(id!), "finalized");

    await deleteByPrefix(redis.redis, redis.prefix); // the node's Redis data is gone
    const second = watcher();
    assert.equal(await second.store.statusOf(id!), null);
    await second.w.tick();
    assert.equal(await second.store.statusOf(id!), "finalized");
    assert.ok(
      second.finalized.flat().some((o) => o.id === id),
      "reported again: delivery checks the destination",
    );
  });

  it("catches up after a long pause in bounded steps, missing nothing", async () => {
    const sent: string[] = [];
    for (let i = 0; i < 6; i++) {
      sent.push(await bridge(parseEther("0.1") * BigInt(i + 1)));
      await mine(3);
    }
    const { w, store, finalized } = watcher(source(), [], 4n);
    let ticks = 0;
    for (;;) {
      ticks++;
      const before = await w.tick();
      if (before.finalizedUpTo >= BigInt(await provider.getBlockNumber()) - 2n) break;
      assert.ok(ticks < 100, "caught up");
    }
    assert.ok(ticks > 3, `took ${ticks} ticks of at most 4 blocks`);
    for (const tx of sent) {
      const [id] = await store.idsBySourceTx(tx);
      assert.equal(await store.statusOf(id!), "finalized");
    }
    const reported = finalized.flat().map((o) => o.srcTxHash);
    for (const tx of sent) assert.equal(reported.filter((h) => h === tx).length, 1);
  });

  it("reads a range again when its sequence numbers have a hole, and moves on once it is whole", async () => {
    const real = source();
    let hideOnce = true;
    // An endpoint that once leaves out a log (as a lagging or buggy RPC node may).
    const lossy: SourceChain = {
      name: real.name,
      chainId: real.chainId,
      heads: () => real.heads(),
      blockHash: (n) => real.blockHash(n),
      async transfersIn(from, to) {
        const found = await real.transfersIn(from, to);
        if (hideOnce && found.length >= 3) {
          hideOnce = false;
          return found.filter((_, i) => i !== 1);
        }
        return found;
      },
    };
    const { w, store, finalized } = watcher(lossy);
    const txs = [await bridge(1n), await bridge(2n), await bridge(3n)];
    await mine(2);
    await assert.rejects(w.tick(), SequenceGapError);
    for (const tx of txs) assert.deepEqual(await store.idsBySourceTx(tx), []);
    await w.tick();
    for (const tx of txs) {
      const [id] = await store.idsBySourceTx(tx);
      assert.equal(await store.statusOf(id!), "finalized");
    }
    assert.equal(finalized.flat().length >= 3, true);
  });
});
