// The payer against a real `hardhat node`: concurrent sends take distinct consecutive nonces and all mine;
// a send the node refuses leaves no gap; a key used elsewhere is caught up with; a transaction stuck on a
// low fee is replaced under its nonce with ≥ 12.5% higher fees and the replacement mines; the key never
// shows in what the payer prints. Two payers with one key sharing a ledger in real Redis (as two processes
// of a node do) never share or skip a nonce, and one replaces a transaction the other sent.
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { JsonRpcProvider, Wallet, parseEther, parseUnits, toQuantity } from "ethers";
import { createEvmProvider } from "../../../../common/rpc/evm-provider.ts";
import { RelayerError } from "../../../../relayer/errors.ts";
import { replacementFees } from "../../../../relayer/chains/evm/payer/fees.ts";
import { Payer } from "../../../../relayer/chains/evm/payer/payer.ts";
import { PayerError } from "../../../../relayer/chains/evm/payer/send-errors.ts";
import type { FeeSettings } from "../../../../relayer/chains/evm/payer/types.ts";
import { startFlakyRpc } from "../../../../testkit/flaky-rpc.ts";
import { startHardhatNode, type HardhatNode } from "../../../../testkit/hardhat-node.ts";
import { connectTestRedis, type TestRedis } from "../../../../testkit/redis.ts";
import { CHAIN_IDS, DEV_KEYS } from "../../../../testkit/constants.ts";

// Hardhat's development accounts #2 and #3 (public test keys, as `hardhat node` prints them).
const KEY_A = DEV_KEYS[2];
const KEY_B = DEV_KEYS[3];
// Hardhat's development account #4: the key two "processes" share.
const KEY_SHARED = DEV_KEYS[4];
const CHAIN_ID = CHAIN_IDS.ethereum;
const SINK = "0x000000000000000000000000000000000000bEEF";

describe("Payer", () => {
  let node: HardhatNode;
  let provider: JsonRpcProvider;
  let payer: Payer;

  before(async () => {
    node = await startHardhatNode({ chainId: CHAIN_ID });
    provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
    payer = new Payer({ chain: "ethereum", chainId: CHAIN_ID, provider, key: KEY_A, maxFeePerGas: parseUnits("500", "gwei") });
  });
  after(async () => {
    provider?.destroy();
    await node?.stop();
  });

  it("gives 50 concurrent sends 50 distinct consecutive nonces, and all of them mine", async () => {
    const start = await provider.getTransactionCount(payer.address, "pending");
    const sinkBefore = await provider.getBalance(SINK);
    const sent = await Promise.all(Array.from({ length: 50 }, () => payer.send({ to: SINK, value: 1n, gasLimit: 21_000n })));

    assert.deepEqual(
      sent.map((tx) => tx.nonce).sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => start + i),
    );
    assert.equal(new Set(sent.map((tx) => tx.hashes[0])).size, 50);
    const mined = await Promise.all(sent.map((tx) => payer.waitOrReplace(tx, { pollMs: 50, timeoutMs: 10_000 })));
    assert.ok(mined.every((m) => m.receipt.status === 1 && m.replacements === 0));
    assert.equal(await provider.getTransactionCount(payer.address, "latest"), start + 50);
    assert.equal(await provider.getBalance(SINK), sinkBefore + 50n);
    assert.equal(payer.nextNonce, start + 50);
  });

  it("leaves no nonce gap when the node refuses a send (insufficient funds)", async () => {
    const start = await provider.getTransactionCount(payer.address, "latest");
    const huge = parseEther("1000000000");
    const results = await Promise.allSettled([
      payer.send({ to: SINK, value: 1n, gasLimit: 21_000n }),
      payer.send({ to: SINK, value: huge, gasLimit: 21_000n }),
      payer.send({ to: SINK, value: 1n, gasLimit: 21_000n }),
      payer.send({ to: SINK, value: huge, gasLimit: 21_000n }),
      payer.send({ to: SINK, value: 1n, gasLimit: 21_000n }),
    ]);

    for (const result of [results[1], results[3]]) {
      assert.ok(result?.status === "rejected");
      const error: unknown = result.reason;
      assert.ok(error instanceof PayerError);
      assert.equal(error.code, "PAYER_INSUFFICIENT_FUNDS");
      assert.equal(error.retryable, true);
    }
    const ok = [results[0], results[2], results[4]].map((result) => {
      assert.ok(result?.status === "fulfilled");
      return result.value;
    });
    assert.deepEqual(
      ok.map((tx) => tx.nonce).sort((a, b) => a - b),
      [start, start + 1, start + 2],
    );
    for (const tx of ok) assert.equal((await payer.waitOrReplace(tx, { pollMs: 50, timeoutMs: 10_000 })).receipt.status, 1);
    assert.equal(await provider.getTransactionCount(payer.address, "latest"), start + 3);

    const next = await payer.send({ to: SINK, value: 1n, gasLimit: 21_000n });
    assert.equal(next.nonce, start + 3);
  });

  it("catches up when its key sent a transaction behind its back (nonce too low)", async () => {
    const expected = payer.nextNonce!;
    const other = new Wallet(KEY_A, provider);
    await (await other.sendTransaction({ to: SINK, value: 1n, nonce: expected })).wait();

    const tx = await payer.send({ to: SINK, value: 1n, gasLimit: 21_000n });
    assert.equal(tx.nonce, expected + 1);
    assert.equal((await payer.waitOrReplace(tx, { pollMs: 50, timeoutMs: 10_000 })).receipt.status, 1);
    assert.equal(await provider.getTransactionCount(payer.address, "latest"), expected + 2);
  });

  it("replaces a transaction stuck on a low fee with ≥ 12.5% higher fees, and the replacement mines", async () => {
    const stuckPayer = new Payer({ chain: "ethereum", chainId: CHAIN_ID, provider, key: KEY_B, maxFeePerGas: parseUnits("1000", "gwei") });
    const start = await provider.getTransactionCount(stuckPayer.address, "latest");
    await provider.send("evm_setAutomine", [false]);
    let mining = true;
    const miner = (async () => {
      while (mining) {
        await provider.send("evm_mine", []);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    try {
      // Fees come from the latest block's base fee (low); the next block's base fee jumps far above them.
      await provider.send("hardhat_setNextBlockBaseFeePerGas", [toQuantity(parseUnits("200", "gwei"))]);
      const tx = await stuckPayer.send({ to: SINK, value: 7n, gasLimit: 21_000n });
      const first = tx.fees;
      assert.equal(first.type, 2);
      assert.ok(first.type === 2 && first.maxFeePerGas < parseUnits("200", "gwei"), "the first fees are too low for the next block");
      const originalHash = tx.hashes[0]!;

      const mined = await stuckPayer.waitOrReplace(tx, { replaceAfterMs: 400, pollMs: 50, timeoutMs: 15_000 });

      assert.ok(mined.replacements >= 1);
      assert.notEqual(mined.hash, originalHash);
      assert.equal(mined.receipt.status, 1);
      assert.equal(mined.nonce, start);
      assert.equal(await provider.getTransactionReceipt(originalHash), null);
      const replacement = await provider.getTransaction(mined.hash);
      assert.ok(replacement?.maxFeePerGas && replacement.maxPriorityFeePerGas);
      assert.equal(replacement.nonce, start);
      assert.ok(replacement.maxFeePerGas * 1000n >= first.maxFeePerGas * 1125n);
      assert.ok(replacement.maxPriorityFeePerGas * 1000n >= first.maxPriorityFeePerGas * 1125n);
      assert.equal(await provider.getTransactionCount(stuckPayer.address, "latest"), start + 1);
    } finally {
      mining = false;
      await miner;
      await provider.send("evm_setAutomine", [true]);
    }
  });

  it("sends again the same bytes when the node's answer is lost, and spends no nonce on a send that never arrived", async () => {
    const proxy = await startFlakyRpc(node.url);
    const flakyProvider = createEvmProvider({ name: "ethereum", chainId: CHAIN_ID, rpcUrl: proxy.url });
    try {
      const flaky = new Payer({
        chain: "ethereum",
        chainId: CHAIN_ID,
        provider: flakyProvider,
        key: KEY_B,
        maxFeePerGas: parseUnits("1000", "gwei"),
        feeCacheMs: 60_000, // so that the next request after a warm-up send is the broadcast itself
        retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 },
      });
      const warm = await flaky.send({ to: SINK, value: 1n, gasLimit: 21_000n });
      await flaky.waitOrReplace(warm, { pollMs: 50, timeoutMs: 10_000 });
      const start = warm.nonce + 1;

      // Two broadcasts lost on the way: the third try of the same signed bytes goes through.
      proxy.set({ kind: "drop" }, { requests: 2 });
      const retried = await flaky.send({ to: SINK, value: 2n, gasLimit: 21_000n });
      assert.equal(retried.nonce, start);
      assert.equal(proxy.stats.dropped, 2);
      assert.equal((await flaky.waitOrReplace(retried, { pollMs: 50, timeoutMs: 10_000 })).receipt.status, 1);

      // Every try lost, and the node does not know the transaction: not sent, the nonce is not spent.
      proxy.set({ kind: "drop" });
      await assert.rejects(flaky.send({ to: SINK, value: 3n, gasLimit: 21_000n }), (error: unknown) => {
        assert.ok(error instanceof PayerError);
        assert.equal(error.code, "PAYER_SEND_UNCERTAIN");
        assert.equal(error.retryable, true);
        return true;
      });
      proxy.set({ kind: "pass" });
      const after = await flaky.send({ to: SINK, value: 4n, gasLimit: 21_000n });
      assert.equal(after.nonce, start + 1);
      assert.equal((await flaky.waitOrReplace(after, { pollMs: 50, timeoutMs: 10_000 })).receipt.status, 1);
      assert.equal(await provider.getTransactionCount(flaky.address, "latest"), start + 2);
    } finally {
      flakyProvider.destroy();
      await proxy.close();
    }
  });

  it("reports its balance", async () => {
    assert.equal(await payer.balance(), await provider.getBalance(payer.address));
    assert.ok((await payer.balance()) > 0n);
  });

  it("never shows its key", () => {
    const secret = KEY_A.slice(2);
    for (const shown of [String(payer), inspect(payer, { depth: 10, showHidden: true }), JSON.stringify({ payer })]) {
      assert.ok(!shown.toLowerCase().includes(secret), shown);
      assert.ok(shown.includes(payer.address));
    }
    const badKey = KEY_A.slice(0, -1); // one digit short
    assert.throws(
      () => new Payer({ chain: "ethereum", chainId: CHAIN_ID, provider, key: badKey, maxFeePerGas: 1n }),
      (error: unknown) => {
        assert.ok(error instanceof RelayerError);
        assert.equal(error.code, "KEY_INVALID");
        assert.ok(!inspect(error).includes(badKey.slice(2)));
        return true;
      },
    );
  });
});

describe("replacementFees", () => {
  const gwei = (n: number) => parseUnits(String(n), "gwei");
  const last: FeeSettings = { type: 2, maxFeePerGas: gwei(10), maxPriorityFeePerGas: gwei(1) };

  it("raises both fees by at least 12.5%, or to what the node asks now if that is more", () => {
    const quiet = replacementFees(last, { type: 2, maxFeePerGas: gwei(5), maxPriorityFeePerGas: gwei(1) }, gwei(100), gwei(100));
    assert.deepEqual(quiet, { type: 2, maxFeePerGas: 11_250_000_000n, maxPriorityFeePerGas: 1_125_000_000n });
    const busy = replacementFees(last, { type: 2, maxFeePerGas: gwei(40), maxPriorityFeePerGas: gwei(3) }, gwei(100), gwei(100));
    assert.deepEqual(busy, { type: 2, maxFeePerGas: gwei(40), maxPriorityFeePerGas: gwei(3) });
    const tiny = replacementFees(
      { type: 2, maxFeePerGas: 2n, maxPriorityFeePerGas: 1n },
      { type: 2, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n },
      gwei(1),
      gwei(1),
    );
    assert.deepEqual(tiny, { type: 2, maxFeePerGas: 3n, maxPriorityFeePerGas: 2n });
    assert.deepEqual(replacementFees({ type: 0, gasPrice: gwei(8) }, { type: 0, gasPrice: gwei(1) }, gwei(100), gwei(100)), {
      type: 0,
      gasPrice: gwei(9),
    });
  });

  it("stays within the caps, and gives up when they leave less than the 12.5% a node requires", () => {
    const capped = replacementFees(last, { type: 2, maxFeePerGas: gwei(40), maxPriorityFeePerGas: gwei(3) }, gwei(20), gwei(2));
    assert.deepEqual(capped, { type: 2, maxFeePerGas: gwei(20), maxPriorityFeePerGas: gwei(2) });
    assert.equal(replacementFees(last, last, gwei(11), gwei(100)), null);
    assert.equal(replacementFees(last, last, gwei(100), gwei(1)), null);
  });
});

describe("Payer shared by two processes (one key, one chain, one Redis)", () => {
  let node: HardhatNode;
  let providers: JsonRpcProvider[];
  let redis: TestRedis;
  let payers: [Payer, Payer];
  let connections: TestRedis[] = [];
  /** The payers' warnings: a nonce resync would mean one of them guessed a nonce the other had used. */
  const warnings: string[] = [];

  before(async () => {
    node = await startHardhatNode({ chainId: CHAIN_ID });
    redis = await connectTestRedis("payer-shared");
    // Each "process" with its own provider and its own Redis connection, as separate processes have.
    providers = [0, 1].map(() => new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 }));
    connections = await Promise.all([0, 1].map(() => connectTestRedis("payer-shared-conn")));
    payers = [0, 1].map(
      (i) =>
        new Payer({
          chain: "ethereum",
          chainId: CHAIN_ID,
          provider: providers[i]!,
          key: KEY_SHARED,
          maxFeePerGas: parseUnits("1000", "gwei"),
          shared: { redis: connections[i]!.redis, prefix: redis.prefix },
          log: pino({ level: "info" }, { write: (line: string) => void warnings.push(...(JSON.parse(line).level >= 40 ? [line] : [])) }),
        }),
    ) as [Payer, Payer];
  });
  after(async () => {
    for (const provider of providers ?? []) provider.destroy();
    for (const connection of connections) connection.redis.disconnect();
    await redis?.cleanup();
    await node?.stop();
  });

  it("gives 60 sends, 30 from each at once, 60 distinct consecutive nonces, and all of them mine", async () => {
    const [a, b] = payers;
    const start = await providers[0]!.getTransactionCount(a.address, "pending");
    const sinkBefore = await providers[0]!.getBalance(SINK);
    const sends = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? a : b).send({ to: SINK, value: 1n, gasLimit: 21_000n }));
    const sent = await Promise.all(sends);

    assert.deepEqual(
      sent.map((tx) => tx.nonce).sort((x, y) => x - y),
      Array.from({ length: 60 }, (_, i) => start + i),
    );
    const mined = await Promise.all(sent.map((tx, i) => (i % 2 === 0 ? a : b).waitOrReplace(tx, { pollMs: 50, timeoutMs: 15_000 })));
    assert.ok(mined.every((m) => m.receipt.status === 1 && m.replacements === 0));
    assert.equal(await providers[0]!.getTransactionCount(a.address, "latest"), start + 60);
    assert.equal(await providers[0]!.getBalance(SINK), sinkBefore + 60n);
    assert.deepEqual(warnings, [], "no nonce resynced: neither ever took a nonce the other had");
    // Each picks up where the other left off.
    const next = await b.send({ to: SINK, value: 1n, gasLimit: 21_000n });
    assert.equal(next.nonce, start + 60);
    await b.waitOrReplace(next, { pollMs: 50, timeoutMs: 10_000 });
    assert.equal((await a.send({ to: SINK, value: 1n, gasLimit: 21_000n })).nonce, start + 61);
  });

  it("replaces, in one process, a transaction stuck on a low fee that the other sent; the sender then finds the replacement mined", async () => {
    const [a, b] = payers;
    const provider = providers[0]!;
    await until(
      async () => (await provider.getTransactionCount(a.address, "latest")) === (await provider.getTransactionCount(a.address, "pending")),
    );
    const start = await provider.getTransactionCount(a.address, "latest");
    await provider.send("evm_setAutomine", [false]);
    let mining = true;
    const miner = (async () => {
      while (mining) {
        await provider.send("evm_mine", []);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    try {
      await provider.send("hardhat_setNextBlockBaseFeePerGas", [toQuantity(parseUnits("200", "gwei"))]);
      const sent = await a.send({ to: SINK, value: 9n, gasLimit: 21_000n });
      assert.equal(sent.nonce, start);
      const originalHash = sent.hashes[0]!;

      assert.equal(await payers[1].recall("0x" + "ab".repeat(32)), null, "an unknown hash");
      const recalled = await b.recall(originalHash);
      assert.ok(recalled, "the other process finds the transaction by its hash");
      assert.equal(recalled.nonce, start);
      const mined = await b.waitOrReplace(recalled, { replaceAfterMs: 400, pollMs: 50, timeoutMs: 15_000 });
      assert.ok(mined.replacements >= 1);
      assert.notEqual(mined.hash, originalHash);
      assert.equal(mined.receipt.status, 1);
      assert.equal(await provider.getTransactionReceipt(originalHash), null);

      // The sender's own copy knows nothing of the replacement: it reads the ledger, not "nonce taken".
      const seen = await a.checkOrReplace(sent, { replaceAfterMs: 60_000 });
      assert.equal(seen?.hash, mined.hash);
      assert.equal(await provider.getTransactionCount(a.address, "latest"), start + 1);
    } finally {
      mining = false;
      await miner;
      await provider.send("evm_setAutomine", [true]);
    }
  });
});

async function until(probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
