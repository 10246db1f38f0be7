// The payer under each chain's rules (docs/operations.md, "Fees"): on a Berlin `hardhat node` (BTTC's
// rules: no base fee, type-2 transactions refused) it sends legacy transactions that mine, and replaces a
// stuck one with a legacy one of a higher gasPrice under the same nonce; on a Prague node the same flow
// stays EIP-1559; a configured fee type is obeyed (legacy on Prague), or refused when the chain cannot
// take it (EIP-1559 on Berlin).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { JsonRpcProvider, parseUnits } from "ethers";
import { Payer } from "../../../../relayer/chains/evm/payer/payer.ts";
import { PayerError } from "../../../../relayer/chains/evm/payer/send-errors.ts";
import type { FeeType } from "../../../../common/chains/config.ts";
import { startHardhatNode, type HardhatNode } from "../../../../testkit/hardhat-node.ts";
import { CHAIN_IDS, DEV_KEYS } from "../../../../testkit/constants.ts";

const SINK = "0x000000000000000000000000000000000000bEEF";
const CAP = parseUnits("1000", "gwei");

/** Sends one transaction with mining stopped until the payer has replaced it at least once, then mines. */
async function stuckThenMined(provider: JsonRpcProvider, payer: Payer) {
  const start = await provider.getTransactionCount(payer.address, "latest");
  await provider.send("evm_setAutomine", [false]);
  try {
    const tx = await payer.send({ to: SINK, value: 7n, gasLimit: 21_000n });
    const first = { ...tx.fees };
    const waiting = payer.waitOrReplace(tx, { replaceAfterMs: 200, pollMs: 50, timeoutMs: 15_000 });
    while (tx.replacements === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    await provider.send("evm_mine", []);
    const mined = await waiting;
    return { start, first, originalHash: tx.hashes[0]!, mined };
  } finally {
    await provider.send("evm_setAutomine", [true]);
  }
}

function payerOn(provider: JsonRpcProvider, chainId: bigint, key: string, feeType?: FeeType): Payer {
  return new Payer({ chain: "test", chainId, provider, key, maxFeePerGas: CAP, ...(feeType ? { feeType } : {}) });
}

describe("Payer on a Berlin chain (BTTC's rules)", () => {
  let node: HardhatNode;
  let provider: JsonRpcProvider;

  before(async () => {
    node = await startHardhatNode({ chainId: CHAIN_IDS.bttc });
    provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
  });
  after(async () => {
    provider?.destroy();
    await node?.stop();
  });

  it("runs a chain whose blocks carry no base fee", async () => {
    assert.equal((await provider.getBlock("latest"))?.baseFeePerGas, null);
  });

  it("sends a legacy transaction (type 0, gasPrice) that mines", async () => {
    const payer = payerOn(provider, CHAIN_IDS.bttc, DEV_KEYS[5]);
    const before = await provider.getBalance(SINK);
    const tx = await payer.send({ to: SINK, value: 3n });
    assert.equal(tx.fees.type, 0);
    const mined = await payer.waitOrReplace(tx, { pollMs: 50, timeoutMs: 10_000 });
    assert.equal(mined.receipt.status, 1);
    const sent = await provider.getTransaction(mined.hash);
    assert.equal(sent?.type, 0);
    assert.ok(sent.gasPrice > 0n);
    assert.equal(sent.maxFeePerGas, null);
    assert.equal(await provider.getBalance(SINK), before + 3n);
  });

  it("replaces a stuck legacy transaction by a legacy one with a gasPrice ≥ 12.5% higher, under the same nonce", async () => {
    const payer = payerOn(provider, CHAIN_IDS.bttc, DEV_KEYS[6]);
    const { start, first, originalHash, mined } = await stuckThenMined(provider, payer);

    assert.equal(first.type, 0);
    assert.ok(mined.replacements >= 1);
    assert.notEqual(mined.hash, originalHash);
    assert.equal(mined.receipt.status, 1);
    assert.equal(mined.nonce, start);
    assert.equal(await provider.getTransactionReceipt(originalHash), null);
    const replacement = await provider.getTransaction(mined.hash);
    assert.equal(replacement?.type, 0);
    assert.equal(replacement.nonce, start);
    assert.ok(first.type === 0 && replacement.gasPrice * 1000n >= first.gasPrice * 1125n);
    assert.equal(await provider.getTransactionCount(payer.address, "latest"), start + 1);
  });

  it("refuses, retryably, to send EIP-1559 fees configured for a chain without a base fee", async () => {
    const payer = payerOn(provider, CHAIN_IDS.bttc, DEV_KEYS[7], "eip1559");
    await assert.rejects(payer.send({ to: SINK, value: 1n, gasLimit: 21_000n }), (error: unknown) => {
      assert.ok(error instanceof PayerError);
      assert.equal(error.code, "PAYER_NO_FEE_DATA");
      assert.equal(error.retryable, true); // the transfers wait for the operator, not given up
      return true;
    });
  });
});

describe("Payer on a Prague chain (Ethereum's rules)", () => {
  let node: HardhatNode;
  let provider: JsonRpcProvider;

  before(async () => {
    node = await startHardhatNode({ chainId: CHAIN_IDS.ethereum });
    provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
  });
  after(async () => {
    provider?.destroy();
    await node?.stop();
  });

  it("sends EIP-1559 transactions, and replaces a stuck one with another EIP-1559 one under the same nonce", async () => {
    const payer = payerOn(provider, CHAIN_IDS.ethereum, DEV_KEYS[5]);
    const { start, first, mined } = await stuckThenMined(provider, payer);

    assert.equal(first.type, 2);
    assert.ok(mined.replacements >= 1);
    assert.equal(mined.receipt.status, 1);
    const replacement = await provider.getTransaction(mined.hash);
    assert.equal(replacement?.type, 2);
    assert.equal(replacement.nonce, start);
    assert.ok(first.type === 2 && replacement.maxFeePerGas! * 1000n >= first.maxFeePerGas * 1125n);
  });

  it("sends legacy transactions where the configuration says so", async () => {
    const payer = payerOn(provider, CHAIN_IDS.ethereum, DEV_KEYS[6], "legacy");
    const tx = await payer.send({ to: SINK, value: 1n, gasLimit: 21_000n });
    assert.equal(tx.fees.type, 0);
    const mined = await payer.waitOrReplace(tx, { pollMs: 50, timeoutMs: 10_000 });
    assert.equal((await provider.getTransaction(mined.hash))?.type, 0);
  });
});
