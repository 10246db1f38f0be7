// Legacy BTTOLD swaps from TRON end to end (issue 4): the TRON development node (mined in the background,
// solidifying 3 blocks deep), two real `hardhat node` chains (BTTC with a funded redenomination reserve,
// and Ethereum), real Redis, three relayer nodes with threshold 2; node n1 holds the deposit account's key.
// Deposits are built, given a memo and signed by TronWeb as a wallet does. Checked on chain and in every
// node's store: 1 BTTOLD becomes exactly 10^21 wei on BTTC, 7 units exactly 7×10^15 wei; many deposits in
// one block each land once; a bad memo is `rejected` with its reason, never delivered, refunded once by
// the operator command (a second refund refused, even after the nodes' Redis data is gone); a valid swap
// is never refunded; a node restart in the middle changes nothing; the BTTOLD of delivered swaps goes
// to the black-hole address exactly once, even after the forwarding node loses its Redis data; and a swap
// delivered before the minimum was raised is never refunded (its delivery on BTTC, or its burn, says so).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { Contract, Wallet, parseEther } from "ethers";
import { pino } from "pino";
import { addressToBytes32, transferId } from "../../common/transfer.ts";
import { contractInterface } from "../../common/contracts/artifacts.ts";
import { BTTOLD, signedToken, signedTrx } from "../../devnet/tron/testing.ts";
import { TRON_BLACK_HOLE, parseBurnMemo } from "../../relayer/chains/tron/burn-forwarder.ts";
import { encodeSwapMemo } from "../../common/tron/memo.ts";
import { tronSourceFor } from "../../relayer/chains/tron/configured.ts";
import { TronSource } from "../../relayer/chains/tron/source.ts";
import { evmChains, parseRelayerConfig, tronChains } from "../../relayer/config.ts";
import { RelayerNode } from "../../relayer/node.ts";
import { listRefundable } from "../../relayer/operator/tron-deposits.ts";
import { RefundRefusedError, refundDeposit, refundMemo } from "../../relayer/operator/tron-refund.ts";
import { devAccount, startCluster, until, wipeAtomically, type Cluster, type NodeSpec } from "../../testkit/relayer-cluster.ts";
import { TRON_ACCOUNTS, startMinedTronNode, tronChainEntry, type MinedTronNode } from "../../testkit/tron-swaps.ts";
import { CHAIN_IDS } from "../../testkit/constants.ts";

const WEI_PER_UNIT = 10n ** 15n;
const DEPOSIT = TRON_ACCOUNTS[19]!;
const USERS = TRON_ACCOUNTS.slice(1, 13);
const DEPOSIT_KEY_ENV = "TRON_DEPOSIT_KEY";
const SRC_GATEWAY = addressToBytes32(DEPOSIT.evmAddress);
const TIMEOUT = 90_000;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function swapId(txId: string): string {
  return transferId({ srcChainId: CHAIN_IDS.tron, srcGateway: SRC_GATEWAY, srcRef: `0x${txId}` });
}

describe("TRON swaps end to end: three relayer nodes, threshold 2", { timeout: 600_000 }, () => {
  let cluster: Cluster;
  let tron: MinedTronNode;
  let specs: NodeSpec[];
  const configs: Record<string, unknown>[] = [];
  const nodes = new Map<string, RelayerNode>();
  /** Every swap delivered so far: deposit tx id → units. */
  const delivered = new Map<string, bigint>();

  async function startNode(spec: NodeSpec): Promise<RelayerNode> {
    const env = { ...cluster.nodeEnv(spec.index), [DEPOSIT_KEY_ENV]: DEPOSIT.privateKey };
    const node = new RelayerNode({ config: parseRelayerConfig(configs[spec.index]), env, log: pino({ level: "silent" }) });
    try {
      await node.start();
    } catch (error) {
      await node.stop();
      throw error;
    }
    nodes.set(spec.id, node);
    return node;
  }

  async function deposit(userIndex: number, units: number, memo: string | undefined): Promise<string> {
    const user = USERS[userIndex]!;
    const signed = await signedToken(tron.client(user), DEPOSIT.base58, units, memo);
    const answer = await tron.tronWeb.trx.sendRawTransaction(signed);
    assert.equal(answer.result, true, JSON.stringify(answer));
    return signed.txID;
  }

  async function bttcBalance(address: string): Promise<bigint> {
    return cluster.chain("bttc").provider.getBalance(address);
  }

  /** Waits until every node's store has `id` in `status`. */
  async function everyNodeHas(id: string, status: string): Promise<void> {
    await until(
      `${id} ${status} in every node`,
      async () => (await Promise.all(specs.map((s) => cluster.storeOf(s).statusOf(id)))).every((st) => st === status),
      TIMEOUT,
    );
  }

  /** The refund command's options from n1's configuration; `minimumUnits` as if raised since, `swapTo`
   * another chain's gateway. */
  function refundOptions(depositTxId: string, change: { minimumUnits?: bigint; swapTo?: string } = {}) {
    const config = parseRelayerConfig(configs[0]);
    const chain = tronChains(config)[0]!;
    return {
      chain: change.minimumUnits === undefined ? chain : { ...chain, minimumUnits: change.minimumUnits },
      swapTo: evmChains(config).find((c) => c.name === (change.swapTo ?? "bttc"))!,
      env: { [DEPOSIT_KEY_ENV]: DEPOSIT.privateKey },
      depositTxId,
    };
  }

  before(async () => {
    cluster = await startCluster({
      label: "tron-e2e",
      chains: [
        { name: "bttc", chainId: CHAIN_IDS.bttc, role: "bttc" },
        { name: "ethereum", chainId: CHAIN_IDS.ethereum, role: "remote" },
      ],
      validatorCount: 3,
      threshold: 2,
      mineEveryMs: 200,
    });
    const bttc = cluster.chain("bttc");
    const gateway = new Contract(bttc.gateway.target, contractInterface("BttcGateway"), devAccount(0).connect(bttc.provider));
    await (await gateway.getFunction("fundReserve")({ value: parseEther("5000") })).wait();
    tron = await startMinedTronNode(250);
    specs = await cluster.nodeSpecs("tron", ["n1", "n2", "n3"]);
    for (const spec of specs) {
      const config = cluster.nodeConfig(spec, specs);
      (config.chains as unknown[]).push(
        tronChainEntry({
          fullHost: tron.node.url,
          depositAddress: DEPOSIT.base58,
          minimumUnits: 1n,
          ...(spec.index === 0 ? { depositKey: { env: DEPOSIT_KEY_ENV }, burn: { batchSize: 3, intervalMs: 300, settleMs: 500 } } : {}),
        }),
      );
      configs.push(config);
    }
    for (const spec of specs) await startNode(spec);
  });

  after(async () => {
    await Promise.all([...nodes.values()].map((n) => n.stop()));
    await tron?.stop();
    await cluster?.stop();
  });

  it("1 BTTOLD (10^6 units) becomes exactly 10^21 wei of BTT on BTTC, paid from the reserve", async () => {
    const recipient = Wallet.createRandom().address;
    const txId = await deposit(0, 1_000_000, encodeSwapMemo(recipient));
    const id = swapId(txId);
    await everyNodeHas(id, "completed");
    assert.equal(await bttcBalance(recipient), 10n ** 21n);
    const record = (await cluster.storeOf(specs[1]!).get(id))!;
    assert.equal(record.observed.transfer.kind, 1);
    assert.equal(record.observed.transfer.srcRef, `0x${txId}`);
    assert.equal(record.observed.transfer.dstChainId, CHAIN_IDS.bttc);
    assert.equal(record.observed.legacyAmount, 1_000_000n);
    assert.equal(record.observed.sender, USERS[0]!.base58);
    const statuses = record.timeline.map((e) => e.status);
    assert.ok(statuses.indexOf("finalized") >= 0 && statuses.indexOf("finalized") < statuses.indexOf("completed"), statuses.join(","));
    assert.deepEqual(await cluster.deliveredIds("bttc", 0n).then((ids) => ids.filter((x) => x === id)), [id]);
    delivered.set(txId, 1_000_000n);
  });

  it("7 units become exactly 7×10^15 wei", async () => {
    const recipient = Wallet.createRandom().address;
    const txId = await deposit(1, 7, encodeSwapMemo(recipient));
    await everyNodeHas(swapId(txId), "completed");
    assert.equal(await bttcBalance(recipient), 7n * WEI_PER_UNIT);
    delivered.set(txId, 7n);
  });

  it("many deposits in one block: each delivered once, with its own exact amount", async () => {
    tron.pauseMining(true);
    const sent: { txId: string; recipient: string; units: bigint }[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        const recipient = Wallet.createRandom().address;
        const units = BigInt(1_000 + i * 37);
        sent.push({ txId: await deposit(i, Number(units), encodeSwapMemo(recipient)), recipient, units });
      }
    } finally {
      tron.pauseMining(false);
    }
    const source = new TronSource({
      name: "tron",
      chainId: CHAIN_IDS.tron,
      fullHost: tron.node.url,
      depositAddress: DEPOSIT.base58,
      tokenId: BTTOLD,
      bttcChainId: CHAIN_IDS.bttc,
      minimumUnits: 1n,
      maxBlockRange: 100,
    });
    const blocks = new Set<bigint>();
    for (const s of sent) {
      const block = await until(`deposit ${s.txId} solidified`, () => source.solidifiedBlockOf(s.txId), TIMEOUT);
      blocks.add(block);
    }
    assert.equal(blocks.size, 1, "all ten in one block");
    for (const s of sent) await everyNodeHas(swapId(s.txId), "completed");
    for (const s of sent) {
      assert.equal(await bttcBalance(s.recipient), s.units * WEI_PER_UNIT);
      delivered.set(s.txId, s.units);
    }
    const ids = new Set(sent.map((s) => swapId(s.txId)));
    const deliveries = (await cluster.deliveredIds("bttc", 0n)).filter((id) => ids.has(id));
    assert.equal(deliveries.length, 10, "each delivered exactly once");
    assert.equal(new Set(deliveries).size, 10);
  });

  it("a deposit with a bad memo is rejected with its reason, never delivered, and refunded once", async () => {
    const user = USERS[3]!;
    const txId = await deposit(3, 4_242, "BTTC:0x1234");
    const id = swapId(txId);
    await everyNodeHas(id, "rejected");
    const record = (await cluster.storeOf(specs[2]!).get(id))!;
    assert.equal(record.observed.rejection?.reason, "BAD_ADDRESS");
    const entry = record.timeline.find((e) => e.status === "rejected")!;
    assert.match(entry.detail!, /^BAD_ADDRESS: /);
    assert.ok((await cluster.storeOf(specs[0]!).idsWithStatus("rejected")).includes(id), "listed for refund");
    assert.equal(await cluster.chain("bttc").gateway.getFunction("isDelivered")(CHAIN_IDS.tron, SRC_GATEWAY, `0x${txId}`), false);

    const before = await tron.balance(user.base58, BTTOLD);
    const refund = await refundDeposit(refundOptions(txId));
    assert.equal(refund.to, user.base58);
    assert.equal(refund.amount, 4_242n);
    assert.equal(refund.asset, "TRC10");
    assert.match(refund.reason, /^BAD_ADDRESS/);
    assert.equal(await tron.balance(user.base58, BTTOLD), before + 4_242n);
    const onChain = await tron.tronWeb.trx.getTransaction(refund.refundTxId).catch(() => null);
    const memoHex = (onChain?.raw_data as { data?: string } | undefined)?.data ?? "";
    assert.equal(Buffer.from(memoHex, "hex").toString("utf8"), refundMemo(txId));

    await assert.rejects(
      refundDeposit(refundOptions(txId)),
      (error: unknown) => error instanceof RefundRefusedError && error.reason === "ALREADY_REFUNDED",
    );
    // The nodes' Redis data gone: the chain still says it was refunded.
    for (const spec of specs) await wipeAtomically(cluster.redis.redis, spec.prefix);
    await assert.rejects(
      refundDeposit(refundOptions(txId)),
      (error: unknown) => error instanceof RefundRefusedError && error.reason === "ALREADY_REFUNDED",
    );
    assert.equal(await tron.balance(user.base58, BTTOLD), before + 4_242n, "refunded exactly once");
  });

  it("refuses to refund a valid swap, and refunds TRX sent to the deposit address", async () => {
    const [validTx] = [...delivered.keys()];
    await assert.rejects(
      refundDeposit(refundOptions(validTx!)),
      (error: unknown) => error instanceof RefundRefusedError && error.reason === "VALID_SWAP",
    );

    const user = USERS[4]!;
    const signed = await signedTrx(tron.client(user), DEPOSIT.base58, 3_000_000, "oops");
    assert.equal((await tron.tronWeb.trx.sendRawTransaction(signed)).result, true);
    await until(
      "the TRX deposit solidified",
      () =>
        refundDeposit(refundOptions(signed.txID)).catch((e: unknown) => {
          if (e instanceof RefundRefusedError && e.reason === "NOT_FINAL") return null;
          throw e;
        }),
      TIMEOUT,
    ).then((refund) => {
      assert.equal(refund.asset, "TRX");
      assert.equal(refund.amount, 3_000_000n);
      assert.equal(refund.to, user.base58);
    });
    await assert.rejects(
      refundDeposit(refundOptions(signed.txID)),
      (error: unknown) => error instanceof RefundRefusedError && error.reason === "ALREADY_REFUNDED",
    );

    // The refund list, from the chain alone: the bad memo and the TRX, each with its refund; no valid swap.
    const options = refundOptions(signed.txID);
    const list = await listRefundable(tronSourceFor(options.chain, options.swapTo.chainId), options.swapTo, 0n);
    assert.deepEqual(
      list.map((d) => ({ asset: d.asset, amount: d.amount, sender: d.sender, refunded: d.refundTxId !== undefined })),
      [
        { asset: "TRC10", amount: 4_242n, sender: USERS[3]!.base58, refunded: true },
        { asset: "TRX", amount: 3_000_000n, sender: user.base58, refunded: true },
      ],
    );
    assert.match(list[0]!.reason, /^BAD_ADDRESS/);
    assert.equal(list[1]!.depositTxId, signed.txID);
  });

  it("npm run tron:refund refunds a deposit without a memo once, and refuses the second time", async () => {
    const user = USERS[8]!;
    const txId = await deposit(8, 55, undefined);
    await everyNodeHas(swapId(txId), "rejected");
    const dir = mkdtempSync(join(tmpdir(), "bttb-refund-"));
    try {
      const configFile = join(dir, "relayer.json");
      writeFileSync(configFile, JSON.stringify(configs[0]));
      // Asynchronously: the TRON node and its miner run in this process, and must go on meanwhile.
      const run = (script = "tron-refund-cli.ts", args = ["--deposit", txId]) =>
        new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
          execFile(
            process.execPath,
            [`relayer/operator/${script}`, "--config", configFile, ...args],
            { cwd: ROOT, env: { ...process.env, [DEPOSIT_KEY_ENV]: DEPOSIT.privateKey }, encoding: "utf8", timeout: TIMEOUT },
            (error, stdout, stderr) =>
              resolve({ status: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
          );
        });
      const before = await tron.balance(user.base58, BTTOLD);
      const first = await run();
      assert.equal(first.status, 0, first.stderr);
      const printed = JSON.parse(first.stdout) as { amount: string; to: string; reason: string; refundTxId: string };
      assert.equal(printed.amount, "55");
      assert.equal(printed.to, user.base58);
      assert.match(printed.reason, /^MISSING/);
      assert.equal(await tron.balance(user.base58, BTTOLD), before + 55n);
      const second = await run();
      assert.equal(second.status, 1);
      assert.match(second.stderr, new RegExp(`ALREADY_REFUNDED: deposit ${txId} was refunded by transaction ${printed.refundTxId}`));
      assert.equal(await tron.balance(user.base58, BTTOLD), before + 55n);

      const listed = await run("tron-deposits-cli.ts", []);
      assert.equal(listed.status, 0, listed.stderr);
      const entry = (JSON.parse(listed.stdout) as { depositTxId: string; amount: string; refundTxId?: string }[]).find(
        (d) => d.depositTxId === txId,
      );
      assert.deepEqual({ amount: entry?.amount, refundTxId: entry?.refundTxId }, { amount: "55", refundTxId: printed.refundTxId });
      const open = await run("tron-deposits-cli.ts", ["--open"]);
      assert.deepEqual(JSON.parse(open.stdout), [], "every unswapped deposit is refunded");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a relayer restart in the middle changes nothing", async () => {
    const n1 = specs[0]!;
    await nodes.get(n1.id)!.stop();
    nodes.delete(n1.id);
    const recipients = [Wallet.createRandom().address, Wallet.createRandom().address];
    const txIds = [await deposit(5, 123_456, encodeSwapMemo(recipients[0]!)), await deposit(6, 1, encodeSwapMemo(recipients[1]!))];
    // The other two deliver meanwhile (threshold 2): wait for one to see it final, then restart n1.
    await until(
      "the deposits final in n2",
      async () =>
        (await cluster.storeOf(specs[1]!).statusOf(swapId(txIds[0]!))) !== "pending" &&
        (await cluster.storeOf(specs[1]!).statusOf(swapId(txIds[0]!))) !== null,
      TIMEOUT,
    );
    await startNode(n1);
    for (const txId of txIds) await everyNodeHas(swapId(txId), "completed");
    assert.equal(await bttcBalance(recipients[0]!), 123_456n * WEI_PER_UNIT);
    assert.equal(await bttcBalance(recipients[1]!), WEI_PER_UNIT);
    const ids = new Set(txIds.map(swapId));
    assert.equal((await cluster.deliveredIds("bttc", 0n)).filter((id) => ids.has(id)).length, 2, "each delivered once");
    delivered.set(txIds[0]!, 123_456n);
    delivered.set(txIds[1]!, 1n);
  });

  it("the BTTOLD of delivered swaps goes to the black hole exactly once, even after the forwarder's Redis data is lost", async () => {
    const total = [...delivered.values()].reduce((a, b) => a + b, 0n);
    const burnedTxs = async () => {
      const source = new TronSource({
        name: "tron",
        chainId: CHAIN_IDS.tron,
        fullHost: tron.node.url,
        depositAddress: DEPOSIT.base58,
        tokenId: BTTOLD,
        bttcChainId: CHAIN_IDS.bttc,
        minimumUnits: 1n,
        maxBlockRange: 100,
      });
      const head = (await source.heads()).head;
      return (await source.outgoingIn(0n, head)).filter((o) => o.to === TRON_BLACK_HOLE);
    };
    // In blocks, not only sent (the node's account view includes transactions waiting for a block).
    const named = (burns: Awaited<ReturnType<typeof burnedTxs>>) => burns.flatMap((b) => parseBurnMemo(b.memo) ?? []);
    await until("every delivered swap burned", async () => named(await burnedTxs()).length >= delivered.size, TIMEOUT, 250);
    const burns = await burnedTxs();
    assert.deepEqual([...named(burns)].sort(), [...delivered.keys()].sort(), "each delivered deposit named by exactly one burn");
    assert.equal(await tron.balance(TRON_BLACK_HOLE, BTTOLD), total);
    assert.equal(
      burns.reduce((sum, b) => sum + b.amount, 0n),
      total,
    );
    assert.ok(
      burns.every((b) => (parseBurnMemo(b.memo) ?? []).length <= 3),
      "in batches of at most 3",
    );

    // Wipe n1's data at once while it runs: it rescans, and must not burn anything again.
    await wipeAtomically(cluster.redis.redis, specs[0]!.prefix);
    const recipient = Wallet.createRandom().address;
    const txId = await deposit(7, 999, encodeSwapMemo(recipient));
    await everyNodeHas(swapId(txId), "completed");
    await until("the new swap burned", async () => named(await burnedTxs()).includes(txId), TIMEOUT, 250);
    // n1 has rebuilt its records from the chains: every earlier swap is `completed` in its store again,
    // so its forwarder has them all as candidates once more; let it run a few rounds over them.
    const n1 = cluster.storeOf(specs[0]!);
    await until(
      "n1 rebuilt",
      async () => (await Promise.all([...delivered.keys()].map((t) => n1.statusOf(swapId(t))))).every((st) => st === "completed"),
      TIMEOUT,
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    assert.equal(await tron.balance(TRON_BLACK_HOLE, BTTOLD), total + 999n, "nothing burned twice");
    const again = named(await burnedTxs());
    assert.equal(again.length, delivered.size + 1);
    assert.equal(new Set(again).size, again.length);
  });

  it("a swap delivered before the minimum was raised is never refunded: refused ALREADY_SWAPPED, listed as swapped", async () => {
    // Raised so that every earlier swap but the first (exactly 10^6 units) decodes as under the minimum.
    const raised = { minimumUnits: 1_000_000n };
    const refusedAsSwapped = (pattern: RegExp) => (error: unknown) =>
      error instanceof RefundRefusedError && error.reason === "ALREADY_SWAPPED" && pattern.test(error.message);
    // Delivered while n1, the node that burns, is stopped: only BTTC's gateway says it was swapped.
    const n1 = specs[0]!;
    await nodes.get(n1.id)!.stop();
    nodes.delete(n1.id);
    try {
      const user = USERS[10]!;
      const recipient = Wallet.createRandom().address;
      const txId = await deposit(10, 777, encodeSwapMemo(recipient));
      await until("delivered by n2 and n3", async () => (await cluster.storeOf(specs[1]!).statusOf(swapId(txId))) === "completed", TIMEOUT);
      assert.equal(await bttcBalance(recipient), 777n * WEI_PER_UNIT);
      await until(
        "the deposit solidified",
        () => tronSourceFor(refundOptions(txId).chain, CHAIN_IDS.bttc).solidifiedBlockOf(txId),
        TIMEOUT,
      );
      const before = await tron.balance(user.base58, BTTOLD);
      await assert.rejects(refundDeposit(refundOptions(txId, raised)), refusedAsSwapped(/it is delivered on bttc.*BELOW_MINIMUM/));

      // An earlier swap, burned since: refused on the burn alone (asked of a gateway that never saw it).
      const underRaised = [...delivered].filter(([, units]) => units < raised.minimumUnits).map(([id]) => id);
      const burned = underRaised[0]!;
      await assert.rejects(
        refundDeposit(refundOptions(burned, { ...raised, swapTo: "ethereum" })),
        refusedAsSwapped(/burned by transaction [0-9a-f]{64}/),
      );

      // The list, under the raised minimum: every earlier swap and the new one marked swapped; every other
      // deposit refunded by the earlier tests; nothing open.
      const options = refundOptions(txId, raised);
      const list = await listRefundable(tronSourceFor(options.chain, options.swapTo.chainId), options.swapTo, 0n);
      const swapped = new Set(list.filter((d) => d.swapped).map((d) => d.depositTxId));
      for (const id of [...underRaised, txId]) assert.ok(swapped.has(id), `${id} listed as swapped`);
      assert.ok(
        list.every((d) => d.swapped === true || d.refundTxId !== undefined),
        "nothing to refund",
      );
      assert.match(list.find((d) => d.depositTxId === txId)!.reason, /^already swapped: it is delivered on bttc/);
      assert.equal(await tron.balance(user.base58, BTTOLD), before, "nothing paid back");
    } finally {
      await startNode(n1);
    }
  });
});
