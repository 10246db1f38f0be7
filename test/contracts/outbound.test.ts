// Outbound transfers: gapless sequence numbers shared by bridge and redenominate, the custom errors of
// refused transfers, flat fees kept at the source (and withdrawn through the timelock), the 1:1000
// redenomination with allowance or EIP-2612 permit, and the pause.
import assert from "node:assert/strict";
import { before, beforeEach, describe, it } from "node:test";
import { Signature, ZeroAddress, ZeroHash, getAddress, parseEther, parseUnits } from "ethers";
import type { Contract, LogDescription, Signer, TransactionReceipt } from "ethers";
import { network } from "hardhat";
import { TransferKind, addressToBytes32, sequenceToRef, type Transfer } from "../../common/transfer.ts";
import { executeCall, operationSalt, scheduleCall } from "../../common/timelock.ts";
import { deployChain } from "../../deploy/bridge.ts";
import { assertRevert } from "../../testkit/errors.ts";
import {
  as,
  createWorld,
  deliverAll,
  gatewayEvents,
  mined,
  throughTimelock,
  transfersSentBy,
  type Chain,
  type World,
} from "../../testkit/world.ts";
import { CHAIN_IDS } from "../../testkit/constants.ts";

const TRON_CHAIN_ID = CHAIN_IDS.tron;

function eventArgs(events: LogDescription[], name: string): unknown[][] {
  return events.filter((e) => e.name === name).map((e) => [...e.args]);
}

async function sequenceOf(chain: Chain): Promise<bigint> {
  return ((await chain.gateway.getFunction("status")()) as { sequence: bigint }).sequence;
}

async function nativeBalance(chain: Chain, address: string): Promise<bigint> {
  return chain.connection.ethers.provider.getBalance(address);
}

async function tokenBalance(token: Contract, address: string): Promise<bigint> {
  return (await token.getFunction("balanceOf")(address)) as bigint;
}

async function bttcAccounting(chain: Chain) {
  const [locked, reserveBalance, reservePaid, feesHeld, claimableTotal] = (await chain.gateway.getFunction("accounting")()) as bigint[];
  return { locked, reserveBalance, reservePaid, feesHeld, claimableTotal };
}

async function remoteAccounting(gateway: Contract) {
  const [bridgedSupply, feesHeld, legacyReceived, swapOwed] = (await gateway.getFunction("accounting")()) as bigint[];
  return { bridgedSupply, feesHeld, legacyReceived, swapOwed };
}

/** Gives `holder` on a remote chain `amount` of bridged BTT the real way: lock on BTTC, deliver. */
async function fundBridged(world: World, chain: Chain, holder: string, amount: bigint): Promise<void> {
  const { bttc } = world.chains;
  const sent = await mined(as(bttc.gateway, bttc.signers[2]!).getFunction("bridge")(chain.chainId, holder, { value: amount }));
  await deliverAll(world, chain, transfersSentBy(bttc, sent));
}

/** Mints legacy BTTOLD to `holder` (the mock's owner is signers[0]). */
async function mintLegacy(chain: Chain, holder: string, amount: bigint): Promise<void> {
  await mined(as(chain.legacyToken!, chain.signers[0]!).getFunction("mint")(holder, amount));
}

/** Schedules an admin call and returns the promise of its execution (to assert a revert on). */
async function scheduledExecution(chain: Chain, data: string, label: string): Promise<void> {
  const call = { target: chain.gatewayAddress, data };
  const salt = operationSalt(label);
  await scheduleCall(chain.timelock, call, salt);
  return executeCall(chain.timelock, call, salt);
}

/** An EIP-2612 permit of the legacy token, signed by `owner` for the gateway. */
async function signPermit(chain: Chain, owner: Signer, value: bigint, deadline: bigint) {
  const legacy = chain.legacyToken!;
  const ownerAddress = await owner.getAddress();
  const nonce = (await legacy.getFunction("nonces")(ownerAddress)) as bigint;
  const domain = {
    name: "BitTorrent (legacy)",
    version: "1",
    chainId: chain.chainId,
    verifyingContract: await legacy.getAddress(),
  };
  const types = {
    Permit: [
      { name: "owner", type: "address" },
      { name: "spender", type: "address" },
      { name: "value", type: "uint256" },
      { name: "nonce", type: "uint256" },
      { name: "deadline", type: "uint256" },
    ],
  };
  const raw = await owner.signTypedData(domain, types, {
    owner: ownerAddress,
    spender: chain.gatewayAddress,
    value,
    nonce,
    deadline,
  });
  const sig = Signature.from(raw);
  return { v: sig.v, r: sig.r, s: sig.s };
}

async function inAnHour(chain: Chain): Promise<bigint> {
  return BigInt(await chain.connection.networkHelpers.time.latest()) + 3600n;
}

describe("outbound: sequence numbers", () => {
  let world: World;
  before(async () => {
    world = await createWorld();
  });
  beforeEach(async () => world.reset());

  it("numbers bridge and redenominate from 1 in one sequence without gaps, failed calls taking none", async () => {
    const { bttc, ethereum, bsc } = world.chains;
    const holder = ethereum.signers[4]!;
    const holderAddress = await holder.getAddress();
    await fundBridged(world, ethereum, holderAddress, parseEther("100"));
    await mintLegacy(ethereum, holderAddress, parseEther("10"));
    await mined(as(ethereum.legacyToken!, holder).getFunction("approve")(ethereum.gatewayAddress, parseEther("10")));
    assert.equal(await sequenceOf(ethereum), 0n);
    assert.equal(await sequenceOf(bttc), 1n); // the lock that funded the holder

    const gateway = as(ethereum.gateway, holder);
    const recipient = await bsc.signers[5]!.getAddress();
    const steps: Array<() => Promise<TransactionReceipt>> = [
      () => mined(gateway.getFunction("bridge")(bsc.chainId, recipient, parseEther("1"))),
      () => mined(gateway.getFunction("redenominate")(recipient, parseEther("1"))),
      () => mined(gateway.getFunction("bridge")(bttc.chainId, recipient, parseEther("2"))),
      () => mined(gateway.getFunction("redenominate")(recipient, parseEther("2"))),
      () => mined(gateway.getFunction("redenominate")(recipient, parseEther("3"))),
      () => mined(gateway.getFunction("bridge")(bsc.chainId, recipient, parseEther("3"))),
    ];
    const sequences: bigint[] = [];
    const kinds: number[] = [];
    for (const [i, step] of steps.entries()) {
      if (i === 3) {
        // A refused transfer in between takes no number.
        await assertRevert(gateway.getFunction("bridge")(bsc.chainId, recipient, 0n), ethereum.gateway.interface, "ZeroAmount", []);
        await assertRevert(
          gateway.getFunction("redenominate")(recipient, parseEther("1000")),
          ethereum.legacyToken!.interface,
          "ERC20InsufficientAllowance",
          [ethereum.gatewayAddress, parseEther("9"), parseEther("1000")],
        );
      }
      const receipt = await step();
      const events = gatewayEvents(ethereum, receipt).filter((e) => e.name === "TransferSent" || e.name === "SwapSent");
      assert.equal(events.length, 1);
      sequences.push(events[0]!.args.getValue("sequence") as bigint);
      const [transfer] = transfersSentBy(ethereum, receipt);
      assert.equal(transfer!.srcRef, sequenceToRef(sequences.at(-1)!));
      kinds.push(transfer!.kind);
    }
    assert.deepEqual(sequences, [1n, 2n, 3n, 4n, 5n, 6n]);
    assert.deepEqual(kinds, [0, 1, 0, 1, 1, 0]);
    assert.equal(await sequenceOf(ethereum), 6n);
    assert.equal(await sequenceOf(bsc), 0n);
    assert.equal(await sequenceOf(bttc), 1n);
  });

  it("numbers BTTC's locks from 1 on their own", async () => {
    const { bttc, ethereum, bsc } = world.chains;
    const gateway = as(bttc.gateway, bttc.signers[2]!);
    const recipient = await ethereum.signers[3]!.getAddress();
    const sequences: bigint[] = [];
    for (const dst of [ethereum.chainId, bsc.chainId, ethereum.chainId]) {
      const [t] = transfersSentBy(bttc, await mined(gateway.getFunction("bridge")(dst, recipient, { value: parseEther("1") })));
      sequences.push(BigInt(t!.srcRef));
    }
    assert.deepEqual(sequences, [1n, 2n, 3n]);
    assert.equal(await sequenceOf(bttc), 3n);
  });
});

describe("outbound: refused transfers", () => {
  let world: World;
  before(async () => {
    world = await createWorld();
  });
  beforeEach(async () => world.reset());

  it("BTTC: ZeroAmount, ZeroRecipient, UnsupportedDestination(id), DestinationIsThisChain(id)", async () => {
    const { bttc, ethereum } = world.chains;
    const gateway = as(bttc.gateway, bttc.signers[2]!);
    const iface = bttc.gateway.interface;
    const recipient = await ethereum.signers[3]!.getAddress();
    const one = { value: parseEther("1") };
    await assertRevert(gateway.getFunction("bridge")(ethereum.chainId, recipient, { value: 0n }), iface, "ZeroAmount", []);
    await assertRevert(gateway.getFunction("bridge")(ethereum.chainId, ZeroAddress, one), iface, "ZeroRecipient", []);
    await assertRevert(gateway.getFunction("bridge")(999n, recipient, one), iface, "UnsupportedDestination", [999n]);
    await assertRevert(gateway.getFunction("bridge")(TRON_CHAIN_ID, recipient, one), iface, "UnsupportedDestination", [TRON_CHAIN_ID]);
    await assertRevert(gateway.getFunction("bridge")(bttc.chainId, recipient, one), iface, "DestinationIsThisChain", [bttc.chainId]);
    assert.equal(await sequenceOf(bttc), 0n);
    assert.equal(await nativeBalance(bttc, bttc.gatewayAddress), 0n);
  });

  it("remote: ZeroAmount, ZeroRecipient, UnsupportedDestination(id), DestinationIsThisChain(id), ERC20InsufficientBalance", async () => {
    const { bttc, ethereum, bsc } = world.chains;
    const holder = ethereum.signers[4]!;
    const holderAddress = await holder.getAddress();
    await fundBridged(world, ethereum, holderAddress, parseEther("5"));
    const gateway = as(ethereum.gateway, holder);
    const iface = ethereum.gateway.interface;
    const recipient = await bsc.signers[3]!.getAddress();
    await assertRevert(gateway.getFunction("bridge")(bsc.chainId, recipient, 0n), iface, "ZeroAmount", []);
    await assertRevert(gateway.getFunction("bridge")(bsc.chainId, ZeroAddress, 1n), iface, "ZeroRecipient", []);
    await assertRevert(gateway.getFunction("bridge")(12345n, recipient, 1n), iface, "UnsupportedDestination", [12345n]);
    await assertRevert(gateway.getFunction("bridge")(ethereum.chainId, recipient, 1n), iface, "DestinationIsThisChain", [ethereum.chainId]);
    await assertRevert(gateway.getFunction("bridge")(bttc.chainId, recipient, parseEther("5") + 1n), iface, "ERC20InsufficientBalance", [
      holderAddress,
      parseEther("5"),
      parseEther("5") + 1n,
    ]);
    // Someone without any bridged BTT.
    const empty = ethereum.signers[6]!;
    await assertRevert(as(ethereum.gateway, empty).getFunction("bridge")(bsc.chainId, recipient, 1n), iface, "ERC20InsufficientBalance", [
      await empty.getAddress(),
      0n,
      1n,
    ]);
    assert.equal(await sequenceOf(ethereum), 0n);
    assert.equal(await tokenBalance(ethereum.token!, holderAddress), parseEther("5"));
    assert.equal(await ethereum.token!.getFunction("totalSupply")(), parseEther("5"));
  });

  it("redenominate: ZeroAmount, ZeroRecipient, and no swap without allowance", async () => {
    const { ethereum } = world.chains;
    const holder = ethereum.signers[4]!;
    const holderAddress = await holder.getAddress();
    await mintLegacy(ethereum, holderAddress, 1000n);
    const gateway = as(ethereum.gateway, holder);
    const iface = ethereum.gateway.interface;
    const recipient = "0x00000000000000000000000000000000000c0de1";
    await assertRevert(gateway.getFunction("redenominate")(recipient, 0n), iface, "ZeroAmount", []);
    await assertRevert(gateway.getFunction("redenominate")(ZeroAddress, 10n), iface, "ZeroRecipient", []);
    await assertRevert(gateway.getFunction("redenominate")(recipient, 10n), ethereum.legacyToken!.interface, "ERC20InsufficientAllowance", [
      ethereum.gatewayAddress,
      0n,
      10n,
    ]);
    assert.equal(await sequenceOf(ethereum), 0n);
    assert.equal(await tokenBalance(ethereum.legacyToken!, holderAddress), 1000n);
  });
});

describe("outbound: route minimum", () => {
  const MIN = parseEther("2");
  let world: World;
  before(async () => {
    world = await createWorld({ minAmount: MIN });
  });
  beforeEach(async () => world.reset());

  it("refuses less than the route minimum with AmountBelowMinimum(amount, minimum), on BTTC and remote", async () => {
    const { bttc, ethereum, bsc } = world.chains;
    const recipient = await ethereum.signers[3]!.getAddress();
    const route = (await bttc.gateway.getFunction("route")(ethereum.chainId)) as { enabled: boolean; fee: bigint; minAmount: bigint };
    assert.deepEqual([route.enabled, route.fee, route.minAmount], [true, 0n, MIN]);
    const lock = as(bttc.gateway, bttc.signers[2]!).getFunction("bridge");
    await assertRevert(lock(ethereum.chainId, recipient, { value: MIN - 1n }), bttc.gateway.interface, "AmountBelowMinimum", [
      MIN - 1n,
      MIN,
    ]);
    await mined(lock(ethereum.chainId, recipient, { value: MIN }));
    assert.equal(await sequenceOf(bttc), 1n);

    const holder = ethereum.signers[4]!;
    await fundBridged(world, ethereum, await holder.getAddress(), parseEther("10"));
    const burn = as(ethereum.gateway, holder).getFunction("bridge");
    await assertRevert(burn(bsc.chainId, recipient, MIN - 1n), ethereum.gateway.interface, "AmountBelowMinimum", [MIN - 1n, MIN]);
    await mined(burn(bsc.chainId, recipient, MIN));
    assert.equal(await ethereum.token!.getFunction("totalSupply")(), parseEther("10") - MIN);
  });
});

describe("outbound: fees", () => {
  const FEE = parseEther("0.5");
  let world: World;
  before(async () => {
    world = await createWorld({ fee: FEE });
  });
  beforeEach(async () => world.reset());

  it("refuses an amount not above the fee: AmountNotAboveFee(amount, fee); zero is ZeroAmount", async () => {
    const { bttc, ethereum } = world.chains;
    const recipient = await ethereum.signers[3]!.getAddress();
    const lock = as(bttc.gateway, bttc.signers[2]!).getFunction("bridge");
    const iface = bttc.gateway.interface;
    await assertRevert(lock(ethereum.chainId, recipient, { value: FEE }), iface, "AmountNotAboveFee", [FEE, FEE]);
    await assertRevert(lock(ethereum.chainId, recipient, { value: FEE - 1n }), iface, "AmountNotAboveFee", [FEE - 1n, FEE]);
    await assertRevert(lock(ethereum.chainId, recipient, { value: 0n }), iface, "ZeroAmount", []);
    const sent = await mined(lock(ethereum.chainId, recipient, { value: FEE + 1n }));
    assert.equal(transfersSentBy(bttc, sent)[0]!.amount, 1n);

    const holder = ethereum.signers[4]!;
    await fundBridged(world, ethereum, await holder.getAddress(), parseEther("3"));
    const burn = as(ethereum.gateway, holder).getFunction("bridge");
    await assertRevert(burn(bttc.chainId, recipient, FEE), ethereum.gateway.interface, "AmountNotAboveFee", [FEE, FEE]);
    await assertRevert(burn(bttc.chainId, recipient, 0n), ethereum.gateway.interface, "ZeroAmount", []);
  });

  it("remote: burning more than the balance reverts ERC20InsufficientBalance and burns nothing", async () => {
    const { bttc, ethereum } = world.chains;
    const holder = ethereum.signers[4]!;
    const holderAddress = await holder.getAddress();
    await fundBridged(world, ethereum, holderAddress, parseEther("3.5")); // arrives as 3
    const burn = as(ethereum.gateway, holder).getFunction("bridge");
    const recipient = await bttc.signers[3]!.getAddress();
    await assertRevert(burn(bttc.chainId, recipient, parseEther("4") + 1n), ethereum.gateway.interface, "ERC20InsufficientBalance", [
      holderAddress,
      parseEther("3"),
      parseEther("4") + 1n,
    ]);
    // Enough for the burned part but not for the fee on top: the whole amount is reported short.
    await assertRevert(burn(bttc.chainId, recipient, parseEther("3.2")), ethereum.gateway.interface, "ERC20InsufficientBalance", [
      holderAddress,
      parseEther("3"),
      parseEther("3.2"),
    ]);
    assert.equal(await tokenBalance(ethereum.token!, holderAddress), parseEther("3"));
    assert.equal(await ethereum.token!.getFunction("totalSupply")(), parseEther("3"));
    assert.equal(await sequenceOf(ethereum), 0n);
  });

  it("BTTC: a lock of A carries A - F and holds F apart from locked BTT", async () => {
    const { bttc, ethereum } = world.chains;
    const sender = bttc.signers[2]!;
    const recipient = await ethereum.signers[3]!.getAddress();
    const amount = parseEther("10");
    const receipt = await mined(as(bttc.gateway, sender).getFunction("bridge")(ethereum.chainId, recipient, { value: amount }));
    assert.deepEqual(eventArgs(gatewayEvents(bttc, receipt), "TransferSent"), [
      [1n, ethereum.chainId, await sender.getAddress(), recipient, amount - FEE, FEE],
    ]);
    assert.deepEqual(await bttcAccounting(bttc), {
      locked: amount - FEE,
      reserveBalance: 0n,
      reservePaid: 0n,
      feesHeld: FEE,
      claimableTotal: 0n,
    });
    assert.equal(await nativeBalance(bttc, bttc.gatewayAddress), amount);
    await deliverAll(world, ethereum, transfersSentBy(bttc, receipt));
    assert.equal(await tokenBalance(ethereum.token!, recipient), amount - FEE);
    assert.equal(await ethereum.token!.getFunction("totalSupply")(), amount - FEE);
  });

  it("remote: a burn of A burns A - F and the gateway keeps F", async () => {
    const { bttc, ethereum, bsc } = world.chains;
    const holder = ethereum.signers[4]!;
    const holderAddress = await holder.getAddress();
    await fundBridged(world, ethereum, holderAddress, parseEther("10.5")); // arrives as 10
    assert.equal(await tokenBalance(ethereum.token!, holderAddress), parseEther("10"));
    const supplyBefore = (await ethereum.token!.getFunction("totalSupply")()) as bigint;

    const recipient = await bsc.signers[5]!.getAddress();
    const amount = parseEther("4");
    const receipt = await mined(as(ethereum.gateway, holder).getFunction("bridge")(bsc.chainId, recipient, amount));
    assert.deepEqual(eventArgs(gatewayEvents(ethereum, receipt), "TransferSent"), [
      [1n, bsc.chainId, holderAddress, recipient, amount - FEE, FEE],
    ]);
    assert.equal(await ethereum.token!.getFunction("totalSupply")(), supplyBefore - (amount - FEE));
    assert.equal(await tokenBalance(ethereum.token!, holderAddress), parseEther("6"));
    assert.equal(await tokenBalance(ethereum.token!, ethereum.gatewayAddress), FEE);
    assert.deepEqual(await remoteAccounting(ethereum.gateway), {
      bridgedSupply: parseEther("6") + FEE,
      feesHeld: FEE,
      legacyReceived: 0n,
      swapOwed: 0n,
    });
    await deliverAll(world, bsc, transfersSentBy(ethereum, receipt));
    assert.equal(await tokenBalance(bsc.token!, recipient), amount - FEE);
    // Accounting invariant: BTTC's locked BTT backs all bridged BTT, the remote gateways' fees included.
    const bttcLocked = (await bttcAccounting(bttc)).locked;
    assert.equal(bttcLocked, parseEther("10"));
    const remoteSupply =
      ((await ethereum.token!.getFunction("totalSupply")()) as bigint) + ((await bsc.token!.getFunction("totalSupply")()) as bigint);
    assert.equal(bttcLocked, remoteSupply);
  });

  it("BTTC: withdrawFees through the timelock pays exactly the fee; more than held is FeesInsufficient", async () => {
    const { bttc, ethereum } = world.chains;
    const recipient = await ethereum.signers[3]!.getAddress();
    const lock = as(bttc.gateway, bttc.signers[2]!).getFunction("bridge");
    await mined(lock(ethereum.chainId, recipient, { value: parseEther("10") }));
    await mined(lock(ethereum.chainId, recipient, { value: parseEther("20") }));
    const iface = bttc.gateway.interface;
    const to = "0x00000000000000000000000000000000000fee01";

    // Not directly by anyone, the deployer included.
    const deployerAddress = await bttc.signers[0]!.getAddress();
    await assertRevert(bttc.gateway.getFunction("withdrawFees")(to, FEE), iface, "AccessControlUnauthorizedAccount", [
      deployerAddress,
      ZeroHash,
    ]);
    await assertRevert(
      scheduledExecution(bttc, iface.encodeFunctionData("withdrawFees", [to, 2n * FEE + 1n]), "too much"),
      iface,
      "FeesInsufficient",
      [2n * FEE + 1n, 2n * FEE],
    );
    await assertRevert(
      scheduledExecution(bttc, iface.encodeFunctionData("withdrawFees", [ZeroAddress, FEE]), "to nobody"),
      iface,
      "ZeroRecipient",
      [],
    );

    const receipt = await throughTimelock(bttc, iface.encodeFunctionData("withdrawFees", [to, FEE + 1n]), "withdraw");
    assert.deepEqual(eventArgs(gatewayEvents(bttc, receipt), "FeesWithdrawn"), [[getAddress(to), FEE + 1n]]);
    assert.equal(await nativeBalance(bttc, to), FEE + 1n);
    assert.deepEqual(await bttcAccounting(bttc), {
      locked: parseEther("30") - 2n * FEE,
      reserveBalance: 0n,
      reservePaid: 0n,
      feesHeld: FEE - 1n,
      claimableTotal: 0n,
    });
    await assertRevert(
      scheduledExecution(bttc, iface.encodeFunctionData("withdrawFees", [to, FEE]), "rest plus one"),
      iface,
      "FeesInsufficient",
      [FEE, FEE - 1n],
    );
    await throughTimelock(bttc, iface.encodeFunctionData("withdrawFees", [to, FEE - 1n]), "rest");
    assert.equal(await nativeBalance(bttc, to), 2n * FEE);
    assert.equal((await bttcAccounting(bttc)).feesHeld, 0n);
    assert.equal((await bttcAccounting(bttc)).locked, parseEther("30") - 2n * FEE);
    assert.equal(await nativeBalance(bttc, bttc.gatewayAddress), parseEther("30") - 2n * FEE);
  });

  it("remote: withdrawFees through the timelock moves the held BTT; more than held is FeesInsufficient", async () => {
    const { bttc, ethereum } = world.chains;
    const holder = ethereum.signers[4]!;
    await fundBridged(world, ethereum, await holder.getAddress(), parseEther("10.5"));
    await mined(as(ethereum.gateway, holder).getFunction("bridge")(bttc.chainId, await bttc.signers[3]!.getAddress(), parseEther("4")));
    const supply = (await ethereum.token!.getFunction("totalSupply")()) as bigint;
    const iface = ethereum.gateway.interface;
    const to = "0x00000000000000000000000000000000000fee02";
    await assertRevert(
      scheduledExecution(ethereum, iface.encodeFunctionData("withdrawFees", [to, FEE + 1n]), "too much"),
      iface,
      "FeesInsufficient",
      [FEE + 1n, FEE],
    );
    const receipt = await throughTimelock(ethereum, iface.encodeFunctionData("withdrawFees", [to, FEE]), "withdraw");
    assert.deepEqual(eventArgs(gatewayEvents(ethereum, receipt), "FeesWithdrawn"), [[getAddress(to), FEE]]);
    assert.equal(await tokenBalance(ethereum.token!, to), FEE);
    assert.equal(await tokenBalance(ethereum.token!, ethereum.gatewayAddress), 0n);
    assert.equal(await ethereum.token!.getFunction("totalSupply")(), supply);
    assert.equal((await remoteAccounting(ethereum.gateway)).feesHeld, 0n);
  });
});

describe("outbound: redenomination", () => {
  let world: World;
  before(async () => {
    world = await createWorld();
  });
  beforeEach(async () => world.reset());

  it("18-decimal BTTOLD: SwapSent carries exactly 1,000x, to BTTC, and the BTTOLD stays in the gateway", async () => {
    const { bttc, ethereum } = world.chains;
    const holder = ethereum.signers[4]!;
    const holderAddress = await holder.getAddress();
    const legacyAmount = parseUnits("1.000000000000000001", 18);
    await mintLegacy(ethereum, holderAddress, legacyAmount);
    await mined(as(ethereum.legacyToken!, holder).getFunction("approve")(ethereum.gatewayAddress, legacyAmount));
    const recipient = "0x00000000000000000000000000000000000c0de2";
    const receipt = await mined(as(ethereum.gateway, holder).getFunction("redenominate")(recipient, legacyAmount));
    assert.deepEqual(eventArgs(gatewayEvents(ethereum, receipt), "SwapSent"), [
      [1n, bttc.chainId, holderAddress, getAddress(recipient), legacyAmount * 1000n, legacyAmount],
    ]);
    const [t] = transfersSentBy(ethereum, receipt);
    assert.deepEqual(t, {
      srcChainId: ethereum.chainId,
      srcGateway: addressToBytes32(ethereum.gatewayAddress),
      srcRef: sequenceToRef(1n),
      kind: TransferKind.Swap,
      dstChainId: CHAIN_IDS.bttc,
      recipient: getAddress(recipient),
      amount: 1_000_000_000_000_000_001_000n,
    } satisfies Transfer);
    assert.equal(await tokenBalance(ethereum.legacyToken!, ethereum.gatewayAddress), legacyAmount);
    assert.equal(await tokenBalance(ethereum.legacyToken!, holderAddress), 0n);
    assert.deepEqual(await remoteAccounting(ethereum.gateway), {
      bridgedSupply: 0n,
      feesHeld: 0n,
      legacyReceived: legacyAmount,
      swapOwed: legacyAmount * 1000n,
    });
  });

  it("6-decimal BTTOLD: one base unit becomes 10^15 wei", async () => {
    const { bttc, bsc } = world.chains;
    const holder = bsc.signers[4]!;
    const holderAddress = await holder.getAddress();
    await mintLegacy(bsc, holderAddress, 123_456_789n);
    await mined(as(bsc.legacyToken!, holder).getFunction("approve")(bsc.gatewayAddress, 123_456_789n));
    const recipient = "0x00000000000000000000000000000000000c0de3";
    const gateway = as(bsc.gateway, holder);
    const first = await mined(gateway.getFunction("redenominate")(recipient, 1n));
    const second = await mined(gateway.getFunction("redenominate")(recipient, 123_456_788n));
    assert.deepEqual(eventArgs(gatewayEvents(bsc, first), "SwapSent"), [
      [1n, bttc.chainId, holderAddress, getAddress(recipient), 10n ** 15n, 1n],
    ]);
    assert.deepEqual(eventArgs(gatewayEvents(bsc, second), "SwapSent"), [
      [2n, bttc.chainId, holderAddress, getAddress(recipient), 123_456_788n * 10n ** 15n, 123_456_788n],
    ]);
    assert.deepEqual(await remoteAccounting(bsc.gateway), {
      bridgedSupply: 0n,
      feesHeld: 0n,
      legacyReceived: 123_456_789n,
      swapOwed: 123_456_789n * 10n ** 15n,
    });
    assert.equal(await tokenBalance(bsc.legacyToken!, bsc.gatewayAddress), 123_456_789n);
  });

  it("refuses less than the swap minimum set through the timelock: AmountBelowMinimum(amount, minimum)", async () => {
    const { ethereum } = world.chains;
    const iface = ethereum.gateway.interface;
    const minimum = parseEther("5");
    const deployerAddress = await ethereum.signers[0]!.getAddress();
    await assertRevert(ethereum.gateway.getFunction("setSwapMinimum")(minimum), iface, "AccessControlUnauthorizedAccount", [
      deployerAddress,
      ZeroHash,
    ]);
    const set = await throughTimelock(ethereum, iface.encodeFunctionData("setSwapMinimum", [minimum]), "swap minimum");
    assert.deepEqual(eventArgs(gatewayEvents(ethereum, set), "SwapMinimumChanged"), [[minimum]]);
    assert.equal(await ethereum.gateway.getFunction("swapMinimum")(), minimum);

    const holder = ethereum.signers[4]!;
    await mintLegacy(ethereum, await holder.getAddress(), parseEther("10"));
    await mined(as(ethereum.legacyToken!, holder).getFunction("approve")(ethereum.gatewayAddress, parseEther("10")));
    const gateway = as(ethereum.gateway, holder);
    const recipient = "0x00000000000000000000000000000000000c0de4";
    await assertRevert(gateway.getFunction("redenominate")(recipient, minimum - 1n), iface, "AmountBelowMinimum", [minimum - 1n, minimum]);
    await mined(gateway.getFunction("redenominate")(recipient, minimum));
    assert.equal(await sequenceOf(ethereum), 1n);
    assert.equal(await tokenBalance(ethereum.legacyToken!, ethereum.gatewayAddress), minimum);
  });

  it("redenominateWithPermit needs no prior approval, and survives a front-run permit", async () => {
    const { ethereum } = world.chains;
    const legacy = ethereum.legacyToken!;
    const holder = ethereum.signers[4]!;
    const holderAddress = await holder.getAddress();
    await mintLegacy(ethereum, holderAddress, parseEther("10"));
    const gateway = as(ethereum.gateway, holder);
    const recipient = "0x00000000000000000000000000000000000c0de5";

    const deadline1 = await inAnHour(ethereum);
    const permit1 = await signPermit(ethereum, holder, parseEther("3"), deadline1);
    assert.equal(await legacy.getFunction("allowance")(holderAddress, ethereum.gatewayAddress), 0n);
    const first = await mined(
      gateway.getFunction("redenominateWithPermit")(recipient, parseEther("3"), deadline1, permit1.v, permit1.r, permit1.s),
    );
    assert.deepEqual(eventArgs(gatewayEvents(ethereum, first), "SwapSent"), [
      [1n, CHAIN_IDS.bttc, holderAddress, getAddress(recipient), parseEther("3000"), parseEther("3")],
    ]);
    assert.equal(await legacy.getFunction("nonces")(holderAddress), 1n);
    assert.equal(await legacy.getFunction("allowance")(holderAddress, ethereum.gatewayAddress), 0n);

    // Someone submits the holder's next permit first: the allowance is there, so the swap still goes through.
    const deadline2 = await inAnHour(ethereum);
    const permit2 = await signPermit(ethereum, holder, parseEther("4"), deadline2);
    await mined(
      as(legacy, ethereum.signers[7]!).getFunction("permit")(
        holderAddress,
        ethereum.gatewayAddress,
        parseEther("4"),
        deadline2,
        permit2.v,
        permit2.r,
        permit2.s,
      ),
    );
    const second = await mined(
      gateway.getFunction("redenominateWithPermit")(recipient, parseEther("4"), deadline2, permit2.v, permit2.r, permit2.s),
    );
    assert.deepEqual(eventArgs(gatewayEvents(ethereum, second), "SwapSent"), [
      [2n, CHAIN_IDS.bttc, holderAddress, getAddress(recipient), parseEther("4000"), parseEther("4")],
    ]);

    // A used permit with no allowance left is no authorisation at all.
    await assertRevert(
      gateway.getFunction("redenominateWithPermit")(recipient, parseEther("3"), deadline1, permit1.v, permit1.r, permit1.s),
      legacy.interface,
      "ERC20InsufficientAllowance",
      [ethereum.gatewayAddress, 0n, parseEther("3")],
    );
    // Nor is a permit signed by someone else.
    const forger = ethereum.signers[8]!;
    const forged = await signPermit(ethereum, forger, parseEther("3"), deadline1);
    await assertRevert(
      gateway.getFunction("redenominateWithPermit")(recipient, parseEther("3"), deadline1, forged.v, forged.r, forged.s),
      legacy.interface,
      "ERC20InsufficientAllowance",
      [ethereum.gatewayAddress, 0n, parseEther("3")],
    );

    assert.equal(await tokenBalance(legacy, holderAddress), parseEther("3"));
    assert.equal(await tokenBalance(legacy, ethereum.gatewayAddress), parseEther("7"));
    assert.equal(await sequenceOf(ethereum), 2n);
    const accounting = await remoteAccounting(ethereum.gateway);
    assert.equal(accounting.legacyReceived, parseEther("7"));
    assert.equal(accounting.swapOwed, parseEther("7000"));
  });

  it("keeps the BTTOLD it took in: fee withdrawal cannot reach it, and bridge traffic leaves it alone", async () => {
    const { bttc, ethereum } = world.chains;
    const holder = ethereum.signers[4]!;
    const holderAddress = await holder.getAddress();
    await mintLegacy(ethereum, holderAddress, parseEther("9"));
    await mined(as(ethereum.legacyToken!, holder).getFunction("approve")(ethereum.gatewayAddress, parseEther("9")));
    const gateway = as(ethereum.gateway, holder);
    await mined(gateway.getFunction("redenominate")(holderAddress, parseEther("4")));
    await fundBridged(world, ethereum, holderAddress, parseEther("2"));
    await mined(gateway.getFunction("bridge")(bttc.chainId, holderAddress, parseEther("1")));
    await mined(gateway.getFunction("redenominate")(holderAddress, parseEther("5")));

    const iface = ethereum.gateway.interface;
    await assertRevert(
      scheduledExecution(ethereum, iface.encodeFunctionData("withdrawFees", [holderAddress, 1n]), "legacy"),
      iface,
      "FeesInsufficient",
      [1n, 0n],
    );
    assert.equal(await tokenBalance(ethereum.legacyToken!, ethereum.gatewayAddress), parseEther("9"));
    assert.equal(await tokenBalance(ethereum.legacyToken!, holderAddress), 0n);
    assert.equal(await ethereum.legacyToken!.getFunction("totalSupply")(), parseEther("9"));
    assert.equal((await remoteAccounting(ethereum.gateway)).legacyReceived, parseEther("9"));
  });

  describe("on a remote gateway deployed without legacy BTTOLD", () => {
    let gateway: Contract;
    before(async () => {
      const connection = await network.create("ethereumSim");
      const signers: Signer[] = await connection.ethers.getSigners();
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
      });
      assert.equal(deployed.legacyToken, undefined);
      gateway = as(deployed.gateway, signers[4]!);
    });
    const recipient = "0x00000000000000000000000000000000000c0de6";

    it("redenominate reverts RedenominationUnavailable(), and the accounting shows no swaps", async () => {
      assert.equal(await gateway.getFunction("legacyToken")(), ZeroAddress);
      await assertRevert(gateway.getFunction("redenominate")(recipient, 1n), gateway.interface, "RedenominationUnavailable", []);
      const [bridgedSupply, feesHeld, legacyReceived, swapOwed] = (await gateway.getFunction("accounting")()) as bigint[];
      assert.deepEqual([bridgedSupply, feesHeld, legacyReceived, swapOwed], [0n, 0n, 0n, 0n]);
      assert.equal(((await gateway.getFunction("status")()) as { sequence: bigint }).sequence, 0n);
    });

    it("redenominateWithPermit reverts RedenominationUnavailable() too", async () => {
      await assertRevert(
        gateway.getFunction("redenominateWithPermit")(recipient, 1n, 2n ** 64n, 27, ZeroHash, ZeroHash),
        gateway.interface,
        "RedenominationUnavailable",
        [],
      );
      assert.equal(((await gateway.getFunction("status")()) as { sequence: bigint }).sequence, 0n);
    });
  });
});

describe("outbound: pause", () => {
  let world: World;
  before(async () => {
    world = await createWorld();
  });
  beforeEach(async () => world.reset());

  it("refuses every outbound transfer of a paused gateway with GatewayPaused()", async () => {
    const { bttc, ethereum } = world.chains;
    const holder = ethereum.signers[4]!;
    const holderAddress = await holder.getAddress();
    await fundBridged(world, ethereum, holderAddress, parseEther("5"));
    await mintLegacy(ethereum, holderAddress, parseEther("5"));
    await mined(as(ethereum.legacyToken!, holder).getFunction("approve")(ethereum.gatewayAddress, parseEther("5")));

    await mined(as(bttc.gateway, bttc.signers[1]!).getFunction("pause")());
    await mined(as(ethereum.gateway, ethereum.signers[1]!).getFunction("pause")());

    await assertRevert(
      as(bttc.gateway, bttc.signers[2]!).getFunction("bridge")(ethereum.chainId, holderAddress, { value: parseEther("1") }),
      bttc.gateway.interface,
      "GatewayPaused",
      [],
    );
    const gateway = as(ethereum.gateway, holder);
    const iface = ethereum.gateway.interface;
    await assertRevert(gateway.getFunction("bridge")(bttc.chainId, holderAddress, parseEther("1")), iface, "GatewayPaused", []);
    await assertRevert(gateway.getFunction("redenominate")(holderAddress, parseEther("1")), iface, "GatewayPaused", []);
    const deadline = await inAnHour(ethereum);
    const permit = await signPermit(ethereum, holder, parseEther("1"), deadline);
    await assertRevert(
      gateway.getFunction("redenominateWithPermit")(holderAddress, parseEther("1"), deadline, permit.v, permit.r, permit.s),
      iface,
      "GatewayPaused",
      [],
    );
    assert.equal(await sequenceOf(ethereum), 0n);
    assert.equal(await sequenceOf(bttc), 1n);
    assert.equal(await tokenBalance(ethereum.token!, holderAddress), parseEther("5"));
    assert.equal(await tokenBalance(ethereum.legacyToken!, holderAddress), parseEther("5"));

    // Resumed through the timelock, outbound transfers continue the sequence.
    await throughTimelock(ethereum, iface.encodeFunctionData("unpause"), "unpause");
    const receipt = await mined(gateway.getFunction("bridge")(bttc.chainId, holderAddress, parseEther("1")));
    assert.equal(transfersSentBy(ethereum, receipt)[0]!.srcRef, sequenceToRef(1n));
  });
});
