// The EVM destination adapter against a real `hardhat node` with a RemoteGateway deployed through
// deploy/bridge.ts, delivering transfers built by hand from a fictional source gateway on BTTC and signed
// by the validator set: a single with `deliver`, a batch with `deliverBatch` (bridged BTT minted, records
// written), receipts only once final and naming exactly what was delivered and skipped, deliveries that
// would revert refused before anything is sent (with the gateway's error and whether waiting helps), a
// reverted transaction reported as failed, and a stuck delivery replaced and still followed to the end.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Contract, JsonRpcProvider, NonceManager, Wallet, parseEther, parseUnits, toQuantity } from "ethers";
import {
  TransferKind,
  addressToBytes32,
  gatewayDomain,
  orderBySigner,
  sequenceToRef,
  signBatch,
  toDeliveryArgs,
  transferId,
  type CompactSignature,
  type Transfer,
} from "../../../../common/transfer.ts";
import { contractInterface } from "../../../../common/contracts/artifacts.ts";
import { deployChain } from "../../../../deploy/bridge.ts";
import type { DeliveryReceipt } from "../../../../relayer/chains/adapter.ts";
import { DeliveryRevertError, EvmDestination } from "../../../../relayer/chains/evm/destination.ts";
import type { EvmChainConfig } from "../../../../relayer/config.ts";
import { Payer } from "../../../../relayer/chains/evm/payer/payer.ts";
import { startHardhatNode, type HardhatNode } from "../../../../testkit/hardhat-node.ts";
import { validatorWallets } from "../../../../testkit/world.ts";
import { CHAIN_IDS, DEV_KEYS } from "../../../../testkit/constants.ts";

// Hardhat's development accounts #0 and #1 (public test keys, as `hardhat node` prints them).
const DEPLOYER_KEY = DEV_KEYS[0];
const PAYER_KEY = DEV_KEYS[1];
const BTTC_ID = CHAIN_IDS.bttc;
const ETH_ID = CHAIN_IDS.ethereum;
const DAILY_LIMIT = parseEther("1000");
// A BTTC gateway that exists only in these transfers: the destination checks signatures, not sources.
const SOURCE = { srcChainId: BTTC_ID, srcGateway: addressToBytes32("0x00000000000000000000000000000000000B77c0") };

describe("EvmDestination", () => {
  let node: HardhatNode;
  let provider: JsonRpcProvider;
  let gateway: Contract;
  let payer: Payer;
  let destination: EvmDestination;
  let config: EvmChainConfig;
  const validators = validatorWallets(3);
  let nextRef = 1n;

  before(async () => {
    node = await startHardhatNode({ chainId: ETH_ID });
    provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
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
    gateway = deployed.gateway.connect(provider) as Contract;
    config = {
      name: "ethereum",
      family: "evm",
      chainId: ETH_ID,
      rpcUrl: node.url,
      gateway: await gateway.getAddress(),
      finality: { confirmations: 2 },
      startBlock: 0n,
      maxBlockRange: 2_000,
      pollIntervalMs: 1_000,
      maxFeePerGas: 500_000_000_000n,
      fees: { type: "auto" },
    };
    payer = new Payer({
      chain: "ethereum",
      chainId: ETH_ID,
      provider,
      key: PAYER_KEY,
      maxFeePerGas: parseUnits("1000", "gwei"),
      replaceAfterMs: 500,
    });
    destination = new EvmDestination(config, provider, payer);
  });
  after(async () => {
    provider?.destroy();
    await node?.stop();
  });

  function transfer(amount: bigint, recipient = Wallet.createRandom().address): Transfer {
    return { ...SOURCE, srcRef: sequenceToRef(nextRef++), kind: TransferKind.Bridge, dstChainId: ETH_ID, recipient, amount };
  }

  async function attest(transfers: readonly Transfer[]): Promise<CompactSignature[]> {
    const domain = gatewayDomain(ETH_ID, config.gateway);
    return orderBySigner(await Promise.all(validators.slice(0, 2).map((v) => signBatch(v, domain, transfers))));
  }

  async function submit(transfers: readonly Transfer[], to = destination) {
    return to.submit(SOURCE, toDeliveryArgs(transfers).items, await attest(transfers));
  }

  async function mine(blocks = 1): Promise<void> {
    for (let i = 0; i < blocks; i++) await provider.send("evm_mine", []);
  }

  const balanceOf = async (account: string) => (await gateway.getFunction("balanceOf")(account)) as bigint;
  const selector = (name: string) => contractInterface("RemoteGateway").getFunction(name)!.selector;

  it("delivers one transfer with deliver; its receipt is final 2 blocks later and lists it", async () => {
    const t = transfer(parseEther("5"));
    assert.equal(await destination.isDelivered(t), false);
    const nonce = await provider.getTransactionCount(payer.address, "pending");

    const sent = await submit([t]);
    assert.equal(sent.nonce, nonce);
    const tx = await provider.getTransaction(sent.txHash);
    assert.equal(tx?.data.slice(0, 10), selector("deliver"));
    const mined = await provider.getTransactionReceipt(sent.txHash);
    assert.ok(mined && tx && tx.gasLimit > mined.gasUsed, "an explicit gas limit above what it used");

    assert.equal(await destination.finalReceipt(sent.txHash), null); // mined at the head
    await mine();
    assert.equal(await destination.finalReceipt(sent.txHash), null); // 1 block deep
    await mine();
    const receipt = await destination.finalReceipt(sent.txHash);
    assert.deepEqual(receipt, {
      txHash: sent.txHash,
      blockNumber: BigInt(mined.blockNumber),
      succeeded: true,
      delivered: [transferId(t)],
      skipped: [],
    } satisfies DeliveryReceipt);
    assert.equal(await balanceOf(t.recipient), t.amount);
    assert.equal(await destination.isDelivered(t), true);
  });

  it("delivers a batch with deliverBatch, and lists every id in order", async () => {
    const batch = [transfer(parseEther("1")), transfer(parseEther("2")), transfer(parseEther("3"))];
    const sent = await submit(batch);
    assert.equal((await provider.getTransaction(sent.txHash))?.data.slice(0, 10), selector("deliverBatch"));
    await mine(2);
    const receipt = await destination.finalReceipt(sent.txHash);
    assert.ok(receipt?.succeeded);
    assert.deepEqual(receipt.delivered, batch.map(transferId));
    assert.deepEqual(receipt.skipped, []);
    for (const t of batch) {
      assert.equal(await balanceOf(t.recipient), t.amount);
      assert.equal(await destination.isDelivered(t), true);
    }
  });

  it("reports a transfer already delivered in a batch as skipped (reason 0), and over-cap ones as skipped (reason 1)", async () => {
    const done = transfer(parseEther("4"));
    await submit([done]);
    const fresh = transfer(parseEther("6"));
    const overCap = transfer(DAILY_LIMIT + 1n);
    const sent = await submit([done, fresh, overCap]);
    await mine(2);

    const receipt = await destination.finalReceipt(sent.txHash);
    assert.ok(receipt?.succeeded);
    assert.deepEqual(receipt.delivered, [transferId(fresh)]);
    assert.deepEqual(receipt.skipped, [
      { id: transferId(done), reason: 0 },
      { id: transferId(overCap), reason: 1 },
    ]);
    assert.equal(await balanceOf(done.recipient), done.amount); // not paid twice
    assert.equal(await balanceOf(fresh.recipient), fresh.amount);
    assert.equal(await balanceOf(overCap.recipient), 0n);
    assert.equal(await destination.isDelivered(overCap), false); // goes through later
  });

  it("refuses, before sending anything, a single transfer already delivered (AlreadyDelivered, not retryable)", async () => {
    const t = transfer(parseEther("1"));
    await submit([t]);
    const nonce = await provider.getTransactionCount(payer.address, "pending");
    const nextNonce = payer.nextNonce;
    const block = await provider.getBlockNumber();

    await assert.rejects(submit([t]), (error: unknown) => {
      assert.ok(error instanceof DeliveryRevertError);
      assert.equal(error.code, "DELIVERY_WOULD_REVERT");
      assert.equal(error.errorName, "AlreadyDelivered");
      assert.deepEqual(error.args, [transferId(t)]);
      assert.equal(error.retryable, false);
      assert.match(error.message, /AlreadyDelivered\(0x[0-9a-f]{64}\)/);
      return true;
    });
    assert.equal(await provider.getTransactionCount(payer.address, "pending"), nonce);
    assert.equal(payer.nextNonce, nextNonce);
    assert.equal(await provider.getBlockNumber(), block, "no transaction was sent");
  });

  it("refuses a single transfer over the daily limit as one to try again later (DailyLimitExceeded, retryable)", async () => {
    const t = transfer(DAILY_LIMIT + 1n);
    const nonce = await provider.getTransactionCount(payer.address, "pending");
    await assert.rejects(submit([t]), (error: unknown) => {
      assert.ok(error instanceof DeliveryRevertError);
      assert.equal(error.errorName, "DailyLimitExceeded");
      assert.equal(error.args[0], t.amount);
      assert.ok(typeof error.args[1] === "bigint" && error.args[1] < DAILY_LIMIT);
      assert.equal(error.retryable, true);
      return true;
    });
    assert.equal(await provider.getTransactionCount(payer.address, "pending"), nonce);
  });

  it("reports a delivery transaction that reverted as not succeeded", async () => {
    const t = transfer(parseEther("1"));
    await submit([t]);
    // Sent past the adapter's check, as another process racing this one might have sent it.
    const data = contractInterface("RemoteGateway").encodeFunctionData("deliver", [
      SOURCE.srcChainId,
      SOURCE.srcGateway,
      toDeliveryArgs([t]).items[0],
      await attest([t]),
    ]);
    const tx = await payer.send({ to: config.gateway, data, gasLimit: 300_000n });
    const mined = await payer.waitOrReplace(tx, { pollMs: 50, timeoutMs: 10_000 });
    assert.equal(mined.receipt.status, 0);
    assert.equal(await destination.finalReceipt(mined.hash), null);
    await mine(2);
    assert.deepEqual(await destination.finalReceipt(mined.hash), {
      txHash: mined.hash,
      blockNumber: BigInt(mined.receipt.blockNumber),
      succeeded: false,
      delivered: [],
      skipped: [],
    } satisfies DeliveryReceipt);
  });

  it("replaces a delivery stuck on a low fee while following it, and reports the hash that was mined", async () => {
    const t = transfer(parseEther("2"));
    await provider.send("evm_setAutomine", [false]);
    try {
      await provider.send("hardhat_setNextBlockBaseFeePerGas", [toQuantity(parseUnits("200", "gwei"))]);
      const sent = await submit([t]);
      await mine(); // the base fee jumps above what the delivery offers: it stays in the pool
      assert.equal(await provider.getTransactionReceipt(sent.txHash), null);
      assert.equal(await destination.finalReceipt(sent.txHash), null);

      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.equal(await destination.finalReceipt(sent.txHash), null); // overdue: replaced now
      await mine();
      assert.equal(await destination.finalReceipt(sent.txHash), null); // mined, not final yet
      await mine(2);

      const receipt = await destination.finalReceipt(sent.txHash);
      assert.ok(receipt?.succeeded);
      assert.notEqual(receipt.txHash, sent.txHash);
      assert.deepEqual(receipt.delivered, [transferId(t)]);
      assert.equal((await provider.getTransaction(receipt.txHash))?.nonce, sent.nonce);
      assert.equal(await provider.getTransactionReceipt(sent.txHash), null);
      assert.deepEqual(await destination.finalReceipt(receipt.txHash), receipt);
      assert.deepEqual(await destination.finalReceipt(sent.txHash), receipt); // asked again: same answer
      assert.equal(await balanceOf(t.recipient), t.amount);
    } finally {
      await provider.send("evm_setAutomine", [true]);
    }
  });

  it("follows the node's finalized block where the finality rule says so", async () => {
    const byTag = new EvmDestination({ ...config, finality: { tag: "finalized" } }, provider, payer);
    const t = transfer(parseEther("1"));
    const sent = await submit([t], byTag);
    // A hardhat node calls its latest block finalized: final as soon as mined.
    const receipt = await byTag.finalReceipt(sent.txHash);
    assert.deepEqual(receipt?.delivered, [transferId(t)]);
  });
});
