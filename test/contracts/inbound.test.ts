// Inbound deliveries: the rolling daily limit, the redenomination reserve and the locked balance as the
// only sources of payouts, the kinds and fields a gateway refuses, the pause, and payouts that a
// recipient's code refuses (deferred to a claimable balance).
import assert from "node:assert/strict";
import { before, beforeEach, describe, it } from "node:test";
import { ZeroAddress, ZeroHash, getAddress, id, parseEther } from "ethers";
import type { LogDescription, Signer } from "ethers";
import { TransferKind, addressToBytes32, sequenceToRef, toDeliveryArgs, transferId, type Transfer } from "../../common/transfer.ts";
import { executeCall, operationSalt, scheduleCall } from "../../common/timelock.ts";
import { assertRevert } from "../../testkit/errors.ts";
import {
  as,
  attest,
  createWorld,
  deliverAll,
  gatewayEvents,
  mined,
  submitDelivery,
  throughTimelock,
  transfersSentBy,
  type Chain,
  type World,
} from "../../testkit/world.ts";

const DAY = 86_400n;
const GUARDIAN_ROLE = id("GUARDIAN_ROLE");
const SkipReason = { AlreadyDelivered: 0n, DailyLimitExceeded: 1n, ReserveInsufficient: 2n } as const;

/** A transfer from `source`'s gateway to `destination`, as validators would attest it. */
function transferFrom(
  source: Chain,
  destination: Chain,
  sequence: bigint,
  recipient: string,
  amount: bigint,
  kind: number = TransferKind.Bridge,
): Transfer {
  return {
    srcChainId: source.chainId,
    srcGateway: addressToBytes32(source.gatewayAddress),
    srcRef: sequenceToRef(sequence),
    kind: kind as TransferKind,
    dstChainId: destination.chainId,
    recipient,
    amount,
  };
}

function eventArgs(events: LogDescription[], name: string): unknown[][] {
  return events.filter((e) => e.name === name).map((e) => [...e.args].map((a) => (Array.isArray(a) ? [...a] : a)));
}

async function isDelivered(chain: Chain, t: Transfer): Promise<boolean> {
  return (await chain.gateway.getFunction("isDelivered")(t.srcChainId, t.srcGateway, t.srcRef)) as boolean;
}

async function available(chain: Chain): Promise<bigint> {
  return ((await chain.gateway.getFunction("status")()) as { dailyLimitAvailable: bigint }).dailyLimitAvailable;
}

async function blockTime(chain: Chain, blockNumber: number): Promise<bigint> {
  const block = await chain.connection.ethers.provider.getBlock(blockNumber);
  if (!block) throw new Error(`block ${blockNumber} not found`);
  return BigInt(block.timestamp);
}

async function latestTime(chain: Chain): Promise<bigint> {
  return BigInt(await chain.connection.networkHelpers.time.latest());
}

/** Wei per unit in which DailyLimit keeps the allowance (contracts/core/DailyLimit.sol). */
const UNIT = 10n ** 9n;

/** The allowance (wei) after `elapsed` seconds of refilling from `from` (wei), as DailyLimit.current
 * computes it: in whole units, the refill rounded down. */
function refilled(from: bigint, cap: bigint, elapsed: bigint): bigint {
  const units = from / UNIT + ((cap / UNIT) * elapsed) / DAY;
  return (units < cap / UNIT ? units : cap / UNIT) * UNIT;
}

async function nativeBalance(chain: Chain, address: string): Promise<bigint> {
  return chain.connection.ethers.provider.getBalance(address);
}

async function bttcAccounting(chain: Chain) {
  const [locked, reserveBalance, reservePaid, feesHeld, claimableTotal] = (await chain.gateway.getFunction("accounting")()) as bigint[];
  return { locked, reserveBalance, reservePaid, feesHeld, claimableTotal };
}

/** Locks `amount` of native BTT in the BTTC gateway (a real outbound transfer to Ethereum). */
async function lockOnBttc(world: World, amount: bigint): Promise<void> {
  const { bttc, ethereum } = world.chains;
  const recipient = await ethereum.signers[3]!.getAddress();
  await mined(as(bttc.gateway, bttc.signers[2]!).getFunction("bridge")(ethereum.chainId, recipient, { value: amount }));
}

/** Deploys raw EVM code (runtime `runtimeHex`, no 0x) and returns the new contract's address. */
async function deployRuntime(deployer: Signer, runtimeHex: string): Promise<string> {
  const length = runtimeHex.length / 2;
  assert.ok(length > 0 && length < 256 && Number.isInteger(length));
  const len = length.toString(16).padStart(2, "0");
  // PUSH1 len PUSH1 12 PUSH1 0 CODECOPY PUSH1 len PUSH1 0 RETURN, then the runtime (at offset 12).
  const initCode = `0x60${len}600c600039${"60" + len}6000f3${runtimeHex}`;
  const receipt = await (await deployer.sendTransaction({ data: initCode })).wait();
  if (!receipt?.contractAddress) throw new Error("deployment failed");
  return getAddress(receipt.contractAddress);
}

/** Accepts a payment only with at least 50,000 gas left: GAS PUSH2 50000 GT PUSH1 9 JUMPI STOP;
 * JUMPDEST PUSH1 0 PUSH1 0 REVERT. */
const NEEDS_50K_GAS = "5a61c35011600957005b60006000fd";

/** Reverts whatever it is sent: PUSH1 0 PUSH1 0 REVERT. */
const ALWAYS_REVERTS = "60006000fd";
/** Loops until it runs out of gas: JUMPDEST PUSH1 0 JUMP. */
const BURNS_ALL_GAS = "5b600056";

/** Reverts on a plain value transfer (empty calldata); forwards any call with calldata to `target` and
 * returns or reverts with what the target returned, so that the contract itself can call `claim`. */
function forwarderRuntime(target: string): string {
  const t = getAddress(target).slice(2).toLowerCase();
  return (
    "3615603d57" + // CALLDATASIZE ISZERO PUSH1 0x3d JUMPI
    "366000600037" + // CALLDATACOPY(0, 0, CALLDATASIZE)
    "60006000366000600073" +
    t + // retSize retOffset argsSize argsOffset value target
    "5af1" + // GAS CALL
    "3d600060003e" + // RETURNDATACOPY(0, 0, RETURNDATASIZE)
    "603857" + // PUSH1 0x38 JUMPI (success)
    "3d6000fd" + // REVERT(0, RETURNDATASIZE)
    "5b3d6000f3" + // 0x38: JUMPDEST RETURN(0, RETURNDATASIZE)
    "5b60006000fd" // 0x3d: JUMPDEST REVERT(0, 0)
  );
}

describe("inbound: rolling daily limit", () => {
  const CAP = parseEther("100");
  let world: World;
  before(async () => {
    world = await createWorld({ dailyLimit: CAP, reserve: parseEther("500") });
  });
  beforeEach(async () => world.reset());

  it("reverts a single delivery over the allowance with DailyLimitExceeded(amount, available), marking nothing", async () => {
    const { bttc, ethereum } = world.chains;
    const recipient = await ethereum.signers[4]!.getAddress();
    const over = transferFrom(bttc, ethereum, 1n, recipient, CAP + 1n);
    assert.equal(await available(ethereum), CAP);
    await assertRevert(deliverAll(world, ethereum, [over]), ethereum.gateway.interface, "DailyLimitExceeded", [CAP + 1n, CAP]);
    assert.equal(await isDelivered(ethereum, over), false);
    assert.equal(await ethereum.token!.getFunction("totalSupply")(), 0n);

    // Use 60 of the cap, then ask for 50 ten seconds later: available is 40 plus ten seconds of refill.
    const first = transferFrom(bttc, ethereum, 2n, recipient, parseEther("60"));
    const receipt = await deliverAll(world, ethereum, [first]);
    const deliveredAt = await blockTime(ethereum, receipt.blockNumber);
    assert.equal(await available(ethereum), parseEther("40"));
    const second = transferFrom(bttc, ethereum, 3n, recipient, parseEther("50"));
    await ethereum.connection.networkHelpers.time.setNextBlockTimestamp(deliveredAt + 10n);
    await assertRevert(deliverAll(world, ethereum, [second]), ethereum.gateway.interface, "DailyLimitExceeded", [
      parseEther("50"),
      refilled(parseEther("40"), CAP, 10n),
    ]);
    assert.equal(await isDelivered(ethereum, second), false);
    assert.equal(await ethereum.token!.getFunction("balanceOf")(recipient), parseEther("60"));
  });

  it("skips an over-limit transfer in a batch with TransferSkipped(id, 1), delivers the rest, and delivers it once the allowance has refilled", async () => {
    const { bttc, ethereum } = world.chains;
    const recipient = await ethereum.signers[4]!.getAddress();
    const batch = [
      transferFrom(bttc, ethereum, 1n, recipient, parseEther("40")),
      transferFrom(bttc, ethereum, 2n, recipient, parseEther("70")),
      transferFrom(bttc, ethereum, 3n, recipient, parseEther("30")),
    ];
    const signatures = await attest(ethereum, batch, world.validators.slice(0, world.threshold));
    const receipt = await submitDelivery(ethereum, batch, signatures);
    const events = gatewayEvents(ethereum, receipt);
    assert.deepEqual(eventArgs(events, "TransferSkipped"), [[transferId(batch[1]!), SkipReason.DailyLimitExceeded]]);
    assert.deepEqual(eventArgs(events, "TransfersDelivered"), [[[transferId(batch[0]!), transferId(batch[2]!)]]]);
    assert.deepEqual(await Promise.all(batch.map((t) => isDelivered(ethereum, t))), [true, false, true]);
    assert.equal(await ethereum.token!.getFunction("balanceOf")(recipient), parseEther("70"));
    const batchAt = await blockTime(ethereum, receipt.blockNumber);
    assert.equal(await available(ethereum), parseEther("30")); // read at the batch's own block

    // Too early: the skipped transfer still does not fit.
    await ethereum.connection.networkHelpers.time.setNextBlockTimestamp(batchAt + 60n);
    await assertRevert(deliverAll(world, ethereum, [batch[1]!]), ethereum.gateway.interface, "DailyLimitExceeded", [
      parseEther("70"),
      refilled(parseEther("30"), CAP, 60n),
    ]);

    // Half a day later, half the cap has refilled, linearly.
    await ethereum.connection.networkHelpers.time.increase(DAY / 2n);
    const now = await latestTime(ethereum);
    assert.equal(await available(ethereum), refilled(parseEther("30"), CAP, now - batchAt));
    assert.equal(await available(ethereum), parseEther("80"));

    const late = await deliverAll(world, ethereum, [batch[1]!]);
    const lateAt = await blockTime(ethereum, late.blockNumber);
    assert.equal(await isDelivered(ethereum, batch[1]!), true);
    assert.equal(await ethereum.token!.getFunction("balanceOf")(recipient), parseEther("140"));
    assert.equal(await available(ethereum), refilled(parseEther("30"), CAP, lateAt - batchAt) - parseEther("70"));
  });

  it("refills to the cap and never above it", async () => {
    const { bttc, ethereum } = world.chains;
    const recipient = await ethereum.signers[4]!.getAddress();
    await deliverAll(world, ethereum, [transferFrom(bttc, ethereum, 1n, recipient, parseEther("99"))]);
    assert.equal(await available(ethereum), parseEther("1"));
    await ethereum.connection.networkHelpers.time.increase(3n * DAY);
    assert.equal(await available(ethereum), CAP);
    const status = (await ethereum.gateway.getFunction("status")()) as { dailyLimit: bigint };
    assert.equal(status.dailyLimit, CAP);
    await assertRevert(
      deliverAll(world, ethereum, [transferFrom(bttc, ethereum, 2n, recipient, CAP + 1n)]),
      ethereum.gateway.interface,
      "DailyLimitExceeded",
      [CAP + 1n, CAP],
    );
  });

  it("counts swap payouts from the BTTC reserve against the limit too", async () => {
    const { bttc, ethereum } = world.chains;
    const recipient = "0x00000000000000000000000000000000000d1a11";
    const swap = transferFrom(ethereum, bttc, 1n, recipient, CAP + 1n, TransferKind.Swap);
    await assertRevert(deliverAll(world, bttc, [swap]), bttc.gateway.interface, "DailyLimitExceeded", [CAP + 1n, CAP]);
    assert.equal(await isDelivered(bttc, swap), false);
    const accounting = await bttcAccounting(bttc);
    assert.equal(accounting.reserveBalance, parseEther("500"));
    assert.equal(accounting.reservePaid, 0n);
    assert.equal(await nativeBalance(bttc, recipient), 0n);
  });
});

describe("inbound: BTTC redenomination reserve", () => {
  let world: World;
  before(async () => {
    world = await createWorld();
  });
  beforeEach(async () => world.reset());

  it("pays swaps only from the reserve: ReserveInsufficient(amount, available) until it is funded", async () => {
    const { bttc, ethereum } = world.chains;
    await lockOnBttc(world, parseEther("50")); // locked BTT must never pay a swap
    const recipient = "0x00000000000000000000000000000000000d1a12";
    const swap = transferFrom(ethereum, bttc, 1n, recipient, parseEther("10"), TransferKind.Swap);

    await assertRevert(deliverAll(world, bttc, [swap]), bttc.gateway.interface, "ReserveInsufficient", [parseEther("10"), 0n]);
    const funder = as(bttc.gateway, bttc.signers[5]!);
    await mined(funder.getFunction("fundReserve")({ value: parseEther("4") }));
    await assertRevert(deliverAll(world, bttc, [swap]), bttc.gateway.interface, "ReserveInsufficient", [parseEther("10"), parseEther("4")]);
    assert.equal(await isDelivered(bttc, swap), false);

    const funded = await mined(funder.getFunction("fundReserve")({ value: parseEther("6") }));
    assert.deepEqual(eventArgs(gatewayEvents(bttc, funded), "ReserveFunded"), [[await bttc.signers[5]!.getAddress(), parseEther("6")]]);
    await deliverAll(world, bttc, [swap]);
    assert.equal(await isDelivered(bttc, swap), true);
    assert.equal(await nativeBalance(bttc, recipient), parseEther("10"));
    assert.deepEqual(await bttcAccounting(bttc), {
      locked: parseEther("50"),
      reserveBalance: 0n,
      reservePaid: parseEther("10"),
      feesHeld: 0n,
      claimableTotal: 0n,
    });
    assert.equal(await nativeBalance(bttc, bttc.gatewayAddress), parseEther("50"));
  });

  it("skips a swap over the reserve in a batch with reason 2 and delivers it after fundReserve", async () => {
    const { bttc, ethereum } = world.chains;
    await mined(as(bttc.gateway, bttc.signers[5]!).getFunction("fundReserve")({ value: parseEther("10") }));
    const recipient = "0x00000000000000000000000000000000000d1a13";
    const batch = [
      transferFrom(ethereum, bttc, 1n, recipient, parseEther("3"), TransferKind.Swap),
      transferFrom(ethereum, bttc, 2n, recipient, parseEther("20"), TransferKind.Swap),
      transferFrom(ethereum, bttc, 3n, recipient, parseEther("2"), TransferKind.Swap),
    ];
    const receipt = await deliverAll(world, bttc, batch);
    const events = gatewayEvents(bttc, receipt);
    assert.deepEqual(eventArgs(events, "TransferSkipped"), [[transferId(batch[1]!), SkipReason.ReserveInsufficient]]);
    assert.deepEqual(eventArgs(events, "TransfersDelivered"), [[[transferId(batch[0]!), transferId(batch[2]!)]]]);
    assert.deepEqual(await Promise.all(batch.map((t) => isDelivered(bttc, t))), [true, false, true]);
    assert.equal(await nativeBalance(bttc, recipient), parseEther("5"));
    let accounting = await bttcAccounting(bttc);
    assert.equal(accounting.reserveBalance, parseEther("5"));
    assert.equal(accounting.reservePaid, parseEther("5"));

    await mined(as(bttc.gateway, bttc.signers[6]!).getFunction("fundReserve")({ value: parseEther("15") }));
    await deliverAll(world, bttc, [batch[1]!]);
    assert.equal(await nativeBalance(bttc, recipient), parseEther("25"));
    accounting = await bttcAccounting(bttc);
    assert.equal(accounting.reserveBalance, 0n);
    assert.equal(accounting.reservePaid, parseEther("25"));
    assert.equal(accounting.locked, 0n);
    assert.equal(await nativeBalance(bttc, bttc.gatewayAddress), 0n);
  });

  it("refuses fundReserve with no value: ZeroAmount", async () => {
    const { bttc } = world.chains;
    await assertRevert(bttc.gateway.getFunction("fundReserve")({ value: 0n }), bttc.gateway.interface, "ZeroAmount", []);
  });
});

describe("inbound: BTTC releases are paid from locked BTT only", () => {
  const FEE = parseEther("1");
  const RESERVE = parseEther("300");
  let world: World;
  before(async () => {
    world = await createWorld({ fee: FEE, reserve: RESERVE });
  });
  beforeEach(async () => world.reset());

  it("reverts a release of more than is locked with LockedInsufficient(amount, locked), whatever the reserve and fees hold", async () => {
    const { bttc, ethereum } = world.chains;
    const recipient = "0x00000000000000000000000000000000000d1a14";
    const forged = transferFrom(ethereum, bttc, 1n, recipient, 1n);
    await assertRevert(deliverAll(world, bttc, [forged]), bttc.gateway.interface, "LockedInsufficient", [1n, 0n]);

    await lockOnBttc(world, parseEther("10")); // locked 9, fee 1 held apart
    assert.deepEqual(await bttcAccounting(bttc), {
      locked: parseEther("9"),
      reserveBalance: RESERVE,
      reservePaid: 0n,
      feesHeld: FEE,
      claimableTotal: 0n,
    });
    const tooMuch = transferFrom(ethereum, bttc, 2n, recipient, parseEther("9") + 1n);
    await assertRevert(deliverAll(world, bttc, [tooMuch]), bttc.gateway.interface, "LockedInsufficient", [
      parseEther("9") + 1n,
      parseEther("9"),
    ]);
    assert.equal(await isDelivered(bttc, tooMuch), false);
    assert.equal(await nativeBalance(bttc, recipient), 0n);
  });

  it("skips an over-locked release in a batch (reason 2) and pays exactly what is locked", async () => {
    const { bttc, ethereum } = world.chains;
    await lockOnBttc(world, parseEther("10"));
    const recipient = "0x00000000000000000000000000000000000d1a15";
    const batch = [
      transferFrom(ethereum, bttc, 1n, recipient, parseEther("4")),
      transferFrom(ethereum, bttc, 2n, recipient, parseEther("6")),
      transferFrom(ethereum, bttc, 3n, recipient, parseEther("5")),
    ];
    const events = gatewayEvents(bttc, await deliverAll(world, bttc, batch));
    assert.deepEqual(eventArgs(events, "TransferSkipped"), [[transferId(batch[1]!), SkipReason.ReserveInsufficient]]);
    assert.deepEqual(eventArgs(events, "TransfersDelivered"), [[[transferId(batch[0]!), transferId(batch[2]!)]]]);
    assert.equal(await nativeBalance(bttc, recipient), parseEther("9"));
    assert.deepEqual(await bttcAccounting(bttc), {
      locked: 0n,
      reserveBalance: RESERVE,
      reservePaid: 0n,
      feesHeld: FEE,
      claimableTotal: 0n,
    });
    assert.equal(await nativeBalance(bttc, bttc.gatewayAddress), RESERVE + FEE);
    await assertRevert(deliverAll(world, bttc, [batch[1]!]), bttc.gateway.interface, "LockedInsufficient", [parseEther("6"), 0n]);
  });
});

describe("inbound: kinds and fields a gateway refuses", () => {
  let world: World;
  before(async () => {
    world = await createWorld({ reserve: parseEther("100") });
  });
  beforeEach(async () => world.reset());

  it("a remote gateway refuses swaps: UnsupportedKind(1), alone or in a batch", async () => {
    const { bsc, ethereum } = world.chains;
    const recipient = await ethereum.signers[4]!.getAddress();
    const swap = transferFrom(bsc, ethereum, 1n, recipient, parseEther("1"), TransferKind.Swap);
    await assertRevert(deliverAll(world, ethereum, [swap]), ethereum.gateway.interface, "UnsupportedKind", [1n]);
    const bridged = transferFrom(bsc, ethereum, 2n, recipient, parseEther("1"));
    await assertRevert(deliverAll(world, ethereum, [bridged, swap]), ethereum.gateway.interface, "UnsupportedKind", [1n]);
    assert.equal(await isDelivered(ethereum, bridged), false);
    assert.equal(await isDelivered(ethereum, swap), false);
    assert.equal(await ethereum.token!.getFunction("totalSupply")(), 0n);
  });

  it("refuses an unknown kind on either gateway: UnsupportedKind(7)", async () => {
    const { bttc, ethereum } = world.chains;
    await lockOnBttc(world, parseEther("5"));
    const toBttc = transferFrom(ethereum, bttc, 1n, "0x00000000000000000000000000000000000d1a16", parseEther("1"), 7);
    await assertRevert(deliverAll(world, bttc, [toBttc]), bttc.gateway.interface, "UnsupportedKind", [7n]);
    const toEthereum = transferFrom(bttc, ethereum, 1n, await ethereum.signers[4]!.getAddress(), parseEther("1"), 7);
    await assertRevert(deliverAll(world, ethereum, [toEthereum]), ethereum.gateway.interface, "UnsupportedKind", [7n]);
    assert.equal(await isDelivered(bttc, toBttc), false);
    assert.equal(await isDelivered(ethereum, toEthereum), false);
  });

  it("refuses a zero recipient (ZeroRecipient) and a zero amount (ZeroAmount), also inside a batch", async () => {
    const { bttc, ethereum } = world.chains;
    const recipient = await ethereum.signers[4]!.getAddress();
    const good = transferFrom(bttc, ethereum, 1n, recipient, parseEther("1"));
    const noRecipient = transferFrom(bttc, ethereum, 2n, ZeroAddress, parseEther("1"));
    const noAmount = transferFrom(bttc, ethereum, 3n, recipient, 0n);
    await assertRevert(deliverAll(world, ethereum, [noRecipient]), ethereum.gateway.interface, "ZeroRecipient", []);
    await assertRevert(deliverAll(world, ethereum, [noAmount]), ethereum.gateway.interface, "ZeroAmount", []);
    await assertRevert(deliverAll(world, ethereum, [good, noRecipient]), ethereum.gateway.interface, "ZeroRecipient", []);
    await assertRevert(deliverAll(world, ethereum, [good, noAmount]), ethereum.gateway.interface, "ZeroAmount", []);
    assert.equal(await isDelivered(ethereum, good), false);
    assert.equal(await ethereum.token!.getFunction("totalSupply")(), 0n);

    const swapToNobody = transferFrom(ethereum, bttc, 1n, ZeroAddress, parseEther("1"), TransferKind.Swap);
    await assertRevert(deliverAll(world, bttc, [swapToNobody]), bttc.gateway.interface, "ZeroRecipient", []);
  });

  it("refuses an empty batch: EmptyBatch", async () => {
    const { bttc, ethereum } = world.chains;
    const signatures = await attest(ethereum, [], world.validators.slice(0, world.threshold));
    const gateway = as(ethereum.gateway, ethereum.signers[9]!);
    await assertRevert(
      gateway.getFunction("deliverBatch")(bttc.chainId, addressToBytes32(bttc.gatewayAddress), [], signatures),
      ethereum.gateway.interface,
      "EmptyBatch",
      [],
    );
  });

  it("isDelivered is false before a delivery and true after it, for that transfer only", async () => {
    const { bttc, ethereum } = world.chains;
    const recipient = await ethereum.signers[4]!.getAddress();
    const t = transferFrom(bttc, ethereum, 300n, recipient, parseEther("2"));
    const neighbour = transferFrom(bttc, ethereum, 301n, recipient, parseEther("2"));
    const otherSource = { ...t, srcChainId: world.chains.bsc.chainId, srcGateway: addressToBytes32(world.chains.bsc.gatewayAddress) };
    assert.equal(await isDelivered(ethereum, t), false);
    await deliverAll(world, ethereum, [t]);
    assert.equal(await isDelivered(ethereum, t), true);
    assert.equal(await isDelivered(ethereum, neighbour), false);
    assert.equal(await isDelivered(ethereum, otherSource), false);
    assert.equal(await ethereum.token!.getFunction("balanceOf")(recipient), parseEther("2"));
  });
});

describe("inbound: pause", () => {
  let world: World;
  before(async () => {
    world = await createWorld();
  });
  beforeEach(async () => world.reset());

  it("guardian pauses at once: deliveries and outbound transfers revert GatewayPaused until the timelock unpauses", async () => {
    const { bttc, ethereum } = world.chains;
    const guardian = ethereum.signers[1]!;
    const guardianAddress = await guardian.getAddress();
    const recipient = await ethereum.signers[4]!.getAddress();
    const one = transferFrom(bttc, ethereum, 1n, recipient, parseEther("3"));
    const two = transferFrom(bttc, ethereum, 2n, recipient, parseEther("4"));

    const paused = await mined(as(ethereum.gateway, guardian).getFunction("pause")());
    assert.deepEqual(eventArgs(gatewayEvents(ethereum, paused), "Paused"), [[guardianAddress]]);
    assert.equal(((await ethereum.gateway.getFunction("status")()) as { paused: boolean }).paused, true);

    const iface = ethereum.gateway.interface;
    await assertRevert(deliverAll(world, ethereum, [one]), iface, "GatewayPaused", []);
    await assertRevert(deliverAll(world, ethereum, [one, two]), iface, "GatewayPaused", []);
    const signatures = await attest(ethereum, [one], world.validators.slice(0, world.threshold));
    await assertRevert(submitDelivery(ethereum, [one], signatures, { batch: true }), iface, "GatewayPaused", []);
    // Outbound too: a paused gateway refuses before it looks at any balance.
    await assertRevert(
      as(ethereum.gateway, ethereum.signers[4]!).getFunction("bridge")(bttc.chainId, recipient, 1n),
      iface,
      "GatewayPaused",
      [],
    );
    await assertRevert(as(ethereum.gateway, guardian).getFunction("pause")(), iface, "GatewayPaused", []);
    await assertRevert(as(ethereum.gateway, guardian).getFunction("unpause")(), iface, "AccessControlUnauthorizedAccount", [
      guardianAddress,
      ZeroHash,
    ]);
    const deployerAddress = await ethereum.signers[0]!.getAddress();
    await assertRevert(ethereum.gateway.getFunction("unpause")(), iface, "AccessControlUnauthorizedAccount", [deployerAddress, ZeroHash]);
    assert.equal(await isDelivered(ethereum, one), false);

    const unpaused = await throughTimelock(ethereum, iface.encodeFunctionData("unpause"), "unpause");
    assert.deepEqual(eventArgs(gatewayEvents(ethereum, unpaused), "Unpaused"), [[await ethereum.timelock.getAddress()]]);
    assert.equal(((await ethereum.gateway.getFunction("status")()) as { paused: boolean }).paused, false);
    await deliverAll(world, ethereum, [one, two]);
    assert.equal(await isDelivered(ethereum, one), true);
    assert.equal(await isDelivered(ethereum, two), true);
    assert.equal(await ethereum.token!.getFunction("balanceOf")(recipient), parseEther("7"));

    // Unpausing what is not paused is refused, through the timelock as well.
    const call = { target: ethereum.gatewayAddress, data: iface.encodeFunctionData("unpause") };
    const salt = operationSalt("unpause again");
    await scheduleCall(ethereum.timelock, call, salt);
    await assertRevert(executeCall(ethereum.timelock, call, salt), iface, "GatewayNotPaused", []);
  });

  it("pausing BTTC stops its deliveries and its outbound bridge", async () => {
    const { bttc, ethereum } = world.chains;
    await lockOnBttc(world, parseEther("5"));
    await mined(as(bttc.gateway, bttc.signers[1]!).getFunction("pause")());
    const release = transferFrom(ethereum, bttc, 1n, "0x00000000000000000000000000000000000d1a17", parseEther("1"));
    await assertRevert(deliverAll(world, bttc, [release]), bttc.gateway.interface, "GatewayPaused", []);
    await assertRevert(
      as(bttc.gateway, bttc.signers[2]!).getFunction("bridge")(ethereum.chainId, await ethereum.signers[3]!.getAddress(), {
        value: parseEther("1"),
      }),
      bttc.gateway.interface,
      "GatewayPaused",
      [],
    );
    assert.equal((await bttcAccounting(bttc)).locked, parseEther("5"));
  });

  it("only the guardian pauses: AccessControlUnauthorizedAccount(account, GUARDIAN_ROLE)", async () => {
    const { ethereum } = world.chains;
    const stranger = ethereum.signers[4]!;
    await assertRevert(
      as(ethereum.gateway, stranger).getFunction("pause")(),
      ethereum.gateway.interface,
      "AccessControlUnauthorizedAccount",
      [await stranger.getAddress(), GUARDIAN_ROLE],
    );
    assert.equal(((await ethereum.gateway.getFunction("status")()) as { paused: boolean }).paused, false);
  });
});

describe("inbound: payouts a recipient refuses are deferred", () => {
  let world: World;
  before(async () => {
    world = await createWorld();
  });
  beforeEach(async () => world.reset());

  it("defers a release to a contract that reverts: PayoutDeferred, claimable, excluded from locked", async () => {
    const { bttc, ethereum } = world.chains;
    await lockOnBttc(world, parseEther("10"));
    const refuser = await deployRuntime(bttc.signers[0]!, ALWAYS_REVERTS);
    const eoa = "0x00000000000000000000000000000000000d1a18";
    const batch = [transferFrom(ethereum, bttc, 1n, refuser, parseEther("4")), transferFrom(ethereum, bttc, 2n, eoa, parseEther("1"))];
    assert.equal(await isDelivered(bttc, batch[0]!), false);
    const events = gatewayEvents(bttc, await deliverAll(world, bttc, batch));
    assert.deepEqual(eventArgs(events, "PayoutDeferred"), [[refuser, parseEther("4")]]);
    assert.deepEqual(eventArgs(events, "TransfersDelivered"), [[batch.map((t) => transferId(t))]]);
    assert.equal(await isDelivered(bttc, batch[0]!), true);
    assert.equal(await nativeBalance(bttc, refuser), 0n);
    assert.equal(await nativeBalance(bttc, eoa), parseEther("1"));
    assert.equal(await bttc.gateway.getFunction("claimable")(refuser), parseEther("4"));
    assert.deepEqual(await bttcAccounting(bttc), {
      locked: parseEther("5"),
      reserveBalance: 0n,
      reservePaid: 0n,
      feesHeld: 0n,
      claimableTotal: parseEther("4"),
    });
    assert.equal(await nativeBalance(bttc, bttc.gatewayAddress), parseEther("9"));
    // The deferred amount is not locked any more: it cannot pay another release.
    const next = transferFrom(ethereum, bttc, 3n, eoa, parseEther("5") + 1n);
    await assertRevert(deliverAll(world, bttc, [next]), bttc.gateway.interface, "LockedInsufficient", [
      parseEther("5") + 1n,
      parseEther("5"),
    ]);
  });

  it("defers a payout to a contract that burns all the gas it is given", async () => {
    const { bttc, ethereum } = world.chains;
    await lockOnBttc(world, parseEther("10"));
    const burner = await deployRuntime(bttc.signers[0]!, BURNS_ALL_GAS);
    const release = transferFrom(ethereum, bttc, 1n, burner, parseEther("2"));
    const receipt = await deliverAll(world, bttc, [release]);
    assert.deepEqual(eventArgs(gatewayEvents(bttc, receipt), "PayoutDeferred"), [[burner, parseEther("2")]]);
    assert.ok(receipt.gasUsed < 200_000n, `delivery used ${receipt.gasUsed} gas`);
    assert.equal(await bttc.gateway.getFunction("claimable")(burner), parseEther("2"));
    assert.equal((await bttcAccounting(bttc)).claimableTotal, parseEther("2"));
  });

  it("lets the deferred recipient claim to another address, once", async () => {
    const { bttc, ethereum } = world.chains;
    await mined(as(bttc.gateway, bttc.signers[5]!).getFunction("fundReserve")({ value: parseEther("20") }));
    const holder = await deployRuntime(bttc.signers[0]!, forwarderRuntime(bttc.gatewayAddress));
    const swap = transferFrom(ethereum, bttc, 1n, holder, parseEther("7"), TransferKind.Swap);
    const delivered = await deliverAll(world, bttc, [swap]);
    assert.deepEqual(eventArgs(gatewayEvents(bttc, delivered), "PayoutDeferred"), [[holder, parseEther("7")]]);
    let accounting = await bttcAccounting(bttc);
    assert.equal(accounting.reserveBalance, parseEther("13"));
    assert.equal(accounting.reservePaid, parseEther("7"));
    assert.equal(accounting.claimableTotal, parseEther("7"));
    assert.equal(accounting.locked, 0n);

    const iface = bttc.gateway.interface;
    const caller = bttc.signers[6]!;
    const viaHolder = (data: string) => caller.sendTransaction({ to: holder, data });
    // Neither to the zero address nor to a recipient that refuses the coins.
    await assertRevert(viaHolder(iface.encodeFunctionData("claim", [ZeroAddress])), iface, "ZeroRecipient", []);
    const refuser = await deployRuntime(bttc.signers[0]!, ALWAYS_REVERTS);
    await assertRevert(viaHolder(iface.encodeFunctionData("claim", [refuser])), iface, "PayoutFailed", [refuser, parseEther("7")]);

    const to = "0x00000000000000000000000000000000000d1a19";
    const claimed = await (await viaHolder(iface.encodeFunctionData("claim", [to]))).wait();
    assert.ok(claimed);
    assert.deepEqual(eventArgs(gatewayEvents(bttc, claimed), "Claimed"), [[holder, getAddress(to), parseEther("7")]]);
    assert.equal(await nativeBalance(bttc, to), parseEther("7"));
    assert.equal(await bttc.gateway.getFunction("claimable")(holder), 0n);
    accounting = await bttcAccounting(bttc);
    assert.equal(accounting.claimableTotal, 0n);
    assert.equal(accounting.locked, 0n);
    assert.equal(accounting.reserveBalance, parseEther("13"));
    assert.equal(await nativeBalance(bttc, bttc.gatewayAddress), parseEther("13"));
    await assertRevert(viaHolder(iface.encodeFunctionData("claim", [to])), iface, "NothingToClaim", [holder]);
  });

  it("lets anyone push a deferred payout to a recipient contract that cannot call claim: claimFor", async () => {
    const { bttc, ethereum } = world.chains;
    await lockOnBttc(world, parseEther("10"));
    const needy = await deployRuntime(bttc.signers[0]!, NEEDS_50K_GAS);
    const release = transferFrom(ethereum, bttc, 1n, needy, parseEther("6"));
    const delivered = await deliverAll(world, bttc, [release]);
    assert.deepEqual(eventArgs(gatewayEvents(bttc, delivered), "PayoutDeferred"), [[needy, parseEther("6")]]);
    assert.equal(await nativeBalance(bttc, needy), 0n);

    const stranger = as(bttc.gateway, bttc.signers[8]!);
    const claimed = await mined(stranger.getFunction("claimFor")(needy));
    assert.deepEqual(eventArgs(gatewayEvents(bttc, claimed), "Claimed"), [[needy, needy, parseEther("6")]]);
    assert.equal(await nativeBalance(bttc, needy), parseEther("6"));
    assert.equal(await bttc.gateway.getFunction("claimable")(needy), 0n);
    assert.equal((await bttcAccounting(bttc)).claimableTotal, 0n);
    assert.equal((await bttcAccounting(bttc)).locked, parseEther("4"));
    await assertRevert(stranger.getFunction("claimFor")(needy), bttc.gateway.interface, "NothingToClaim", [needy]);
  });

  it("refuses a delivery sent with too little gas for the payout, rather than deferring it: PayoutGasTooLow", async () => {
    const { bttc, ethereum } = world.chains;
    await lockOnBttc(world, parseEther("10"));
    const eoa = "0x00000000000000000000000000000000000d1a1b";
    const release = transferFrom(ethereum, bttc, 1n, eoa, parseEther("2"));
    const signatures = await attest(bttc, [release], world.validators.slice(0, world.threshold));
    const { srcChainId, srcGateway, items } = toDeliveryArgs([release]);
    const gateway = as(bttc.gateway, bttc.signers[9]!);
    const estimate: bigint = await gateway.getFunction("deliver").estimateGas(srcChainId, srcGateway, items[0], signatures);
    // Find a gas limit that reaches the payout without enough left to give the recipient its full
    // 30,000 gas (below it the call runs out of gas earlier; above it the payout proceeds).
    const data = gateway.interface.encodeFunctionData("deliver", [srcChainId, srcGateway, items[0], signatures]);
    const provider = bttc.connection.ethers.provider;
    let gasLimit: bigint | undefined;
    for (let gas = estimate; gas > estimate - 60_000n && gasLimit === undefined; gas -= 1_000n) {
      try {
        await provider.call({ to: bttc.gatewayAddress, data, gasLimit: gas, from: await bttc.signers[9]!.getAddress() });
      } catch (error) {
        const revert = (error as { data?: unknown }).data; // revert data, or an out-of-gas description
        if (typeof revert === "string" && revert.length >= 10) {
          if (bttc.gateway.interface.parseError(revert)?.name === "PayoutGasTooLow") gasLimit = gas;
        }
      }
    }
    assert.ok(gasLimit !== undefined, "some gas limit between estimate - 60,000 and the estimate starves the payout");
    const starved = gateway.getFunction("deliver")(srcChainId, srcGateway, items[0], signatures, { gasLimit });
    await assertRevert(starved, bttc.gateway.interface, "PayoutGasTooLow");
    assert.equal(await isDelivered(bttc, release), false);
    assert.equal(await bttc.gateway.getFunction("claimable")(eoa), 0n);
    await mined(gateway.getFunction("deliver")(srcChainId, srcGateway, items[0], signatures));
    assert.equal(await nativeBalance(bttc, eoa), parseEther("2"));
  });

  it("refuses a claim with nothing owed: NothingToClaim(account)", async () => {
    const { bttc } = world.chains;
    const account = bttc.signers[7]!;
    await assertRevert(
      as(bttc.gateway, account).getFunction("claim")(await account.getAddress()),
      bttc.gateway.interface,
      "NothingToClaim",
      [await account.getAddress()],
    );
  });

  it("pays an EOA directly, with nothing left claimable", async () => {
    const { bttc, ethereum } = world.chains;
    const sent = await mined(
      as(bttc.gateway, bttc.signers[2]!).getFunction("bridge")(ethereum.chainId, await ethereum.signers[3]!.getAddress(), {
        value: parseEther("3"),
      }),
    );
    assert.equal(transfersSentBy(bttc, sent).length, 1);
    const eoa = "0x00000000000000000000000000000000000d1a1a";
    const events = gatewayEvents(bttc, await deliverAll(world, bttc, [transferFrom(ethereum, bttc, 1n, eoa, parseEther("3"))]));
    assert.deepEqual(eventArgs(events, "PayoutDeferred"), []);
    assert.equal(await nativeBalance(bttc, eoa), parseEther("3"));
    assert.equal(await bttc.gateway.getFunction("claimable")(eoa), 0n);
    assert.deepEqual(await bttcAccounting(bttc), {
      locked: 0n,
      reserveBalance: 0n,
      reservePaid: 0n,
      feesHeld: 0n,
      claimableTotal: 0n,
    });
  });
});
