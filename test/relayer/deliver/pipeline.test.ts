// The deliver and confirm stages on BullMQ and real Redis, between two real `hardhat node` chains: a
// transfer locked on BTTC is watched to finality, batched, signed by a threshold, delivered on Ethereum
// exactly once and recorded completed; many transfers go out in few transactions.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Queue } from "bullmq";
import { JsonRpcProvider, NonceManager, Wallet, parseEther, parseUnits, type Contract } from "ethers";
import { pino } from "pino";
import { gatewayDomain, orderBySigner, signBatch, transferId } from "../../../common/transfer.ts";
import { deployChain } from "../../../deploy/bridge.ts";
import type { DestinationChain, ObservedTransfer } from "../../../relayer/chains/adapter.ts";
import { EvmDestination } from "../../../relayer/chains/evm/destination.ts";
import { encodeDeliverBatch, recoverBatchSigners } from "../../../common/contracts/delivery-calldata.ts";
import { attestedTransfers } from "../../../common/records/attestation.ts";
import { createEvmProvider } from "../../../common/rpc/evm-provider.ts";
import { EvmSource } from "../../../relayer/chains/evm/source.ts";
import { NotEnoughSignaturesError, type BatchSigner } from "../../../relayer/attest/batch-signer.ts";
import { DeliveryPipeline } from "../../../relayer/queues/delivery-pipeline.ts";
import { TransferWatcher } from "../../../relayer/watch/transfer-watcher.ts";
import { routeKey } from "../../../common/routes.ts";
import { ChainCursor } from "../../../relayer/store/chain-cursor.ts";
import { TransferStore } from "../../../relayer/store/transfer-store.ts";
import { Payer } from "../../../relayer/chains/evm/payer/payer.ts";
import { startHardhatNode, type HardhatNode } from "../../../testkit/hardhat-node.ts";
import { connectTestRedis, testRedisUrl, type TestRedis } from "../../../testkit/redis.ts";
import { validatorWallets } from "../../../testkit/world.ts";
import { sleep, until } from "../../../testkit/wait.ts";
import { CHAIN_IDS, DEV_KEYS } from "../../../testkit/constants.ts";

const DEPLOYER_KEY = DEV_KEYS[0];
const PAYER_KEY = DEV_KEYS[2];
const BTTC = CHAIN_IDS.bttc;
const ETH = CHAIN_IDS.ethereum;
const log = pino({ level: "silent" });

describe("delivery pipeline", () => {
  let bttcNode: HardhatNode;
  let ethNode: HardhatNode;
  let bttcProvider: JsonRpcProvider;
  let ethProvider: JsonRpcProvider;
  let bttcGateway: Contract;
  let ethGateway: Contract;
  let redis: TestRedis;
  let pipeline: DeliveryPipeline;
  let watcher: TransferWatcher;
  let store: TransferStore;
  let miner: NodeJS.Timeout;
  const validators = validatorWallets(3);
  const proposals: string[][] = [];
  const lagging = { recipient: "", refusalsLeft: 0 };
  /** A peer that refuses transfers to `recipients` for good, as one whose records differ. */
  const refusedForGood = { recipients: new Set<string>(), reason: "FIELDS_DIFFER" };
  /** Batches holding a transfer to `recipient` are signed by a key the gateway does not know (`timesLeft`
   * times): what a batch signed just before a validator-set change meets, InvalidSignature. */
  const staleKey = { recipient: "", timesLeft: 0 };
  /** Batches holding a transfer to one of `recipients` are always signed by a key the gateway does not
   * know: each such transfer makes any batch it is in revert (NotAValidator), as a transfer the
   * destination refuses does. */
  const poisoned = { recipients: new Set<string>() };
  /** Batches holding a transfer to one of `recipients` are sent without simulation, with a fixed gas
   * limit, by another key: with `poisoned`, a delivery that fails on chain rather than in simulation. */
  const sentBlind = { recipients: new Set<string>() };
  const outsider = new Wallet(Wallet.createRandom().privateKey);
  /** Signing a batch holding a transfer to one of `recipients` waits until `open` resolves. */
  const gate: { recipients: Set<string>; open: Promise<void> | null; waiting: number } = { recipients: new Set(), open: null, waiting: 0 };
  /** Where newly final transfers go (a test may hand them to a pipeline of its own). */
  let enqueueTo: ((transfers: readonly ObservedTransfer[]) => Promise<void>) | null = null;
  let signer: BatchSigner;
  let destinations: Map<bigint, DestinationChain>;

  before(async () => {
    [bttcNode, ethNode] = await Promise.all([startHardhatNode({ chainId: BTTC }), startHardhatNode({ chainId: ETH })]);
    bttcProvider = createEvmProvider({ name: "bttc", chainId: BTTC, rpcUrl: bttcNode.url });
    ethProvider = createEvmProvider({ name: "ethereum", chainId: ETH, rpcUrl: ethNode.url });
    const deploy = async (provider: JsonRpcProvider, role: "bttc" | "remote", other: bigint) =>
      (
        await deployChain({
          deployer: new NonceManager(new Wallet(DEPLOYER_KEY, provider)),
          role,
          validators: validators.map((v) => v.address),
          threshold: 2,
          guardian: new Wallet(DEPLOYER_KEY).address,
          dailyLimit: null,
          routes: [{ dstChainId: other, fee: 0n, minAmount: 0n }],
          timelockDelay: 0n,
          homeChainId: BTTC,
        })
      ).gateway;
    bttcGateway = await deploy(bttcProvider, "bttc", ETH);
    ethGateway = await deploy(ethProvider, "remote", BTTC);
    const startBlock = BigInt(await bttcProvider.getBlockNumber());

    redis = await connectTestRedis("pipeline");
    store = new TransferStore(redis.redis, redis.prefix);
    const ethConfig = { name: "ethereum", chainId: ETH, gateway: await ethGateway.getAddress(), finality: { confirmations: 2 } };
    const payer = new Payer({
      chain: "ethereum",
      chainId: ETH,
      provider: ethProvider,
      key: PAYER_KEY,
      maxFeePerGas: parseUnits("1000", "gwei"),
    });
    const evm = new EvmDestination(ethConfig, ethProvider, payer);
    const blindSender = new NonceManager(new Wallet(DEV_KEYS[4], ethProvider));
    const selector = ethGateway.interface.getFunction("deliverBatch")!.selector;
    const destination: DestinationChain = {
      name: evm.name,
      chainId: evm.chainId,
      gateway: evm.gateway,
      isDelivered: (t) => evm.isDelivered(t),
      finalReceipt: (hash) => evm.finalReceipt(hash),
      threshold: () => evm.threshold(),
      async submit(source, items, signatures) {
        if (!items.some((i) => sentBlind.recipients.has(i.recipient))) return evm.submit(source, items, signatures);
        const data = encodeDeliverBatch(selector, source.srcChainId, source.srcGateway, items, signatures);
        const tx = await blindSender.sendTransaction({ to: evm.gateway, data, gasLimit: 3_000_000n });
        return { txHash: tx.hash, nonce: tx.nonce };
      },
    };
    destinations = new Map<bigint, DestinationChain>([[ETH, destination]]);
    // Two of the three validators sign here directly (the co-signing protocol over HTTP has its own tests).
    // A peer behind this node can be played: it refuses, `refusalsLeft` times, a batch holding a transfer
    // to `lagging` as not final where it is (what a peer's co-signer answers then).
    signer = {
      async sign(destination, transfers) {
        proposals.push(transfers.map((t) => t.recipient));
        if (gate.open && transfers.some((t) => gate.recipients.has(t.recipient))) {
          gate.waiting++;
          await gate.open;
        }
        const forGood = transfers.filter((t) => refusedForGood.recipients.has(t.recipient));
        if (forGood.length > 0) {
          const refusals = forGood.map((t) => ({ peer: "n2", reason: refusedForGood.reason, transferId: transferId(t) }));
          throw new NotEnoughSignaturesError(destination.name, 1, 2, `n2: refused ${refusedForGood.reason}`, refusals);
        }
        const lag = transfers.find((t) => t.recipient === lagging.recipient);
        if (lag && lagging.refusalsLeft > 0) {
          lagging.refusalsLeft--;
          const refusal = { peer: "n2", reason: "NOT_FINAL", transferId: transferId(lag) };
          throw new NotEnoughSignaturesError(destination.name, 1, 2, "n2: refused NOT_FINAL", [refusal]);
        }
        const domain = gatewayDomain(destination.chainId, destination.gateway);
        let keys = validators.slice(0, 2);
        if (transfers.some((t) => poisoned.recipients.has(t.recipient))) keys = [validators[0]!, outsider];
        if (staleKey.timesLeft > 0 && transfers.some((t) => t.recipient === staleKey.recipient)) {
          staleKey.timesLeft--;
          keys = [validators[0]!, outsider];
        }
        return orderBySigner(await Promise.all(keys.map((v) => signBatch(v, domain, transfers))));
      },
    };
    const bttcSource = new EvmSource(
      { name: "bttc", chainId: BTTC, gateway: await bttcGateway.getAddress(), finality: { confirmations: 2 }, maxBlockRange: 1_000 },
      bttcProvider,
    );
    pipeline = new DeliveryPipeline({
      nodeId: "n1",
      nodeIds: ["n1"],
      connection: { url: testRedisUrl() },
      prefix: redis.prefix,
      redis: redis.redis,
      store,
      destinations,
      signer,
      maxBatch: 64,
      fallbackMs: 1_000,
      confirmPollMs: 100,
      retryLaterMs: 500,
      maxRefusals: 3,
      sources: new Map([[BTTC, bttcSource]]),
      attestedSweepMs: 200,
      attestedTimeoutMs: 1_000,
      log,
    });
    pipeline.start();
    watcher = new TransferWatcher({
      source: bttcSource,
      store,
      cursor: new ChainCursor(redis.redis, redis.prefix, "bttc"),
      startBlock,
      maxBlocksPerTick: 10_000n,
      onFinalized: (transfers) => (enqueueTo ?? ((t) => pipeline.enqueue(t)))(transfers),
      log,
    });
    // Both chains keep producing blocks, as real ones do, so that transfers and deliveries become final.
    miner = setInterval(() => {
      void bttcProvider.send("evm_mine", []).catch(() => undefined);
      void ethProvider.send("evm_mine", []).catch(() => undefined);
      void watcher.tick().catch(() => undefined);
    }, 150);
  });

  after(async () => {
    clearInterval(miner);
    await pipeline?.close();
    await redis?.cleanup();
    bttcProvider?.destroy();
    ethProvider?.destroy();
    await Promise.all([bttcNode?.stop(), ethNode?.stop()]);
  });

  async function lock(recipient: string, amount: bigint): Promise<string> {
    const user = new NonceManager(new Wallet(DEPLOYER_KEY, bttcProvider));
    const tx = await (bttcGateway.connect(user) as Contract).getFunction("bridge")(ETH, recipient, { value: amount });
    return (await tx.wait()).hash as string;
  }

  it("takes a locked transfer to completed on the destination, minted once", async () => {
    const recipient = Wallet.createRandom().address;
    const txHash = await lock(recipient, parseEther("7"));
    const [id] = await until("the transfer to be seen", async () => {
      const ids = await store.idsBySourceTx(txHash);
      return ids.length > 0 && ids;
    });
    await until("completed", async () => (await store.statusOf(id!)) === "completed");
    assert.equal(await ethGateway.getFunction("balanceOf")(recipient), parseEther("7"));
    const statuses = (await store.get(id!))!.timeline.map((e) => e.status);
    assert.deepEqual(statuses.slice(-4), ["finalized", "attested", "submitted", "completed"]);
    const completed = (await store.get(id!))!.timeline.at(-1)!;
    const receipt = await ethProvider.getTransactionReceipt(completed.txHash!);
    assert.equal(receipt?.status, 1);
    // The signed batch was kept when it was attested: its signatures are the validators' over it.
    const kept = await store.attestationOf(id!);
    assert.ok(kept, "the signed batch is stored");
    assert.equal(kept.dstChainId, ETH);
    const transfers = attestedTransfers(kept);
    assert.ok(transfers.some((t) => transferId(t) === id));
    const signers = recoverBatchSigners(ETH, ethGateway.target as string, transfers, kept.signatures);
    assert.equal(signers.length, 2);
    for (const s of signers)
      assert.ok(
        validators.some((v) => v.address === s),
        `${s} is a validator`,
      );
  });

  it("delivers a stream of transfers in batches, each exactly once", async () => {
    const recipients = Array.from({ length: 12 }, () => Wallet.createRandom().address);
    const txs: string[] = [];
    for (const [i, r] of recipients.entries()) txs.push(await lock(r, parseEther("1") + BigInt(i)));
    const ids = await until("all transfers seen", async () => {
      const found = (await Promise.all(txs.map((t) => store.idsBySourceTx(t)))).flat();
      return found.length === txs.length && found;
    });
    await until("all completed", async () => (await Promise.all(ids.map((id) => store.statusOf(id)))).every((s) => s === "completed"));
    for (const [i, r] of recipients.entries()) {
      assert.equal(await ethGateway.getFunction("balanceOf")(r), parseEther("1") + BigInt(i));
    }
    const deliveryTxs = new Set(
      await Promise.all(ids.map(async (id) => (await store.get(id))!.timeline.findLast((e) => e.status === "completed")!.txHash)),
    );
    assert.ok(deliveryTxs.size < ids.length, `${ids.length} transfers in ${deliveryTxs.size} transactions`);
    assert.deepEqual(await pipeline.deadLetters(), []);
  });

  it("proposes a batch again without a transfer a peer has not seen final yet, and delivers that one moments later", async () => {
    const recipients = Array.from({ length: 5 }, () => Wallet.createRandom().address);
    lagging.recipient = recipients[2]!;
    lagging.refusalsLeft = 2;
    const from = proposals.length;
    const user = new NonceManager(new Wallet(DEPLOYER_KEY, bttcProvider));
    const gateway = bttcGateway.connect(user) as Contract;
    // Sent together, so that they are likely final in one tick and proposed as one batch.
    const sent: { wait(): Promise<{ hash: string }> }[] = await Promise.all(
      recipients.map((r, i) => gateway.getFunction("bridge")(ETH, r, { value: parseEther("2") + BigInt(i) })),
    );
    const txs = await Promise.all(sent.map(async (tx) => (await tx.wait()).hash));
    const ids = await until("all transfers seen", async () => {
      const found = (await Promise.all(txs.map((t) => store.idsBySourceTx(t)))).flat();
      return found.length === txs.length && found;
    });
    await until(
      "all completed",
      async () => (await Promise.all(ids.map((id) => store.statusOf(id)))).every((s) => s === "completed"),
      20_000,
    );
    for (const [i, r] of recipients.entries()) assert.equal(await ethGateway.getFunction("balanceOf")(r), parseEther("2") + BigInt(i));

    const asked = proposals.slice(from);
    const withLagging = asked.map((p, i) => [p, i] as const).filter(([p]) => p.includes(lagging.recipient));
    assert.ok(withLagging.length >= 3, `refused twice, then signed: ${withLagging.length} proposals held it`);
    assert.equal(lagging.refusalsLeft, 0);
    // Each refused proposal went again at once without it, and only without it.
    for (const [proposal, i] of withLagging.slice(0, 2)) {
      if (proposal.length > 1)
        assert.deepEqual(
          asked[i + 1],
          proposal.filter((r) => r !== lagging.recipient),
          "proposed again without the refused transfer",
        );
    }
    assert.deepEqual(await pipeline.deadLetters(), []);
  });

  /** Sends a transfer to each of `recipients` at once (likely final in one tick: one batch); their ids, in order. */
  async function sendTogether(recipients: readonly string[], base: bigint): Promise<string[]> {
    const user = new NonceManager(new Wallet(DEPLOYER_KEY, bttcProvider));
    const gateway = bttcGateway.connect(user) as Contract;
    const sent: { wait(): Promise<{ hash: string }> }[] = await Promise.all(
      recipients.map((r, i) => gateway.getFunction("bridge")(ETH, r, { value: base + BigInt(i) })),
    );
    const txs = await Promise.all(sent.map(async (tx) => (await tx.wait()).hash));
    return until("all transfers seen", async () => {
      const found = await Promise.all(txs.map((t) => store.idsBySourceTx(t)));
      return found.every((f) => f.length === 1) && found.map((f) => f[0]!);
    });
  }

  const details = async (id: string) => (await store.get(id))!.timeline.map((e) => e.detail ?? "");

  it("goes on after a batch the gateway refuses for good (a stale validator key): tried again later, the rest delivered, nothing dead-lettered", async () => {
    const recipients = Array.from({ length: 4 }, () => Wallet.createRandom().address);
    staleKey.recipient = recipients[1]!;
    staleKey.timesLeft = 1;
    await until("no route job left from before", async () => (await pipeline.queueDepth()).deliver === 0);
    const ids = await sendTogether(recipients, parseEther("3"));
    // No new transfer comes along to wake the route: the route's own jobs must finish the work.
    await until(
      "all completed",
      async () => (await Promise.all(ids.map((id) => store.statusOf(id)))).every((s) => s === "completed"),
      30_000,
    );
    assert.equal(staleKey.timesLeft, 0, "the stale key was used");
    for (const [i, r] of recipients.entries()) assert.equal(await ethGateway.getFunction("balanceOf")(r), parseEther("3") + BigInt(i));
    // Refused in simulation: the batch was split, and the half holding it sent again at once.
    const failed = (await details(ids[1]!)).find((d) => /refused in simulation/.test(d));
    assert.match(failed ?? "", /NotAValidator/, "the failure is in the timeline");
    assert.deepEqual(await pipeline.deadLetters(), []);
  });

  it("splits a batch the destination refuses: every other transfer delivered at once, the bad ones wait as stuck with why, tried again later", async () => {
    const recipients = Array.from({ length: 16 }, () => Wallet.createRandom().address);
    const bad = new Set([recipients[1]!, recipients[6]!, recipients[11]!]);
    poisoned.recipients = bad;
    try {
      await until("no route job left from before", async () => (await pipeline.queueDepth()).deliver === 0);
      const started = Date.now();
      const ids = await sendTogether(recipients, parseEther("8"));
      const good = ids.filter((_, i) => !bad.has(recipients[i]!));
      const badIds = ids.filter((_, i) => bad.has(recipients[i]!));
      await until(
        "every honest transfer completed",
        async () => (await Promise.all(good.map((id) => store.statusOf(id)))).every((s) => s === "completed"),
        20_000,
      );
      const took = Date.now() - started;
      assert.ok(took < 15_000, `the honest ones took ${took} ms`);
      for (const [i, r] of recipients.entries()) {
        assert.equal(
          await ethGateway.getFunction("balanceOf")(r),
          bad.has(r) ? 0n : parseEther("8") + BigInt(i),
          "each paid once, the bad ones not",
        );
      }
      const stuck = await until("the bad ones listed as stuck", async () => {
        const listed = await store.stuck();
        return badIds.every((id) => listed[id]) && listed;
      });
      for (const id of badIds) {
        assert.match(stuck[id]!, /^fails alone \(\d+ times?, last: refused in simulation: .*NotAValidator/);
        assert.equal(await store.statusOf(id), "finalized", "still to be delivered");
        assert.ok(
          (await details(id)).some((d) => d.startsWith("fails alone")),
          "the reason in its timeline",
        );
      }
      for (const id of good) assert.equal(stuck[id], undefined, "no honest transfer listed as stuck");
      // Still tried, each time later: a pause or a limit passes with time.
      const route = routeKey((await store.get(badIds[0]!))!.observed.transfer);
      assert.ok((await store.readyOnRoute(route, 1_000)).includes(badIds[0]!), "still in the ready set");
      await until("tried alone again", async () => /^fails alone \([2-9]/.test((await store.stuck())[badIds[0]!] ?? ""), 20_000);
      // Whatever made them fail is gone: they are delivered, once, and leave the stuck list.
      poisoned.recipients = new Set();
      await until(
        "the bad ones delivered once it passes",
        async () => (await Promise.all(badIds.map((id) => store.statusOf(id)))).every((s) => s === "completed"),
        90_000,
      );
      for (const [i, r] of recipients.entries()) assert.equal(await ethGateway.getFunction("balanceOf")(r), parseEther("8") + BigInt(i));
      const after = await store.stuck();
      for (const id of badIds) assert.equal(after[id], undefined, "out of the stuck list once delivered");
      assert.deepEqual(await pipeline.deadLetters(), []);
    } finally {
      poisoned.recipients = new Set();
    }
  });

  it("a batch that fails on chain: each of its transfers tried alone, the others delivered, the bad one waits as stuck with why", async () => {
    const recipients = Array.from({ length: 6 }, () => Wallet.createRandom().address);
    const badRecipient = recipients[2]!;
    poisoned.recipients = new Set([badRecipient]);
    sentBlind.recipients = new Set([badRecipient]);
    // Blocks only from the miner, as on a real chain: the node takes a failing transaction into its pool
    // and mines it (with automine it would answer the send with the revert).
    await ethProvider.send("evm_setAutomine", [false]);
    try {
      await until("no route job left from before", async () => (await pipeline.queueDepth()).deliver === 0);
      const ids = await sendTogether(recipients, parseEther("9"));
      const bad = ids[2]!;
      const good = ids.filter((id) => id !== bad);
      await until(
        "every other transfer completed",
        async () => (await Promise.all(good.map((id) => store.statusOf(id)))).every((s) => s === "completed"),
        20_000,
      );
      const why = await until("the bad one listed as stuck", async () => (await store.stuck())[bad]);
      assert.match(why, /^fails alone \(\d+ times?, last: transaction 0x[0-9a-f]{64} failed on chain\)/);
      const failedTx = /transaction (0x[0-9a-f]{64})/.exec(why)![1]!;
      assert.equal((await ethProvider.getTransactionReceipt(failedTx))!.status, 0, "its own transaction failed");
      for (const id of good) {
        const record = (await store.get(id))!;
        if (record.timeline.some((e) => /transaction failed .*tried alone next/.test(e.detail ?? ""))) {
          // Sent with the bad one once: delivered alone afterwards.
          const done = record.timeline.findLast((e) => e.status === "completed")!;
          const receipt = (await ethProvider.getTransactionReceipt(done.txHash!))!;
          assert.equal(receipt.status, 1);
        }
      }
      assert.ok(
        (await Promise.all(good.map(details))).some((d) => d.some((x) => /transaction failed .*tried alone next/.test(x))),
        "the batch failed on chain with others in it",
      );
      poisoned.recipients = new Set();
      sentBlind.recipients = new Set();
      await until("the bad one delivered once it passes", async () => (await store.statusOf(bad)) === "completed", 90_000);
      for (const [i, r] of recipients.entries()) assert.equal(await ethGateway.getFunction("balanceOf")(r), parseEther("9") + BigInt(i));
      assert.equal((await store.stuck())[bad], undefined);
      assert.deepEqual(await pipeline.deadLetters(), []);
    } finally {
      poisoned.recipients = new Set();
      sentBlind.recipients = new Set();
      await ethProvider.send("evm_setAutomine", [true]);
    }
  });

  it("drops only a transfer peers refuse for good, delivers the rest at once, and parks that one as stuck after maxRefusals", async () => {
    const recipients = Array.from({ length: 5 }, () => Wallet.createRandom().address);
    refusedForGood.recipients = new Set([recipients[0]!]); // the head of the batch, the longest waiting
    const from = proposals.length;
    const ids = await sendTogether(recipients, parseEther("4"));
    const [refused, ...rest] = ids as [string, ...string[]];
    await until(
      "the others completed",
      async () => (await Promise.all(rest.map((id) => store.statusOf(id)))).every((s) => s === "completed"),
      30_000,
    );
    for (const [i, r] of recipients.entries()) {
      assert.equal(await ethGateway.getFunction("balanceOf")(r), i === 0 ? 0n : parseEther("4") + BigInt(i));
    }
    const stuck = await until("the refused one parked as stuck", async () => (await store.stuck())[refused], 30_000);
    assert.match(stuck, /refused 3 times by peers \(last: FIELDS_DIFFER\); its source block \d+ is still in the chain/);
    assert.equal(await store.statusOf(refused), "finalized", "still to be delivered, in the operator's view");
    const route = routeKey((await store.get(refused))!.observed.transfer);
    assert.ok(!(await store.readyOnRoute(route, 1_000)).includes(refused), "out of the ready set: no longer proposed");
    const asked = proposals.slice(from).filter((p) => p.includes(recipients[0]!)).length;
    await sleep(1_500);
    assert.equal(proposals.slice(from).filter((p) => p.includes(recipients[0]!)).length, asked, "not proposed again once stuck");
    assert.ok((await details(refused)).some((d) => d.startsWith("stuck: refused 3 times")));
    assert.deepEqual(await pipeline.deadLetters(), []);
    refusedForGood.recipients = new Set();
  });

  it("sends a transfer left attested (its batch never finished) back to delivery, and delivers it", async () => {
    const recipient = Wallet.createRandom().address;
    lagging.recipient = recipient;
    lagging.refusalsLeft = 1;
    const [id] = (await sendTogether([recipient], parseEther("5"))) as [string];
    await until("refused once", async () => (await details(id)).some((d) => d.startsWith("refused by peers")), 20_000);
    // As if a batch had been signed and its process died (or Redis blinked) before it was submitted.
    const moved = await store.transition(id, "attested", { from: ["finalized"], detail: "a batch that never finished" });
    assert.equal(moved.changed, true);
    await until("completed", async () => (await store.statusOf(id)) === "completed", 30_000);
    assert.equal(await ethGateway.getFunction("balanceOf")(recipient), parseEther("5"));
    const statuses = (await store.get(id))!.timeline.map((e) => e.status);
    assert.deepEqual(statuses.slice(-5), ["attested", "finalized", "attested", "submitted", "completed"]);
    assert.ok((await details(id)).some((d) => d.startsWith("left attested")));
  });

  it("leaves a transfer another drain took alone: its batch is given up, a late confirm of an older transaction ignores it", async () => {
    const recipient = Wallet.createRandom().address;
    let open!: () => void;
    gate.recipients = new Set([recipient]);
    gate.waiting = 0;
    gate.open = new Promise((resolve) => (open = resolve));
    try {
      const txHash = await lock(recipient, parseEther("3"));
      const [id] = await until("the transfer to be seen", async () => {
        const ids = await store.idsBySourceTx(txHash);
        return ids.length > 0 && ids;
      });
      await until("its batch being signed", () => Promise.resolve(gate.waiting >= 1), 30_000);
      // Meanwhile a drain elsewhere (this drain's lock lost without its knowing) attests and submits it.
      const elsewhere = "0x" + "ab".repeat(32);
      assert.equal((await store.transition(id!, "attested", { from: ["finalized", "delayed"], detail: "another drain" })).changed, true);
      assert.equal((await store.transition(id!, "submitted", { txHash: elsewhere })).changed, true);
      gate.open = null;
      open();
      await sleep(2_000);
      // This drain neither dragged it back nor sent it again.
      const record = (await store.get(id!))!;
      assert.equal(record.status, "submitted");
      assert.equal(record.timeline.at(-1)!.txHash, elsewhere);
      assert.equal(await ethGateway.getFunction("balanceOf")(recipient), 0n);

      // A late confirm job of an older delivery of it (a final transaction that delivered nothing, as a
      // failed one) must not pull it back either: it is no longer on that transaction.
      const older = await (await new Wallet(DEPLOYER_KEY, ethProvider).sendTransaction({ to: recipient, value: 0n })).wait();
      const confirms = new Queue("confirm", { connection: { url: testRedisUrl() }, prefix: redis.prefix + "q" });
      try {
        const job = await confirms.add(
          "confirm",
          { dstChainId: ETH.toString(), txHash: older!.hash, ids: [id!] },
          {
            jobId: `confirm-late-${older!.hash}`,
            // As the pipeline's own confirm jobs: polled until the transaction is final.
            attempts: 1_000,
            backoff: { type: "fixed", delay: 100 },
          },
        );
        await until("the late confirm job to finish", async () => (await job.getState()) === "completed", 30_000);
      } finally {
        await confirms.close();
      }
      const after = (await store.get(id!))!;
      assert.equal(after.status, "submitted");
      assert.equal(after.timeline.at(-1)!.txHash, elsewhere);
    } finally {
      gate.open = null;
      gate.recipients = new Set();
    }
  });

  it("schedules the route again when its drain stops because the route lock was lost", async () => {
    // A pipeline of its own, one transfer per batch, so that one route job stands for more transfers
    // than a drain has under way at once.
    const prefix = `${redis.prefix}lockloss:`;
    const narrow = new DeliveryPipeline({
      nodeId: "n1",
      nodeIds: ["n1"],
      connection: { url: testRedisUrl() },
      prefix,
      redis: redis.redis,
      store,
      destinations,
      signer,
      maxBatch: 1,
      fallbackMs: 1_000,
      confirmPollMs: 100,
      retryLaterMs: 500,
      log,
    });
    narrow.start();
    const held: ObservedTransfer[] = [];
    enqueueTo = (transfers) => {
      held.push(...transfers);
      return Promise.resolve();
    };
    try {
      const recipients = Array.from({ length: 5 }, () => Wallet.createRandom().address);
      const ids = await sendTogether(recipients, parseEther("6"));
      await until("all final", () => Promise.resolve(ids.every((id) => held.some((o) => o.id === id))));
      let open!: () => void;
      gate.recipients = new Set(recipients);
      gate.waiting = 0;
      gate.open = new Promise((resolve) => (open = resolve));
      await narrow.enqueue(held.filter((o) => ids.includes(o.id))); // one route job for all five
      await until("three batches signing", () => Promise.resolve(gate.waiting >= 3));
      // The lock's key is lost (a Redis failover) and taken by someone else for a while; the drain's
      // renewal (every third of the lock's 10 s) finds it gone and the drain stops after its batches.
      const route = routeKey(held.find((o) => o.id === ids[0])!.transfer);
      await redis.redis.set(`${prefix}lock:route:${route}`, "another-holder", "PX", 5_000);
      await sleep(3_600);
      gate.open = null;
      open();
      // No new transfer comes along: the route job scheduled as the drain stopped delivers the rest.
      await until(
        "all completed",
        async () => (await Promise.all(ids.map((id) => store.statusOf(id)))).every((s) => s === "completed"),
        30_000,
      );
      for (const [i, r] of recipients.entries()) assert.equal(await ethGateway.getFunction("balanceOf")(r), parseEther("6") + BigInt(i));
      assert.deepEqual(await narrow.deadLetters(), []);
    } finally {
      enqueueTo = null;
      gate.open = null;
      await narrow.close();
    }
  });
});
