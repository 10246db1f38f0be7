// The EVM source adapter against real `hardhat node` chains (BTTC and Ethereum, gateways deployed through
// deploy/bridge.ts): transfers and swaps observed with the exact fields and ids the receipts and the
// destination gateway agree on; ranges split by maxBlockRange with nothing missed or doubled; heads by the
// finality rule; a reorg (snapshot/revert) seen in block hashes and logs; and an RPC endpoint that
// throttles, drops and stalls (a proxy) survived, while errors that cannot pass fail at once.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  AbiCoder,
  Contract,
  JsonRpcProvider,
  NonceManager,
  Wallet,
  getAddress,
  keccak256,
  makeError,
  parseEther,
  toBeHex,
  zeroPadValue,
} from "ethers";
import type { Interface, TransactionReceipt, TransactionResponse } from "ethers";
import { TransferKind, gatewayDomain, orderBySigner, signBatch, type Transfer } from "../../../../common/transfer.ts";
import { contractInterface } from "../../../../common/contracts/artifacts.ts";
import { deployChain } from "../../../../deploy/bridge.ts";
import type { ObservedTransfer } from "../../../../relayer/chains/adapter.ts";
import { classifyRpcError } from "../../../../common/rpc/evm-classifier.ts";
import { connectEvmProvider } from "../../../../relayer/chains/evm/rpc.ts";
import { createEvmProvider } from "../../../../common/rpc/evm-provider.ts";
import { withRpcRetry } from "../../../../relayer/chains/evm/rpc.ts";
import { type RetryEvent, type RetryOptions } from "../../../../common/rpc/retry.ts";
import { EvmSource } from "../../../../relayer/chains/evm/source.ts";
import type { EvmChainConfig } from "../../../../relayer/config.ts";
import { ChainMismatchError, RelayerError, RpcError } from "../../../../relayer/errors.ts";
import { startFlakyRpc, type FlakyRpc } from "../../../../testkit/flaky-rpc.ts";
import { freePort, startHardhatNode, type HardhatNode } from "../../../../testkit/hardhat-node.ts";
import { validatorWallets } from "../../../../testkit/world.ts";
import { CHAIN_IDS, DEV_KEYS } from "../../../../testkit/constants.ts";

// Hardhat's development accounts #0 to #2 (public test keys, as `hardhat node` prints them).
const DEPLOYER_KEY = DEV_KEYS[0];
const GUARDIAN_KEY = DEV_KEYS[1];
const USER_KEY = DEV_KEYS[2];
const BTTC_ID = CHAIN_IDS.bttc;
const ETH_ID = CHAIN_IDS.ethereum;
const BTTC_FEE = 1_000n;
const ETH_FEE = 7n;
const RECIPIENTS = [
  "0x1111111111111111111111111111111111111111",
  "0x2222222222222222222222222222222222222222",
  "0x3333333333333333333333333333333333333333",
].map(getAddress);

const QUICK_RETRY: RetryOptions = { attempts: 4, baseDelayMs: 10, maxDelayMs: 100 };

interface TestChain {
  node: HardhatNode;
  provider: JsonRpcProvider;
  gateway: Contract;
  gatewayAddress: string;
  legacyToken?: Contract;
  deployer: NonceManager;
  user: Wallet;
  deployBlock: bigint;
  iface: Interface;
  chainId: bigint;
  name: string;
}

function sourceConfig(chain: TestChain, overrides: Partial<EvmChainConfig> = {}): EvmChainConfig {
  return {
    name: chain.name,
    family: "evm",
    chainId: chain.chainId,
    rpcUrl: chain.node.url,
    gateway: chain.gatewayAddress,
    finality: { confirmations: 2 },
    startBlock: chain.deployBlock,
    maxBlockRange: 2_000,
    pollIntervalMs: 1_000,
    maxFeePerGas: 500_000_000_000n,
    fees: { type: "auto" },
    ...overrides,
  };
}

/** What the receipt says the gateway emitted, mapped by hand (not through the adapter's code). */
function expectedFrom(chain: TestChain, receipt: TransactionReceipt): ObservedTransfer[] {
  const found: ObservedTransfer[] = [];
  for (const log of receipt.logs) {
    if (getAddress(log.address) !== chain.gatewayAddress) continue;
    const event = chain.iface.parseLog(log);
    if (event?.name !== "TransferSent" && event?.name !== "SwapSent") continue;
    const sequence = event.args.getValue("sequence") as bigint;
    const srcGateway = zeroPadValue(chain.gatewayAddress.toLowerCase(), 32);
    const srcRef = zeroPadValue(toBeHex(sequence), 32);
    const swap = event.name === "SwapSent";
    const transfer: Transfer = {
      srcChainId: chain.chainId,
      srcGateway,
      srcRef,
      kind: swap ? TransferKind.Swap : TransferKind.Bridge,
      dstChainId: event.args.getValue("dstChainId") as bigint,
      recipient: event.args.getValue("recipient") as string,
      amount: event.args.getValue("amount") as bigint,
    };
    found.push({
      id: keccak256(AbiCoder.defaultAbiCoder().encode(["uint64", "bytes32", "bytes32"], [chain.chainId, srcGateway, srcRef])),
      transfer,
      sender: event.args.getValue("sender") as string,
      fee: swap ? 0n : (event.args.getValue("fee") as bigint),
      ...(swap ? { legacyAmount: event.args.getValue("legacyAmount") as bigint } : {}),
      sequence,
      srcTxHash: receipt.hash,
      blockNumber: BigInt(log.blockNumber),
      blockHash: log.blockHash,
      logIndex: log.index,
    });
  }
  return found;
}

async function receiptOf(pending: Promise<TransactionResponse>): Promise<TransactionReceipt> {
  const receipt = await (await pending).wait();
  assert.ok(receipt && receipt.status === 1, "transaction succeeded");
  return receipt;
}

async function headOf(chain: TestChain): Promise<bigint> {
  return BigInt(await chain.provider.getBlockNumber());
}

/** Sends `count` bridge transfers from the user into one block (automine paused meanwhile). */
async function bridgesInOneBlock(chain: TestChain, count: number, salt: bigint): Promise<TransactionReceipt[]> {
  if (count === 0) {
    await chain.provider.send("evm_mine", []);
    return [];
  }
  await chain.provider.send("evm_setAutomine", [false]);
  try {
    let nonce = await chain.provider.getTransactionCount(chain.user.address, "pending");
    const sent: TransactionResponse[] = [];
    for (let i = 0; i < count; i++) {
      const value = parseEther("0.01") + salt * 100n + BigInt(i);
      sent.push(
        (await chain.gateway.connect(chain.user).getFunction("bridge")(ETH_ID, RECIPIENTS[i % RECIPIENTS.length], {
          value,
          nonce: nonce++,
          gasLimit: 200_000n,
        })) as TransactionResponse,
      );
    }
    await chain.provider.send("evm_mine", []);
    const receipts = await Promise.all(sent.map((tx) => tx.wait()));
    return receipts.map((r) => {
      assert.ok(r && r.status === 1);
      return r;
    });
  } finally {
    await chain.provider.send("evm_setAutomine", [true]);
  }
}

async function rejectsWith(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected a rejection");
}

describe("EvmSource", () => {
  let bttc: TestChain;
  let eth: TestChain;
  const cleanups: (() => Promise<void> | void)[] = [];
  const validators = validatorWallets(3);

  async function deployOn(node: HardhatNode, name: string, chainId: bigint, role: "bttc" | "remote"): Promise<TestChain> {
    const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
    cleanups.push(() => provider.destroy());
    const deployer = new NonceManager(new Wallet(DEPLOYER_KEY, provider));
    const deployed = await deployChain({
      deployer,
      role,
      validators: validators.map((v) => v.address),
      threshold: 2,
      guardian: new Wallet(GUARDIAN_KEY).address,
      dailyLimit: null,
      routes: [{ dstChainId: role === "bttc" ? ETH_ID : BTTC_ID, fee: role === "bttc" ? BTTC_FEE : ETH_FEE, minAmount: 0n }],
      timelockDelay: 0n,
      ...(role === "remote" ? { homeChainId: BTTC_ID, legacyToken: { mockDecimals: 18 } } : {}),
    });
    const chain: TestChain = {
      node,
      provider,
      gateway: deployed.gateway,
      gatewayAddress: getAddress(await deployed.gateway.getAddress()),
      deployer,
      user: new Wallet(USER_KEY, provider),
      deployBlock: BigInt(await provider.getBlockNumber()),
      iface: contractInterface(role === "bttc" ? "BttcGateway" : "RemoteGateway"),
      chainId,
      name,
    };
    if (deployed.legacyToken) chain.legacyToken = deployed.legacyToken;
    return chain;
  }

  before(async () => {
    const [bttcNode, ethNode] = await Promise.all([startHardhatNode({ chainId: BTTC_ID }), startHardhatNode({ chainId: ETH_ID })]);
    cleanups.push(
      () => bttcNode.stop(),
      () => ethNode.stop(),
    );
    [bttc, eth] = await Promise.all([deployOn(bttcNode, "bttc", BTTC_ID, "bttc"), deployOn(ethNode, "ethereum", ETH_ID, "remote")]);
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  function sourceOf(chain: TestChain, overrides: Partial<EvmChainConfig> = {}, retry: RetryOptions = QUICK_RETRY) {
    return new EvmSource(sourceConfig(chain, overrides), chain.provider, { retry });
  }

  it("observes bridge transfers on BTTC and a remote chain and swaps, with the receipts' exact fields and ids", async () => {
    const source = sourceOf(bttc);
    const value = parseEther("1");
    const sent = await receiptOf(
      bttc.gateway.connect(bttc.user).getFunction("bridge")(ETH_ID, bttc.user.address, { value }) as Promise<TransactionResponse>,
    );
    const block = BigInt(sent.blockNumber);
    const [observed, ...others] = await source.transfersIn(block, block);
    assert.equal(others.length, 0);
    assert.ok(observed);
    assert.deepEqual(observed, expectedFrom(bttc, sent)[0]);
    assert.equal(observed.transfer.kind, TransferKind.Bridge);
    assert.equal(observed.transfer.srcChainId, BTTC_ID);
    assert.equal(observed.transfer.dstChainId, ETH_ID);
    assert.equal(observed.transfer.amount, value - BTTC_FEE);
    assert.equal(observed.fee, BTTC_FEE);
    assert.equal(observed.sender, bttc.user.address);
    assert.equal(observed.legacyAmount, undefined);
    assert.equal(observed.srcTxHash, sent.hash);
    assert.equal(observed.blockHash, sent.blockHash);

    // The destination gateway agrees: delivering the observed transfer emits the same id.
    const domain = gatewayDomain(ETH_ID, eth.gatewayAddress);
    const signatures = orderBySigner(await Promise.all(validators.slice(0, 2).map((v) => signBatch(v, domain, [observed.transfer]))));
    const { srcRef, kind, recipient, amount } = observed.transfer;
    const delivered = await receiptOf(
      eth.gateway.connect(eth.user).getFunction("deliver")(
        BTTC_ID,
        observed.transfer.srcGateway,
        { srcRef, kind, recipient, amount },
        signatures,
      ) as Promise<TransactionResponse>,
    );
    const ids = delivered.logs
      .map((log) => eth.iface.parseLog(log))
      .filter((e) => e?.name === "TransfersDelivered")
      .flatMap((e) => [...(e!.args.getValue("transferIds") as string[])]);
    assert.deepEqual(ids, [observed.id]);

    // On Ethereum: a bridge back (burn, TransferSent) and a swap (SwapSent) in one block.
    const legacy = eth.legacyToken!;
    const legacyAmount = 5n * 10n ** 18n + 3n;
    await receiptOf(legacy.connect(eth.deployer).getFunction("mint")(eth.user.address, legacyAmount) as Promise<TransactionResponse>);
    await receiptOf(legacy.connect(eth.user).getFunction("approve")(eth.gatewayAddress, legacyAmount) as Promise<TransactionResponse>);
    await eth.provider.send("evm_setAutomine", [false]);
    let receipts: TransactionReceipt[];
    try {
      const nonce = await eth.provider.getTransactionCount(eth.user.address, "pending");
      const gw = eth.gateway.connect(eth.user);
      const back = (await gw.getFunction("bridge")(BTTC_ID, RECIPIENTS[0], parseEther("0.25"), {
        nonce,
        gasLimit: 300_000n,
      })) as TransactionResponse;
      const swap = (await gw.getFunction("redenominate")(RECIPIENTS[1], legacyAmount, {
        nonce: nonce + 1,
        gasLimit: 300_000n,
      })) as TransactionResponse;
      await eth.provider.send("evm_mine", []);
      receipts = [(await back.wait())!, (await swap.wait())!];
    } finally {
      await eth.provider.send("evm_setAutomine", [true]);
    }
    assert.equal(receipts[0]!.blockNumber, receipts[1]!.blockNumber);
    const expected = receipts.flatMap((r) => expectedFrom(eth, r));
    const seen = await sourceOf(eth).transfersIn(eth.deployBlock, await headOf(eth));
    assert.deepEqual(seen, expected);
    const [bridgeBack, swap] = seen;
    assert.ok(bridgeBack && swap);
    assert.equal(bridgeBack.transfer.kind, TransferKind.Bridge);
    assert.equal(bridgeBack.transfer.amount, parseEther("0.25") - ETH_FEE);
    assert.equal(bridgeBack.fee, ETH_FEE);
    assert.equal(swap.transfer.kind, TransferKind.Swap);
    assert.equal(swap.transfer.dstChainId, BTTC_ID);
    assert.equal(swap.transfer.recipient, RECIPIENTS[1]);
    assert.equal(swap.transfer.amount, legacyAmount * 1_000n);
    assert.equal(swap.legacyAmount, legacyAmount);
    assert.equal(swap.fee, 0n);
    assert.deepEqual([bridgeBack.sequence, swap.sequence], [1n, 2n]);
    assert.ok(bridgeBack.logIndex < swap.logIndex);
  });

  it("splits ranges by maxBlockRange without missing or doubling a transfer at a range edge", async () => {
    const counts = [2, 0, 1, 3, 0, 0, 1, 1, 0, 2, 1, 0, 4];
    const from = (await headOf(bttc)) + 1n;
    const receipts: TransactionReceipt[] = [];
    for (const [i, count] of counts.entries()) receipts.push(...(await bridgesInOneBlock(bttc, count, BigInt(i))));
    const to = await headOf(bttc);
    assert.equal(to - from + 1n, BigInt(counts.length));
    const expected = receipts
      .flatMap((r) => expectedFrom(bttc, r))
      .sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : Number(a.blockNumber - b.blockNumber)));
    assert.equal(
      expected.length,
      counts.reduce((a, b) => a + b, 0),
    );
    const sequences = expected.map((o) => o.sequence!);
    sequences.forEach((s, i) => assert.equal(s, sequences[0]! + BigInt(i), "consecutive sequences"));

    for (const maxBlockRange of [1, 2, 3, 5, 13, 2_000]) {
      const source = sourceOf(bttc, { maxBlockRange });
      assert.deepEqual(await source.transfersIn(from, to), expected, `maxBlockRange ${maxBlockRange}`);
      if (maxBlockRange !== 3 && maxBlockRange !== 5) continue;
      // Two adjacent ranges, cut anywhere: together exactly the whole.
      for (let cut = from; cut < to; cut++) {
        const joined = [...(await source.transfersIn(from, cut)), ...(await source.transfersIn(cut + 1n, to))];
        assert.deepEqual(joined, expected, `maxBlockRange ${maxBlockRange}, cut after ${cut}`);
      }
    }

    // The split really happens: through a counting proxy, 13 blocks by 3 take 5 log queries.
    const proxy = await startFlakyRpc(bttc.node.url);
    cleanups.push(() => proxy.close());
    const provider = createEvmProvider({ name: "bttc", chainId: BTTC_ID, rpcUrl: proxy.url });
    cleanups.push(() => provider.destroy());
    const counted = new EvmSource(sourceConfig(bttc, { maxBlockRange: 3 }), provider, { retry: QUICK_RETRY });
    assert.deepEqual(await counted.transfersIn(from, to), expected);
    assert.equal(proxy.stats.methods.get("eth_getLogs"), 5);
  });

  it("reports heads by the finality rule", async () => {
    const head = await headOf(bttc);
    assert.deepEqual(await sourceOf(bttc, { finality: { confirmations: 2 } }).heads(), { head, finalized: head - 2n });
    assert.deepEqual(await sourceOf(bttc, { finality: { confirmations: 0 } }).heads(), { head, finalized: head });
    // Deeper than the chain is long: only genesis is final.
    assert.deepEqual(await sourceOf(bttc, { finality: { confirmations: 10_000 } }).heads(), { head, finalized: 0n });
    // The node's `finalized` tag, on a chain that has one: Ethereum (BTTC's Berlin rules predate it).
    const nodeFinal = await eth.provider.getBlock("finalized");
    assert.ok(nodeFinal);
    const tagged = await sourceOf(eth, { finality: { tag: "finalized" } }).heads();
    assert.deepEqual(tagged, { head: await headOf(eth), finalized: BigInt(nodeFinal.number) });
  });

  it("sees a reorg: another block at the same height has another hash and the reverted transfer is gone", async () => {
    const source = sourceOf(bttc);
    const snapshot = (await bttc.provider.send("evm_snapshot", [])) as string;
    const before = await receiptOf(
      bttc.gateway.connect(bttc.user).getFunction("bridge")(ETH_ID, RECIPIENTS[0], {
        value: parseEther("2"),
      }) as Promise<TransactionResponse>,
    );
    const height = BigInt(before.blockNumber);
    const recorded = await source.blockHash(height);
    assert.equal(recorded, before.blockHash);
    const [seen] = await source.transfersIn(height, height);
    assert.equal(seen?.srcTxHash, before.hash);

    assert.equal(await bttc.provider.send("evm_revert", [snapshot]), true);
    assert.equal(await source.blockHash(height), null, "past the head after the revert");
    const after = await receiptOf(
      bttc.gateway.connect(bttc.user).getFunction("bridge")(ETH_ID, RECIPIENTS[1], {
        value: parseEther("3"),
      }) as Promise<TransactionResponse>,
    );
    assert.equal(BigInt(after.blockNumber), height);
    const now = await source.blockHash(height);
    assert.ok(now && now !== recorded);
    const observed = await source.transfersIn(height, height);
    assert.ok(!observed.some((o) => o.srcTxHash === before.hash), "the reverted transfer is gone");
    assert.deepEqual(observed, expectedFrom(bttc, after));
    // Same sequence, so same id, but other fields: why a node compares fields, not only ids.
    assert.equal(observed[0]?.id, seen?.id);
    assert.notDeepEqual(observed[0]?.transfer, seen?.transfer);
  });

  describe("through a flaky RPC endpoint", () => {
    let proxy: FlakyRpc;
    let provider: JsonRpcProvider;
    let events: RetryEvent[];
    let source: EvmSource;
    let range: { from: bigint; to: bigint };
    let reference: ObservedTransfer[];
    const retry: RetryOptions = { attempts: 8, baseDelayMs: 20, maxDelayMs: 1_500, onRetry: (e) => events.push(e) };

    before(async () => {
      proxy = await startFlakyRpc(bttc.node.url);
      cleanups.push(() => proxy.close());
      provider = createEvmProvider({ name: "bttc", chainId: BTTC_ID, rpcUrl: proxy.url }, { timeoutMs: 400 });
      cleanups.push(() => provider.destroy());
      source = new EvmSource(sourceConfig(bttc, { maxBlockRange: 5_000 }), provider, { retry });
      range = { from: bttc.deployBlock, to: await headOf(bttc) };
      reference = await sourceOf(bttc).transfersIn(range.from, range.to);
      assert.ok(reference.length > 10);
    });
    function reset() {
      events = [];
      proxy.set({ kind: "pass" });
      proxy.resetStats();
    }

    it("waits out 429s as Retry-After asks, then answers right", async () => {
      reset();
      proxy.set({ kind: "rateLimit", retryAfterSeconds: 1 }, { requests: 2 });
      const started = Date.now();
      assert.deepEqual(await source.transfersIn(range.from, range.to), reference);
      assert.ok(Date.now() - started >= 2_000, "waited the two seconds asked for");
      assert.equal(proxy.stats.rateLimited, 2);
      assert.deepEqual(
        events.map((e) => [e.reason, e.retryAfterMs]),
        [
          ["HTTP 429 Too Many Requests", 1_000],
          ["HTTP 429 Too Many Requests", 1_000],
        ],
      );
      assert.ok(events.every((e) => e.delayMs >= 1_000));
    });

    it("gives a 429 that asks for more than maxDelayMs back to the caller, retryable, with the hint", async () => {
      reset();
      proxy.set({ kind: "rateLimit", retryAfterSeconds: 30 }, { requests: 1 });
      const error = await rejectsWith(source.heads());
      assert.ok(error instanceof RpcError);
      assert.equal(error.retryable, true);
      assert.equal(error.retryAfterMs, 30_000);
      assert.equal(error.attempts, 1);
      assert.deepEqual(await source.heads(), await sourceOf(bttc).heads());
    });

    it("survives dropped connections", async () => {
      reset();
      proxy.set({ kind: "drop" }, { requests: 3 });
      assert.deepEqual(await source.transfersIn(range.from, range.to), reference);
      proxy.set({ kind: "drop" }, { requests: 2 });
      const heads = await source.heads();
      assert.deepEqual(heads, await sourceOf(bttc).heads());
      assert.equal(proxy.stats.dropped, 5);
      assert.equal(events.length, 5);
      assert.ok(
        events.every((e) => e.reason.startsWith("network")),
        JSON.stringify(events),
      );
    });

    it("retries requests that time out, and is only slower for delays under the timeout", async () => {
      reset();
      proxy.set({ kind: "delay", ms: 1_000 }, { requests: 2 });
      assert.deepEqual(await source.transfersIn(range.from, range.to), reference);
      assert.deepEqual(
        events.map((e) => e.reason),
        ["request timed out", "request timed out"],
      );
      reset();
      proxy.set({ kind: "delay", ms: 100 }, { requests: 3 });
      assert.deepEqual(await source.transfersIn(range.from, range.to), reference);
      assert.equal(await source.blockHash(range.to), (await bttc.provider.getBlock(range.to))?.hash);
      assert.equal(events.length, 0);
      assert.equal(proxy.stats.delayed, 2);
    });

    it("recovers when an outage ends while it backs off", async () => {
      reset();
      proxy.set({ kind: "drop" });
      const timer = setTimeout(() => proxy.set({ kind: "pass" }), 600);
      try {
        assert.deepEqual(await source.transfersIn(range.from, range.to), reference);
      } finally {
        clearTimeout(timer);
      }
      assert.ok(events.length >= 3, `${events.length} retries`);
    });

    it("gives up after its attempts with a retryable RpcError while the endpoint stays down", async () => {
      reset();
      proxy.set({ kind: "drop" });
      const short = new EvmSource(sourceConfig(bttc), provider, { retry: { ...QUICK_RETRY, attempts: 3 } });
      const error = await rejectsWith(short.transfersIn(range.from, range.to));
      proxy.set({ kind: "pass" });
      assert.ok(error instanceof RpcError, String(error));
      assert.equal(error.retryable, true);
      assert.equal(error.code, "RPC_UNAVAILABLE");
      assert.equal(error.attempts, 3);
      assert.equal(proxy.stats.dropped, 3);
    });

    it("fails at once, not retryable, on what cannot succeed", async () => {
      reset();
      const range = await rejectsWith(source.transfersIn(10n, 5n));
      assert.ok(range instanceof RelayerError && !(range instanceof RpcError));
      assert.equal(range.retryable, false);
      assert.equal(range.code, "INVALID_REQUEST");
      const negative = await rejectsWith(source.blockHash(-1n));
      assert.ok(negative instanceof RelayerError && negative.retryable === false);
      assert.equal(proxy.stats.requests, 0, "nothing sent");

      // Invalid params, as the node itself refuses them.
      const started = Date.now();
      const badParam = await rejectsWith(
        withRpcRetry(() => provider.send("eth_getLogs", [{ fromBlock: "0xzz" }]) as Promise<unknown>, {
          ...retry,
          chain: "bttc",
          operation: "eth_getLogs",
        }),
      );
      assert.ok(badParam instanceof RpcError, String(badParam));
      assert.equal(badParam.retryable, false);
      assert.equal(badParam.code, "RPC_FAILED");
      assert.equal(badParam.attempts, 1);
      assert.match(badParam.message, /-32602/);
      assert.equal(proxy.stats.methods.get("eth_getLogs"), 1);

      // A call that reverts.
      const call = bttc.iface.encodeFunctionData("deliver", [
        ETH_ID,
        zeroPadValue(eth.gatewayAddress, 32),
        [zeroPadValue("0x01", 32), 0, RECIPIENTS[0], 1n],
        [],
      ]);
      const reverted = await rejectsWith(
        withRpcRetry(() => provider.call({ to: bttc.gatewayAddress, data: call }), { ...retry, chain: "bttc", operation: "eth_call" }),
      );
      assert.ok(reverted instanceof RpcError, String(reverted));
      assert.equal(reverted.retryable, false);
      assert.equal(reverted.attempts, 1);
      assert.equal(proxy.stats.methods.get("eth_call"), 1);
      assert.equal(events.length, 0);
      assert.ok(Date.now() - started < 1_000, "failed fast");
    });
  });

  it("refuses an endpoint of another chain, naming the chain and the URL", async () => {
    const error = await rejectsWith(
      connectEvmProvider({ name: "ethereum", chainId: ETH_ID, rpcUrl: bttc.node.url }, { retry: QUICK_RETRY }),
    );
    assert.ok(error instanceof ChainMismatchError, String(error));
    assert.equal(error.code, "CHAIN_ID_MISMATCH");
    assert.equal(error.retryable, false);
    assert.match(error.message, /^ethereum: /);
    assert.ok(error.message.includes(bttc.node.url), error.message);
    assert.match(error.message, /chain id 1337199.*chain id 1337001/);

    const provider = await connectEvmProvider({ name: "ethereum", chainId: ETH_ID, rpcUrl: eth.node.url }, { retry: QUICK_RETRY });
    try {
      assert.equal(BigInt(await provider.getBlockNumber()), await headOf(eth));
      assert.equal((await provider.getNetwork()).chainId, ETH_ID);
    } finally {
      provider.destroy();
    }

    // Nobody listening: a retryable error after the attempts, not a hang.
    const closed = `http://127.0.0.1:${await freePort()}`;
    const down = await rejectsWith(connectEvmProvider({ name: "bsc", chainId: CHAIN_IDS.bsc, rpcUrl: closed }, { retry: QUICK_RETRY }));
    assert.ok(down instanceof RpcError, String(down));
    assert.equal(down.retryable, true);
    assert.equal(down.attempts, QUICK_RETRY.attempts);
  });

  it("classifies the errors nodes and providers send", () => {
    const rpc = (code: number, message: string) => makeError("could not coalesce error", "UNKNOWN_ERROR", { error: { code, message } });
    const cases: [unknown, boolean][] = [
      [rpc(-32000, "header not found"), true],
      [rpc(-32005, "limit exceeded"), true],
      [rpc(-32000, "rate limit reached, try again in a moment"), true],
      [rpc(-32603, "internal error"), true],
      [rpc(-32602, "invalid params"), false],
      [rpc(-32601, "the method eth_foo does not exist"), false],
      [rpc(3, "execution reverted"), false],
      [rpc(-32000, "nonce too low"), false],
      [makeError("request timeout", "TIMEOUT"), true],
      [Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), true],
      [Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), true],
      [makeError("invalid argument", "INVALID_ARGUMENT", { argument: "x", value: 1 }), false],
      [new Error("something odd"), false],
    ];
    for (const [error, retryable] of cases) {
      assert.equal(classifyRpcError(error).retryable, retryable, String((error as Error).message ?? error));
    }
  });
});
