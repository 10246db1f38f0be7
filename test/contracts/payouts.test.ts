// No transfer holds others hostage (docs/protocol.md, "Payouts on BTTC"): a BTTC payout to a contract copies
// no return data and costs a bounded amount of gas whatever the recipient does; a refused payout stays
// claimable by its recipient; and a submitter cannot turn a payout that enough gas would have paid into
// a deferral by choosing the gas limit.
import assert from "node:assert/strict";
import { beforeEach, before, describe, it } from "node:test";
import { Wallet, getAddress, keccak256, parseEther, toUtf8Bytes } from "ethers";
import type { TransactionReceipt } from "ethers";
import { TransferKind, addressToBytes32, sequenceToRef, toDeliveryArgs, type Transfer } from "../../common/transfer.ts";
import { assertRevert } from "../../testkit/errors.ts";
import { as, attest, createWorld, deliverAll, gatewayEvents, mined, submitDelivery, type Chain, type World } from "../../testkit/world.ts";

function release(world: World, sequence: bigint, recipient: string, amount: bigint): Transfer {
  const { bttc, ethereum } = world.chains;
  return {
    srcChainId: ethereum.chainId,
    srcGateway: addressToBytes32(ethereum.gatewayAddress),
    srcRef: sequenceToRef(sequence),
    kind: TransferKind.Bridge,
    dstChainId: bttc.chainId,
    recipient,
    amount,
  };
}

function freshAddress(label: string): string {
  return new Wallet(keccak256(toUtf8Bytes(label))).address;
}

async function deploy(chain: Chain, name: string, args: unknown[] = []): Promise<string> {
  const contract = await chain.connection.ethers.deployContract(name, args);
  await contract.waitForDeployment();
  return contract.getAddress();
}

async function lockOnBttc(world: World, amount: bigint): Promise<void> {
  const { bttc, ethereum } = world.chains;
  const to = await ethereum.signers[3]!.getAddress();
  await mined(as(bttc.gateway, bttc.signers[2]!).getFunction("bridge")(ethereum.chainId, to, { value: amount }));
}

function deferred(chain: Chain, receipt: TransactionReceipt): string[] {
  return gatewayEvents(chain, receipt)
    .filter((e) => e.name === "PayoutDeferred")
    .map((e) => e.args.getValue("recipient") as string);
}

describe("payouts: no transfer held hostage", () => {
  let world: World;
  before(async () => {
    world = await createWorld();
  });
  beforeEach(async () => {
    await world.reset();
  });

  it("pays 40 honest recipients in a batch with 40 hostile ones, defers the hostile ones as claimable, under 100,000 gas a transfer", async () => {
    const { bttc } = world.chains;
    await lockOnBttc(world, parseEther("1000"));
    const hostile: string[] = [];
    for (let i = 0; i < 20; i++) hostile.push(await deploy(bttc, "RevertDataRecipient"));
    for (let i = 0; i < 20; i++) hostile.push(await deploy(bttc, "GasBurnerRecipient"));
    const honest = Array.from({ length: 40 }, (_, i) => freshAddress(`honest-${i}`));
    const transfers: Transfer[] = [];
    for (let i = 0; i < 40; i++) {
      transfers.push(release(world, BigInt(2 * i + 1), hostile[i]!, parseEther("1")));
      transfers.push(release(world, BigInt(2 * i + 2), honest[i]!, parseEther("2")));
    }
    const receipt = await deliverAll(world, bttc, transfers);

    const provider = bttc.connection.ethers.provider;
    for (const address of honest) assert.equal(await provider.getBalance(address), parseEther("2"));
    assert.deepEqual(
      deferred(bttc, receipt),
      hostile.map((a) => getAddress(a)),
    );
    for (const address of hostile) assert.equal(await bttc.gateway.getFunction("claimable")(address), parseEther("1"));
    const perTransfer = receipt.gasUsed / 80n;
    assert.ok(perTransfer < 100_000n, `${perTransfer} gas a transfer`);

    // Each refused payout stays claimable by its recipient, who takes it elsewhere.
    const iface = (await bttc.connection.ethers.getContractAt("RevertDataRecipient", hostile[0]!)).interface;
    const to = freshAddress("claimed-to");
    for (const address of [hostile[0]!, hostile[39]!]) {
      await mined(
        bttc.signers[4]!.sendTransaction({ to: address, data: iface.encodeFunctionData("claimTo", [bttc.gatewayAddress, to]) }) as never,
      );
      assert.equal(await bttc.gateway.getFunction("claimable")(address), 0n);
    }
    assert.equal(await provider.getBalance(to), parseEther("2"));
    const [locked, , , , claimableTotal, surplus, deficit] = (await bttc.gateway.getFunction("accounting")()) as bigint[];
    assert.deepEqual([locked, claimableTotal, surplus, deficit], [parseEther("1000") - parseEther("120"), parseEther("38"), 0n, 0n]);
  });

  it("costs the same per hostile payout however many a batch holds (no return data kept in memory)", async () => {
    const { bttc } = world.chains;
    await lockOnBttc(world, parseEther("1000"));
    const hostile = await deploy(bttc, "RevertDataRecipient");
    let sequence = 1n;
    const batchGas = async (count: number) => {
      const transfers = Array.from({ length: count }, () => release(world, sequence++, hostile, parseEther("1")));
      const receipt = await deliverAll(world, bttc, transfers);
      assert.equal(deferred(bttc, receipt).length, count);
      return receipt.gasUsed;
    };
    await batchGas(1); // the first deferral to this recipient makes its claimable slot non-zero
    const eight = await batchGas(8);
    const forty = await batchGas(40);
    // The marginal cost of a hostile payout, from 8 to 40 in a batch, is no more than its average
    // cost in a batch of 8: it does not grow with the number of hostile payouts before it.
    const marginal = (forty - eight) / 32n;
    assert.ok(marginal <= eight / 8n, `marginal ${marginal} gas, average at 8: ${eight / 8n}`);
    assert.ok(forty / 40n < 100_000n, `${forty / 40n} gas a hostile transfer`);
  });

  it("gives no gas limit at which a payout that enough gas pays is deferred: below it the delivery reverts", async () => {
    const { bttc } = world.chains;
    await lockOnBttc(world, parseEther("10"));
    // Takes a payment only with about 31,200 gas (PAYOUT_GAS and the 2,300 stipend give it 32,300), and
    // fails cheaply with less. A first payout it refuses makes its claimable slot, the gateway's total of
    // claimable payouts and the replay record non-zero, so that a deferral afterwards would be cheap
    // enough for a starved delivery to afford: the setting in which a submitter could force one.
    const hungry = await deploy(bttc, "GasHungryRecipient", [29_000n]);
    const hungryContract = await bttc.connection.ethers.getContractAt("GasHungryRecipient", hungry);
    await mined(hungryContract.getFunction("setRefuse")(true) as never);
    const first = await deliverAll(world, bttc, [release(world, 1n, hungry, parseEther("1"))]);
    assert.deepEqual(deferred(bttc, first), [getAddress(hungry)]);
    await mined(hungryContract.getFunction("setRefuse")(false) as never);
    const transfer = release(world, 2n, hungry, parseEther("3"));
    const signatures = await attest(bttc, [transfer], world.validators.slice(0, world.threshold));
    const { srcChainId, srcGateway, items } = toDeliveryArgs([transfer]);
    const gateway = as(bttc.gateway, bttc.signers[9]!);
    const data = gateway.interface.encodeFunctionData("deliver", [srcChainId, srcGateway, items[0], signatures]);
    const from = await bttc.signers[9]!.getAddress();
    const provider = bttc.connection.ethers.provider;
    const succeeds = async (gasLimit: bigint) => {
      try {
        await provider.call({ to: bttc.gatewayAddress, data, gasLimit, from });
        return true;
      } catch {
        return false;
      }
    };
    // The lowest gas limit at which the delivery goes through (what eth_estimateGas looks for).
    let low = 21_000n;
    let high = 1_000_000n;
    assert.ok(await succeeds(high));
    while (high - low > 1n) {
      const middle = (low + high) / 2n;
      if (await succeeds(middle)) high = middle;
      else low = middle;
    }
    // Binary search assumes one threshold, but with too small a margin a payout starved of gas fails at
    // once and hands its gas back, so a cheaper deferral can go through at limits below one where the
    // paid delivery runs out: an island of "success" below `high`. Every limit below must fail.
    const islands: bigint[] = [];
    for (let gasLimit = high - 40_000n; gasLimit < high; gasLimit += 50n) {
      if (await succeeds(gasLimit)) islands.push(gasLimit);
    }
    assert.deepEqual(islands, [], "no gas limit below the lowest paying one goes through (it would defer)");
    const below = gateway.getFunction("deliver")(srcChainId, srcGateway, items[0], signatures, { gasLimit: high - 1n });
    await assert.rejects(below);
    const receipt = await mined(gateway.getFunction("deliver")(srcChainId, srcGateway, items[0], signatures, { gasLimit: high }));
    assert.deepEqual(deferred(bttc, receipt), [], "paid at the lowest gas limit that goes through, not deferred");
    assert.equal(await provider.getBalance(hungry), parseEther("3"));
    assert.equal(await bttc.gateway.getFunction("claimable")(hungry), parseEther("1")); // the first, refused one
  });

  it("names the gas left and the gas needed when a delivery has too little for a payout: PayoutGasTooLow", async () => {
    const { bttc } = world.chains;
    await lockOnBttc(world, parseEther("10"));
    const transfer = release(world, 1n, freshAddress("starved"), parseEther("1"));
    const signatures = await attest(bttc, [transfer], world.validators.slice(0, world.threshold));
    const { srcChainId, srcGateway, items } = toDeliveryArgs([transfer]);
    const gateway = as(bttc.gateway, bttc.signers[9]!);
    const estimate: bigint = await gateway.getFunction("deliver").estimateGas(srcChainId, srcGateway, items[0], signatures);
    const starved = gateway.getFunction("deliver")(srcChainId, srcGateway, items[0], signatures, { gasLimit: estimate - 5_000n });
    await assertRevert(starved, bttc.gateway.interface, "PayoutGasTooLow");
    const needed = 2_600n + 9_000n + 25_000n + (30_000n * 64n) / 63n + 1n + 200n;
    try {
      await bttc.connection.ethers.provider.call({
        to: bttc.gatewayAddress,
        data: gateway.interface.encodeFunctionData("deliver", [srcChainId, srcGateway, items[0], signatures]),
        gasLimit: estimate - 5_000n,
      });
      assert.fail("expected a revert");
    } catch (error) {
      const revert = (error as { data?: string }).data!;
      const parsed = bttc.gateway.interface.parseError(revert)!;
      assert.equal(parsed.name, "PayoutGasTooLow");
      assert.equal(parsed.args.getValue("needed"), needed);
      assert.ok((parsed.args.getValue("gasLeft") as bigint) < needed);
    }
  });

  it("refuses reentry into the gateway from a recipient it pays: ReentrantCall", async () => {
    const { bttc } = world.chains;
    await lockOnBttc(world, parseEther("10"));
    const reenterer = await deploy(bttc, "Reenterer");
    const contract = await bttc.connection.ethers.getContractAt("Reenterer", reenterer);
    // Unarmed, it refuses its payout, which becomes claimable.
    const first = await deliverAll(world, bttc, [release(world, 1n, reenterer, parseEther("1"))]);
    assert.deepEqual(deferred(bttc, first), [getAddress(reenterer)]);
    // Armed with a validly signed delivery, it re-enters the gateway while `claimFor` pays it (with all
    // the gas the claim has): the guard refuses that delivery.
    const next = release(world, 2n, freshAddress("next"), parseEther("2"));
    const signatures = await attest(bttc, [next], world.validators.slice(0, world.threshold));
    const { srcChainId, srcGateway, items } = toDeliveryArgs([next]);
    const iface = bttc.gateway.interface;
    const reentry = iface.encodeFunctionData("deliverBatch", [srcChainId, srcGateway, items, signatures]);
    await mined(contract.getFunction("arm")(bttc.gatewayAddress, reentry) as never);
    await mined(as(bttc.gateway, bttc.signers[6]!).getFunction("claimFor")(reenterer));
    assert.equal(await bttc.connection.ethers.provider.getBalance(reenterer), parseEther("1"));
    assert.equal(await contract.getFunction("reentered")(), false);
    assert.equal(iface.parseError(await contract.getFunction("lastRevert")())?.name, "ReentrantCall");
    assert.equal(await bttc.gateway.getFunction("isDelivered")(next.srcChainId, next.srcGateway, next.srcRef), false);
    // Outside the guard, the same delivery goes through.
    await submitDelivery(bttc, [next], signatures, { batch: true });
    assert.equal(await bttc.connection.ethers.provider.getBalance(next.recipient), parseEther("2"));
  });
});
