// Findings of an outside review of the contracts, each reproduced: BTT forced into the BTTC gateway is a
// surplus apart from `locked`; a legacy token is credited by what arrived; the daily limit's time does
// not wrap in 2106.
import assert from "node:assert/strict";
import { before, beforeEach, describe, it } from "node:test";
import { parseEther, toBeHex } from "ethers";
import type { Contract, Signer } from "ethers";
import { TransferKind, addressToBytes32, sequenceToRef, type Transfer } from "../../common/transfer.ts";
import { deployChain } from "../../deploy/bridge.ts";
import { assertRevert } from "../../testkit/errors.ts";
import { CHAIN_IDS } from "../../testkit/constants.ts";
import { as, createWorld, deliverAll, gatewayEvents, mined, type Chain, type World } from "../../testkit/world.ts";

function transfer(source: Chain, destination: Chain, sequence: bigint, recipient: string, amount: bigint): Transfer {
  return {
    srcChainId: source.chainId,
    srcGateway: addressToBytes32(source.gatewayAddress),
    srcRef: sequenceToRef(sequence),
    kind: TransferKind.Bridge,
    dstChainId: destination.chainId,
    recipient,
    amount,
  };
}

interface BttcAccounting {
  locked: bigint;
  reserveBalance: bigint;
  feesHeld: bigint;
  claimableTotal: bigint;
  surplus: bigint;
  deficit: bigint;
}

async function bttcAccounting(bttc: Chain): Promise<BttcAccounting> {
  const a = await bttc.gateway.getFunction("accounting")();
  return {
    locked: a.getValue("locked"),
    reserveBalance: a.getValue("reserveBalance"),
    feesHeld: a.getValue("feesHeld"),
    claimableTotal: a.getValue("claimableTotal"),
    surplus: a.getValue("surplus"),
    deficit: a.getValue("deficit"),
  };
}

describe("review: BTT forced into the BTTC gateway", () => {
  let world: World;
  before(async () => {
    world = await createWorld({ fee: parseEther("0.5"), reserve: parseEther("100") });
  });
  beforeEach(async () => {
    await world.reset();
  });

  async function lock(amount: bigint) {
    const { bttc, ethereum } = world.chains;
    await mined(
      as(bttc.gateway, bttc.signers[2]!).getFunction("bridge")(ethereum.chainId, await ethereum.signers[3]!.getAddress(), {
        value: amount,
      }),
    );
  }

  it("counts BTT sent by SELFDESTRUCT as a surplus, not as locked, and never pays it out", async () => {
    const { bttc, ethereum } = world.chains;
    await lock(parseEther("10.5")); // 10 locked, 0.5 fee
    const forced = parseEther("3");
    const force = await bttc.connection.ethers.deployContract("ForceSend", [bttc.gatewayAddress], { value: forced });
    await force.waitForDeployment();
    assert.equal(await bttc.connection.ethers.provider.getBalance(bttc.gatewayAddress), parseEther("113.5"));
    assert.deepEqual(await bttcAccounting(bttc), {
      locked: parseEther("10"),
      reserveBalance: parseEther("100"),
      feesHeld: parseEther("0.5"),
      claimableTotal: 0n,
      surplus: forced,
      deficit: 0n,
    });
    assert.equal(await bttc.gateway.getFunction("lockedBalance")(), parseEther("10"));
    // A release beyond what bridging locked is refused: the surplus backs nothing.
    const tooMuch = transfer(ethereum, bttc, 1n, "0x00000000000000000000000000000000000f0bce", parseEther("11"));
    await assertRevert(deliverAll(world, bttc, [tooMuch]), bttc.gateway.interface, "LockedInsufficient", [
      parseEther("11"),
      parseEther("10"),
    ]);
    // Releasing what was locked leaves the surplus where it was.
    const back = transfer(ethereum, bttc, 1n, "0x00000000000000000000000000000000000f0bce", parseEther("10"));
    await deliverAll(world, bttc, [back]);
    const after = await bttcAccounting(bttc);
    assert.equal(after.locked, 0n);
    assert.equal(after.surplus, forced);
  });

  it("counts a balance set from outside (hardhat_setBalance) as a surplus, and a balance short of the books as a deficit", async () => {
    const { bttc } = world.chains;
    await lock(parseEther("10.5"));
    const provider = bttc.connection.provider;
    await provider.request({ method: "hardhat_setBalance", params: [bttc.gatewayAddress, toBeHex(parseEther("200"))] });
    let a = await bttcAccounting(bttc);
    assert.equal(a.locked, parseEther("10"));
    assert.equal(a.surplus, parseEther("89.5"));
    assert.equal(a.deficit, 0n);
    await provider.request({ method: "hardhat_setBalance", params: [bttc.gatewayAddress, toBeHex(parseEther("100"))] });
    a = await bttcAccounting(bttc);
    assert.equal(a.surplus, 0n);
    assert.equal(a.deficit, parseEther("10.5"));
  });
});

describe("review: a fee-on-transfer legacy token", () => {
  let world: World;
  let gateway: Contract;
  let token: Contract;
  let user: Signer;
  before(async () => {
    world = await createWorld();
    const { ethereum } = world.chains;
    const signers = ethereum.signers;
    token = await ethereum.connection.ethers.deployContract("FeeOnTransferToken", [18]);
    await token.waitForDeployment();
    const deployed = await deployChain({
      deployer: signers[0]!,
      role: "remote",
      validators: world.validators.map((v) => v.address),
      threshold: world.threshold,
      guardian: await signers[1]!.getAddress(),
      dailyLimit: null,
      routes: [{ dstChainId: CHAIN_IDS.bttc, fee: 0n, minAmount: 0n }],
      timelockDelay: 0n,
      homeChainId: CHAIN_IDS.bttc,
      legacyToken: { address: await token.getAddress() },
    });
    user = signers[4]!;
    gateway = as(deployed.gateway, user);
    await mined(token.getFunction("mint")(await user.getAddress(), parseEther("1000")));
    await mined(as(token, user).getFunction("approve")(await gateway.getAddress(), parseEther("1000")));
  });

  it("credits the BTTOLD that arrived (99 of 100 sent), not the amount asked for", async () => {
    const recipient = "0x00000000000000000000000000000000000fee01";
    const receipt = await mined(gateway.getFunction("redenominate")(recipient, parseEther("100")));
    const sent = receipt.logs.map((log) => gateway.interface.parseLog(log)).find((e) => e?.name === "SwapSent")!;
    assert.equal(sent.args.getValue("legacyAmount"), parseEther("99"));
    assert.equal(sent.args.getValue("amount"), parseEther("99") * 1000n);
    const gatewayAddress = await gateway.getAddress();
    assert.equal(await token.getFunction("balanceOf")(gatewayAddress), parseEther("99"));
    const [, , legacyReceived, swapOwed] = (await gateway.getFunction("accounting")()) as bigint[];
    assert.equal(legacyReceived, parseEther("99"));
    assert.equal(swapOwed, parseEther("99000"));
  });
});

describe("review: the daily limit after February 2106", () => {
  let world: World;
  before(async () => {
    world = await createWorld({ dailyLimit: parseEther("1000") });
  });

  it("does not refill the allowance in full at every delivery once timestamps pass 2^32", async () => {
    const { bttc, ethereum } = world.chains;
    const helpers = ethereum.connection.networkHelpers;
    await helpers.time.increaseTo(2n ** 32n + 1_000n);
    const status = async () => (await ethereum.gateway.getFunction("status")()).getValue("dailyLimitAvailable") as bigint;
    assert.equal(await status(), parseEther("1000"));
    const recipient = "0x00000000000000000000000000000000000a2106";
    const receipt = await deliverAll(world, ethereum, [transfer(bttc, ethereum, 1n, recipient, parseEther("1000"))]);
    assert.equal(gatewayEvents(ethereum, receipt).filter((e) => e.name === "TransfersDelivered").length, 1);
    await helpers.time.increase(60);
    // One minute later, one minute's refill: 1000 * 60 / 86400.
    const refill = (((parseEther("1000") / 10n ** 9n) * 60n) / 86_400n) * 10n ** 9n;
    assert.equal(await status(), refill);
    await assertRevert(
      deliverAll(world, ethereum, [transfer(bttc, ethereum, 2n, recipient, parseEther("1"))]),
      ethereum.gateway.interface,
      "DailyLimitExceeded",
    );
  });
});
