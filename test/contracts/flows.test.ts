// Value moving between three real simulated chains: lock/mint, burn/release, burn/mint and the
// 1:1000 redenomination, with exact balances, supplies and the accounting view after each step.
import assert from "node:assert/strict";
import { before, beforeEach, describe, it } from "node:test";
import { parseEther, parseUnits } from "ethers";
import { TransferKind, transferId } from "../../common/transfer.ts";
import { as, createWorld, deliverAll, mined, transfersSentBy, type World } from "../../testkit/world.ts";

describe("bridge flows across three chains", () => {
  let world: World;
  before(async () => {
    world = await createWorld({ reserve: parseEther("5000") });
  });
  beforeEach(async () => world.reset());

  it("locks BTT on BTTC and mints it on Ethereum", async () => {
    const { bttc, ethereum } = world.chains;
    const user = bttc.signers[2]!;
    const recipient = await ethereum.signers[3]!.getAddress();
    const amount = parseEther("12.345678901234567891");

    const sent = await mined(as(bttc.gateway, user).getFunction("bridge")(ethereum.chainId, recipient, { value: amount }));
    const transfers = transfersSentBy(bttc, sent);
    assert.equal(transfers.length, 1);
    assert.equal(transfers[0]!.amount, amount);
    assert.equal(transfers[0]!.kind, TransferKind.Bridge);

    const receipt = await deliverAll(world, ethereum, transfers);
    assert.equal(await ethereum.token!.getFunction("balanceOf")(recipient), amount);
    assert.equal(await ethereum.token!.getFunction("totalSupply")(), amount);
    const [locked] = await bttc.gateway.getFunction("accounting")();
    assert.equal(locked, amount);
    const delivered = receipt.logs.map((l) => ethereum.gateway.interface.parseLog(l)).filter((p) => p?.name === "TransfersDelivered");
    assert.deepEqual(
      delivered.map((p) => [...(p!.args[0] as string[])]),
      [[transferId(transfers[0]!)]],
    );
  });

  it("burns on Ethereum, releases on BTTC, and burns on Ethereum to mint on BSC", async () => {
    const { bttc, ethereum, bsc } = world.chains;
    const holder = ethereum.signers[4]!;
    const holderAddress = await holder.getAddress();
    const amount = parseEther("100");
    const lock = as(bttc.gateway, bttc.signers[2]!).getFunction("bridge")(ethereum.chainId, holderAddress, { value: amount });
    await deliverAll(world, ethereum, transfersSentBy(bttc, await mined(lock)));

    // Ethereum -> BTTC: burn 30, release 30 to a fresh address.
    const bttcRecipient = "0x00000000000000000000000000000000000b77c1";
    const burn = as(ethereum.gateway, holder).getFunction("bridge")(bttc.chainId, bttcRecipient, parseEther("30"));
    await deliverAll(world, bttc, transfersSentBy(ethereum, await mined(burn)));
    assert.equal(await bttc.connection.ethers.provider.getBalance(bttcRecipient), parseEther("30"));

    // Ethereum -> BSC: burn 50, mint 50.
    const bscRecipient = await bsc.signers[5]!.getAddress();
    const across = as(ethereum.gateway, holder).getFunction("bridge")(bsc.chainId, bscRecipient, parseEther("50"));
    await deliverAll(world, bsc, transfersSentBy(ethereum, await mined(across)));

    assert.equal(await ethereum.token!.getFunction("balanceOf")(holderAddress), parseEther("20"));
    assert.equal(await ethereum.token!.getFunction("totalSupply")(), parseEther("20"));
    assert.equal(await bsc.token!.getFunction("balanceOf")(bscRecipient), parseEther("50"));
    const [locked] = await bttc.gateway.getFunction("accounting")();
    assert.equal(locked, parseEther("70")); // = 20 on Ethereum + 50 on BSC, nothing in flight
  });

  it("swaps 18-decimal BTTOLD on Ethereum for exactly 1,000x BTT on BTTC, from the reserve", async () => {
    const { bttc, ethereum } = world.chains;
    const holder = ethereum.signers[6]!;
    const legacy = ethereum.legacyToken!;
    const legacyAmount = parseUnits("2.000000000000000007", 18);
    await mined(as(legacy, ethereum.signers[0]!).getFunction("mint")(await holder.getAddress(), legacyAmount));
    await mined(as(legacy, holder).getFunction("approve")(ethereum.gatewayAddress, legacyAmount));
    const recipient = "0x00000000000000000000000000000000000b77c2";

    const sent = await mined(as(ethereum.gateway, holder).getFunction("redenominate")(recipient, legacyAmount));
    const transfers = transfersSentBy(ethereum, sent);
    assert.equal(transfers[0]!.kind, TransferKind.Swap);
    assert.equal(transfers[0]!.amount, legacyAmount * 1000n);
    await deliverAll(world, bttc, transfers);

    assert.equal(await bttc.connection.ethers.provider.getBalance(recipient), 2_000_000_000_000_000_007_000n);
    assert.equal(await legacy.getFunction("balanceOf")(ethereum.gatewayAddress), legacyAmount); // kept for good
    const [, reserve, reservePaid] = await bttc.gateway.getFunction("accounting")();
    assert.equal(reservePaid, legacyAmount * 1000n);
    assert.equal(reserve, parseEther("5000") - legacyAmount * 1000n);
    const [, , legacyReceived, swapOwed] = await ethereum.gateway.getFunction("accounting")();
    assert.equal(legacyReceived, legacyAmount);
    assert.equal(swapOwed, reservePaid);
  });

  it("swaps 6-decimal BTTOLD on BSC: one base unit becomes 10^15 wei", async () => {
    const { bttc, bsc } = world.chains;
    const holder = bsc.signers[6]!;
    await mined(as(bsc.legacyToken!, bsc.signers[0]!).getFunction("mint")(await holder.getAddress(), 7n));
    await mined(as(bsc.legacyToken!, holder).getFunction("approve")(bsc.gatewayAddress, 7n));
    const recipient = "0x00000000000000000000000000000000000b77c3";
    const swap = as(bsc.gateway, holder).getFunction("redenominate")(recipient, 7n);
    await deliverAll(world, bttc, transfersSentBy(bsc, await mined(swap)));
    assert.equal(await bttc.connection.ethers.provider.getBalance(recipient), 7n * 10n ** 15n);
  });
});
