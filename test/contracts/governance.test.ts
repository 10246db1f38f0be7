// Governance: the deployer hands the admin role to the timelock for good; the guardian can only make the
// bridge safer, at once (pause, lower the daily limit); every admin action (unpause, raise the limit,
// routes, swap minimum, fees) goes through the timelock and waits out its delay.
import assert from "node:assert/strict";
import { before, beforeEach, describe, it } from "node:test";
import { ZeroHash, getAddress, id, parseEther, toBeHex, zeroPadValue } from "ethers";
import type { Signer, TransactionReceipt } from "ethers";
import { addressToBytes32, sequenceToRef, TransferKind, type Transfer } from "../../common/transfer.ts";
import { executeCall, operationSalt, scheduleCall, type TimelockCall } from "../../common/timelock.ts";
import { assertRevert } from "../../testkit/errors.ts";
import {
  as,
  createWorld,
  deliverAll,
  gatewayEvents,
  mined,
  transfersSentBy,
  type Chain,
  type ChainName,
  type World,
} from "../../testkit/world.ts";

const DEFAULT_ADMIN_ROLE = ZeroHash;
const GUARDIAN_ROLE = id("GUARDIAN_ROLE");
const UNLIMITED = (1n << 256n) - 1n;
const DAY = 86_400n;
/** Wei per unit in which DailyLimit keeps the allowance; refills are whole units, rounded down. */
const UNIT = 10n ** 9n;

/** The refill (wei) of a cap of `cap` wei over `elapsed` seconds, as DailyLimit computes it. */
function refill(cap: bigint, elapsed: bigint): bigint {
  return (((cap / UNIT) * elapsed) / DAY) * UNIT;
}
const CHAIN_NAMES: ChainName[] = ["bttc", "ethereum", "bsc"];

function gatewayCall(chain: Chain, fn: string, args: readonly unknown[]): TimelockCall {
  return { target: chain.gatewayAddress, data: chain.gateway.interface.encodeFunctionData(fn, args) };
}

/** Schedules and executes (delay 0) an admin call through the chain's timelock; returns the execution receipt. */
async function viaTimelock(chain: Chain, fn: string, args: readonly unknown[], label: string): Promise<TransactionReceipt> {
  const call = gatewayCall(chain, fn, args);
  const salt = operationSalt(label);
  await scheduleCall(chain.timelock, call, salt);
  return mined(chain.timelock.getFunction("execute")(call.target, 0n, call.data, ZeroHash, salt));
}

function onlyEvent(chain: Chain, receipt: TransactionReceipt, name: string): unknown[] {
  const found = gatewayEvents(chain, receipt).filter((e) => e.name === name);
  assert.equal(found.length, 1, `expected one ${name} event`);
  return [...found[0]!.args];
}

async function timestampOf(chain: Chain, receipt: TransactionReceipt): Promise<bigint> {
  const block = await chain.connection.ethers.provider.getBlock(receipt.blockNumber);
  return BigInt(block!.timestamp);
}

interface Status {
  paused: boolean;
  dailyLimit: bigint;
  dailyLimitAvailable: bigint;
}

/** `status()`, at the state and time of `blockTag` (default: latest). */
async function statusOf(chain: Chain, blockTag?: number): Promise<Status> {
  const s = await chain.gateway.getFunction("status")(blockTag === undefined ? {} : { blockTag });
  return { paused: s.paused as boolean, dailyLimit: s.dailyLimit as bigint, dailyLimitAvailable: s.dailyLimitAvailable as bigint };
}

let nextRef = 1_000n;
/** A bridge transfer from BTTC's gateway to `destination`, built by hand (a fresh source reference each time). */
function inbound(world: World, destination: Chain, recipient: string, amount: bigint): Transfer {
  const source = destination.name === "bttc" ? world.chains.ethereum : world.chains.bttc;
  return {
    srcChainId: source.chainId,
    srcGateway: addressToBytes32(source.gatewayAddress),
    srcRef: sequenceToRef(nextRef++),
    kind: TransferKind.Bridge,
    dstChainId: destination.chainId,
    recipient,
    amount,
  };
}

async function addressOf(signer: Signer): Promise<string> {
  return getAddress(await signer.getAddress());
}

describe("governance: roles after deployment", () => {
  let world: World;
  before(async () => {
    world = await createWorld();
  });
  beforeEach(async () => world.reset());

  for (const name of CHAIN_NAMES) {
    it(`${name}: the timelock holds the admin role, the deployer no longer does, the guardian guards`, async () => {
      const chain = world.chains[name];
      const gateway = chain.gateway;
      const deployer = await addressOf(chain.signers[0]!);
      const guardian = await addressOf(chain.signers[1]!);
      const timelock = await chain.timelock.getAddress();
      assert.equal(await gateway.getFunction("GUARDIAN_ROLE")(), GUARDIAN_ROLE);
      assert.equal(await gateway.getFunction("hasRole")(DEFAULT_ADMIN_ROLE, deployer), false);
      assert.equal(await gateway.getFunction("hasRole")(DEFAULT_ADMIN_ROLE, timelock), true);
      assert.equal(await gateway.getFunction("hasRole")(DEFAULT_ADMIN_ROLE, guardian), false);
      assert.equal(await gateway.getFunction("hasRole")(GUARDIAN_ROLE, guardian), true);
      assert.equal(await gateway.getFunction("hasRole")(GUARDIAN_ROLE, deployer), false);
      assert.equal(await gateway.getFunction("hasRole")(GUARDIAN_ROLE, timelock), false);
      assert.equal(await gateway.getFunction("getRoleAdmin")(GUARDIAN_ROLE), DEFAULT_ADMIN_ROLE);
      // The deployer operates the timelock (proposes and executes), it does not administer the gateway.
      const proposer = await chain.timelock.getFunction("PROPOSER_ROLE")();
      const executor = await chain.timelock.getFunction("EXECUTOR_ROLE")();
      assert.equal(await chain.timelock.getFunction("hasRole")(proposer, deployer), true);
      assert.equal(await chain.timelock.getFunction("hasRole")(executor, deployer), true);
      assert.equal(await chain.timelock.getFunction("getMinDelay")(), 0n);
    });
  }

  it("the deployer cannot take the admin role back, nor can the guardian take it", async () => {
    const { ethereum } = world.chains;
    const deployer = await addressOf(ethereum.signers[0]!);
    const guardian = await addressOf(ethereum.signers[1]!);
    await assertRevert(
      as(ethereum.gateway, ethereum.signers[0]!).getFunction("grantRole")(DEFAULT_ADMIN_ROLE, deployer),
      ethereum.gateway.interface,
      "AccessControlUnauthorizedAccount",
      [deployer, DEFAULT_ADMIN_ROLE],
    );
    await assertRevert(
      as(ethereum.gateway, ethereum.signers[1]!).getFunction("grantRole")(DEFAULT_ADMIN_ROLE, guardian),
      ethereum.gateway.interface,
      "AccessControlUnauthorizedAccount",
      [guardian, DEFAULT_ADMIN_ROLE],
    );
    assert.equal(await ethereum.gateway.getFunction("hasRole")(DEFAULT_ADMIN_ROLE, deployer), false);
  });

  it("only timelock proposers can schedule an admin action", async () => {
    const { bttc } = world.chains;
    const stranger = bttc.signers[7]!;
    const proposer = await bttc.timelock.getFunction("PROPOSER_ROLE")();
    const call = gatewayCall(bttc, "setDailyLimit", [1n]);
    await assertRevert(
      as(bttc.timelock, stranger).getFunction("schedule")(call.target, 0n, call.data, ZeroHash, operationSalt("x"), 0n),
      bttc.timelock.interface,
      "AccessControlUnauthorizedAccount",
      [await addressOf(stranger), proposer],
    );
  });
});

describe("governance: the guardian acts at once, but only to make the bridge safer", () => {
  const CAP = parseEther("100");
  let world: World;
  before(async () => {
    world = await createWorld({ dailyLimit: CAP });
  });
  beforeEach(async () => world.reset());

  it("pauses a gateway at once: outbound and inbound stop", async () => {
    const { bttc, ethereum } = world.chains;
    const guardian = bttc.signers[1]!;
    const receipt = await mined(as(bttc.gateway, guardian).getFunction("pause")());
    assert.deepEqual(onlyEvent(bttc, receipt, "Paused"), [await addressOf(guardian)]);
    assert.equal((await statusOf(bttc)).paused, true);

    const user = as(bttc.gateway, bttc.signers[2]!);
    await assertRevert(
      user.getFunction("bridge")(ethereum.chainId, await addressOf(bttc.signers[3]!), { value: parseEther("1") }),
      bttc.gateway.interface,
      "GatewayPaused",
      [],
    );
    await assertRevert(
      deliverAll(world, bttc, [inbound(world, bttc, "0x00000000000000000000000000000000000b77c1", 1n)]),
      bttc.gateway.interface,
      "GatewayPaused",
      [],
    );
    await assertRevert(as(bttc.gateway, guardian).getFunction("pause")(), bttc.gateway.interface, "GatewayPaused", []);
  });

  it("lowers the daily limit at once, and the allowance with it", async () => {
    const { ethereum } = world.chains;
    const guardian = as(ethereum.gateway, ethereum.signers[1]!);
    const lowered = parseEther("40");
    const receipt = await mined(guardian.getFunction("lowerDailyLimit")(lowered));
    assert.deepEqual(onlyEvent(ethereum, receipt, "DailyLimitChanged"), [lowered]);
    const status = await statusOf(ethereum);
    assert.equal(status.dailyLimit, lowered);
    assert.ok(status.dailyLimitAvailable <= lowered);
    assert.equal(status.dailyLimitAvailable, lowered); // the allowance was full: it is now exactly the new cap

    const recipient = await addressOf(ethereum.signers[3]!);
    await assertRevert(
      deliverAll(world, ethereum, [inbound(world, ethereum, recipient, lowered + 1n)]),
      ethereum.gateway.interface,
      "DailyLimitExceeded",
      [lowered + 1n, lowered],
    );
    await deliverAll(world, ethereum, [inbound(world, ethereum, recipient, lowered)]);
    assert.equal(await ethereum.token!.getFunction("balanceOf")(recipient), lowered);
  });

  it("lowering after part of the allowance was used keeps what is left, never above the new cap", async () => {
    const { ethereum } = world.chains;
    const guardian = as(ethereum.gateway, ethereum.signers[1]!);
    const recipient = await addressOf(ethereum.signers[3]!);
    const used = parseEther("70");
    const delivered = await deliverAll(world, ethereum, [inbound(world, ethereum, recipient, used)]);
    const t0 = await timestampOf(ethereum, delivered);

    // To 50: above what is left (30 + a few seconds of refill), so the allowance stays what it was.
    const first = await mined(guardian.getFunction("lowerDailyLimit")(parseEther("50")));
    const t1 = await timestampOf(ethereum, first);
    const left = CAP - used + refill(CAP, t1 - t0);
    assert.ok(left < parseEther("50"));
    assert.deepEqual(await statusOf(ethereum, first.blockNumber), {
      paused: false,
      dailyLimit: parseEther("50"),
      dailyLimitAvailable: left,
    });

    // To 20: below what is left, so the allowance is cut to the cap.
    const second = await mined(guardian.getFunction("lowerDailyLimit")(parseEther("20")));
    assert.deepEqual(await statusOf(ethereum, second.blockNumber), {
      paused: false,
      dailyLimit: parseEther("20"),
      dailyLimitAvailable: parseEther("20"),
    });
  });

  it("cannot raise the cap or keep it: CapNotLowered(requested, current)", async () => {
    const { bsc } = world.chains;
    const guardian = as(bsc.gateway, bsc.signers[1]!);
    const iface = bsc.gateway.interface;
    await assertRevert(guardian.getFunction("lowerDailyLimit")(CAP), iface, "CapNotLowered", [CAP, CAP]);
    await assertRevert(guardian.getFunction("lowerDailyLimit")(CAP + 1n), iface, "CapNotLowered", [CAP + 1n, CAP]);
    await assertRevert(guardian.getFunction("lowerDailyLimit")(UNLIMITED), iface, "CapNotLowered", [UNLIMITED, CAP]);
    await mined(guardian.getFunction("lowerDailyLimit")(parseEther("10")));
    await assertRevert(guardian.getFunction("lowerDailyLimit")(parseEther("11")), iface, "CapNotLowered", [
      parseEther("11"),
      parseEther("10"),
    ]);
    assert.equal((await statusOf(bsc)).dailyLimit, parseEther("10"));
  });

  it("a stranger can neither pause nor lower the limit", async () => {
    for (const name of CHAIN_NAMES) {
      const chain = world.chains[name];
      const stranger = chain.signers[5]!;
      const gateway = as(chain.gateway, stranger);
      const args = [await addressOf(stranger), GUARDIAN_ROLE];
      await assertRevert(gateway.getFunction("pause")(), chain.gateway.interface, "AccessControlUnauthorizedAccount", args);
      await assertRevert(gateway.getFunction("lowerDailyLimit")(1n), chain.gateway.interface, "AccessControlUnauthorizedAccount", args);
      assert.deepEqual(await statusOf(chain), { paused: false, dailyLimit: CAP, dailyLimitAvailable: CAP });
    }
  });

  /** Every admin-only function, with arguments that would succeed for the admin. */
  function adminCalls(chain: Chain): [string, unknown[]][] {
    const other = chain.name === "bttc" ? world.chains.ethereum.chainId : world.chains.bttc.chainId;
    const calls: [string, unknown[]][] = [
      ["setDailyLimit", [parseEther("1000")]],
      ["unpause", []],
      ["configureRoute", [other, true, parseEther("1"), 0n]],
      ["withdrawFees", ["0x00000000000000000000000000000000000b77c1", 0n]],
    ];
    if (chain.name !== "bttc") calls.push(["setSwapMinimum", [5n]]);
    return calls;
  }

  for (const [who, index] of [
    ["the guardian", 1],
    ["the deployer", 0],
  ] as const) {
    it(`${who} cannot take admin actions: AccessControlUnauthorizedAccount(caller, DEFAULT_ADMIN_ROLE)`, async () => {
      for (const name of CHAIN_NAMES) {
        const chain = world.chains[name];
        const caller = chain.signers[index]!;
        // Paused first (by the guardian) so that unpause would otherwise succeed.
        await mined(as(chain.gateway, chain.signers[1]!).getFunction("pause")());
        for (const [fn, args] of adminCalls(chain)) {
          await assertRevert(
            as(chain.gateway, caller).getFunction(fn)(...args),
            chain.gateway.interface,
            "AccessControlUnauthorizedAccount",
            [await addressOf(caller), DEFAULT_ADMIN_ROLE],
          );
        }
        assert.deepEqual(await statusOf(chain), { paused: true, dailyLimit: CAP, dailyLimitAvailable: CAP });
      }
    });
  }
});

describe("governance: admin actions go through the timelock", () => {
  const CAP = parseEther("100");
  let world: World;
  before(async () => {
    world = await createWorld({ dailyLimit: CAP });
  });
  beforeEach(async () => world.reset());

  it("raises the cap, but the allowance only refills over time", async () => {
    const { ethereum } = world.chains;
    const raised = parseEther("1000");
    const receipt = await viaTimelock(ethereum, "setDailyLimit", [raised], "raise");
    assert.deepEqual(onlyEvent(ethereum, receipt, "DailyLimitChanged"), [raised]);
    // Right after: the cap is raised, the allowance is still the old one (it was full at 100).
    assert.deepEqual(await statusOf(ethereum, receipt.blockNumber), {
      paused: false,
      dailyLimit: raised,
      dailyLimitAvailable: CAP,
    });
    const recipient = await addressOf(ethereum.signers[3]!);
    await assertRevert(
      deliverAll(world, ethereum, [inbound(world, ethereum, recipient, parseEther("500"))]),
      ethereum.gateway.interface,
      "DailyLimitExceeded",
    );
    // A day later the allowance has refilled to the new cap.
    await ethereum.connection.networkHelpers.time.increase(86_400);
    assert.equal((await statusOf(ethereum)).dailyLimitAvailable, raised);
    await deliverAll(world, ethereum, [inbound(world, ethereum, recipient, raised)]);
    assert.equal(await ethereum.token!.getFunction("balanceOf")(recipient), raised);
  });

  it("raising the cap after the allowance was used up gives only the refill since then", async () => {
    const { ethereum } = world.chains;
    const recipient = await addressOf(ethereum.signers[3]!);
    const drained = await deliverAll(world, ethereum, [inbound(world, ethereum, recipient, CAP)]);
    const t0 = await timestampOf(ethereum, drained);
    const raised = parseEther("1000");
    const receipt = await viaTimelock(ethereum, "setDailyLimit", [raised], "raise after drain");
    const t1 = await timestampOf(ethereum, receipt);
    const status = await statusOf(ethereum, receipt.blockNumber);
    assert.equal(status.dailyLimit, raised);
    assert.equal(status.dailyLimitAvailable, refill(CAP, t1 - t0)); // the old cap's refill, nothing more
    assert.ok(status.dailyLimitAvailable < parseEther("1"));
  });

  it("configures a route: RouteConfigured, the route view, and outbound transfers follow it", async () => {
    const { bttc, ethereum } = world.chains;
    const newChain = 4242n;
    const fee = parseEther("1");
    const minAmount = parseEther("5");
    const receipt = await viaTimelock(bttc, "configureRoute", [newChain, true, fee, minAmount], "route 4242");
    assert.deepEqual(onlyEvent(bttc, receipt, "RouteConfigured"), [newChain, true, fee, minAmount]);
    const route = await bttc.gateway.getFunction("route")(newChain);
    assert.deepEqual([route.enabled, route.fee, route.minAmount], [true, fee, minAmount]);

    const user = as(bttc.gateway, bttc.signers[2]!);
    const recipient = await addressOf(bttc.signers[3]!);
    await assertRevert(
      user.getFunction("bridge")(newChain, recipient, { value: minAmount - 1n }),
      bttc.gateway.interface,
      "AmountBelowMinimum",
      [minAmount - 1n, minAmount],
    );
    const sent = await mined(user.getFunction("bridge")(newChain, recipient, { value: minAmount }));
    const [transfer] = transfersSentBy(bttc, sent);
    assert.equal(transfer!.amount, minAmount - fee);
    assert.equal(transfer!.dstChainId, newChain);
    const [locked, , , feesHeld] = await bttc.gateway.getFunction("accounting")();
    assert.deepEqual([locked, feesHeld], [minAmount - fee, fee]);

    // The fee is withdrawn through the timelock too.
    const to = "0x00000000000000000000000000000000000fee01";
    const withdrawn = await viaTimelock(bttc, "withdrawFees", [to, fee], "withdraw");
    assert.deepEqual(onlyEvent(bttc, withdrawn, "FeesWithdrawn"), [getAddress(to), fee]);
    assert.equal(await bttc.connection.ethers.provider.getBalance(to), fee);

    // Closing a route.
    const closed = await viaTimelock(bttc, "configureRoute", [ethereum.chainId, false, 0n, 0n], "close eth");
    assert.deepEqual(onlyEvent(bttc, closed, "RouteConfigured"), [ethereum.chainId, false, 0n, 0n]);
    const closedRoute = await bttc.gateway.getFunction("route")(ethereum.chainId);
    assert.equal(closedRoute.enabled, false);
    await assertRevert(
      user.getFunction("bridge")(ethereum.chainId, recipient, { value: parseEther("1") }),
      bttc.gateway.interface,
      "UnsupportedDestination",
      [ethereum.chainId],
    );
  });

  it("refuses a route to the gateway's own chain: DestinationIsThisChain", async () => {
    for (const name of CHAIN_NAMES) {
      const chain = world.chains[name];
      const call = gatewayCall(chain, "configureRoute", [chain.chainId, true, 0n, 0n]);
      const salt = operationSalt(`self route ${name}`);
      await scheduleCall(chain.timelock, call, salt);
      await assertRevert(executeCall(chain.timelock, call, salt), chain.gateway.interface, "DestinationIsThisChain", [chain.chainId]);
      const route = await chain.gateway.getFunction("route")(chain.chainId);
      assert.equal(route.enabled, false);
    }
  });

  it("unpauses what the guardian paused", async () => {
    const { bttc, ethereum } = world.chains;
    await mined(as(bttc.gateway, bttc.signers[1]!).getFunction("pause")());
    const receipt = await viaTimelock(bttc, "unpause", [], "unpause");
    assert.deepEqual(onlyEvent(bttc, receipt, "Unpaused"), [await bttc.timelock.getAddress()]);
    assert.equal((await statusOf(bttc)).paused, false);
    const sent = await mined(
      as(bttc.gateway, bttc.signers[2]!).getFunction("bridge")(ethereum.chainId, await addressOf(bttc.signers[3]!), {
        value: parseEther("1"),
      }),
    );
    assert.equal(transfersSentBy(bttc, sent).length, 1);

    // Unpausing a gateway that is not paused is refused.
    const call = gatewayCall(bttc, "unpause", []);
    const salt = operationSalt("unpause again");
    await scheduleCall(bttc.timelock, call, salt);
    await assertRevert(executeCall(bttc.timelock, call, salt), bttc.gateway.interface, "GatewayNotPaused", []);
  });

  it("sets the swap minimum: SwapMinimumChanged, and smaller swaps are refused", async () => {
    const { bsc } = world.chains;
    const minimum = 1_000n; // 1,000 base units of 6-decimal BTTOLD
    const receipt = await viaTimelock(bsc, "setSwapMinimum", [minimum], "swap minimum");
    assert.deepEqual(onlyEvent(bsc, receipt, "SwapMinimumChanged"), [minimum]);
    assert.equal(await bsc.gateway.getFunction("swapMinimum")(), minimum);

    const holder = bsc.signers[4]!;
    await mined(as(bsc.legacyToken!, bsc.signers[0]!).getFunction("mint")(await addressOf(holder), minimum));
    await mined(as(bsc.legacyToken!, holder).getFunction("approve")(bsc.gatewayAddress, minimum));
    const recipient = "0x00000000000000000000000000000000000b77c2";
    await assertRevert(
      as(bsc.gateway, holder).getFunction("redenominate")(recipient, minimum - 1n),
      bsc.gateway.interface,
      "AmountBelowMinimum",
      [minimum - 1n, minimum],
    );
    const sent = await mined(as(bsc.gateway, holder).getFunction("redenominate")(recipient, minimum));
    assert.equal(transfersSentBy(bsc, sent)[0]!.amount, minimum * 10n ** 15n);
  });
});

describe("governance: the timelock delay", () => {
  const DELAY = 3600n;
  let world: World;
  before(async () => {
    world = await createWorld({ timelockDelay: DELAY, dailyLimit: parseEther("100") });
  });
  beforeEach(async () => world.reset());

  it("an admin action executes only after the delay; the guardian's pause does not wait", async () => {
    const { ethereum } = world.chains;
    const timelock = ethereum.timelock;
    assert.equal(await timelock.getFunction("getMinDelay")(), DELAY);
    await mined(as(ethereum.gateway, ethereum.signers[1]!).getFunction("pause")());
    assert.equal((await statusOf(ethereum)).paused, true);

    const unpause = gatewayCall(ethereum, "unpause", []);
    const raise = gatewayCall(ethereum, "setDailyLimit", [parseEther("500")]);
    const unpauseSalt = operationSalt("delayed unpause");
    const raiseSalt = operationSalt("delayed raise");
    await scheduleCall(timelock, unpause, unpauseSalt);
    await scheduleCall(timelock, raise, raiseSalt);

    const READY = zeroPadValue(toBeHex(1n << 2n), 32); // the timelock's state bitmap for OperationState.Ready
    for (const [call, salt] of [
      [unpause, unpauseSalt],
      [raise, raiseSalt],
    ] as const) {
      const operationId = await timelock.getFunction("hashOperation")(call.target, 0n, call.data, ZeroHash, salt);
      assert.equal(await timelock.getFunction("isOperationPending")(operationId), true);
      assert.equal(await timelock.getFunction("isOperationReady")(operationId), false);
      await assertRevert(executeCall(timelock, call, salt), timelock.interface, "TimelockUnexpectedOperationState", [operationId, READY]);
    }
    assert.deepEqual(await statusOf(ethereum), {
      paused: true,
      dailyLimit: parseEther("100"),
      dailyLimitAvailable: parseEther("100"),
    });

    await ethereum.connection.networkHelpers.time.increase(3600);
    await executeCall(timelock, unpause, unpauseSalt);
    await executeCall(timelock, raise, raiseSalt);
    const status = await statusOf(ethereum);
    assert.equal(status.paused, false);
    assert.equal(status.dailyLimit, parseEther("500"));
  });

  it("a schedule shorter than the minimum delay is refused", async () => {
    const { bttc } = world.chains;
    const call = gatewayCall(bttc, "unpause", []);
    await assertRevert(
      bttc.timelock.getFunction("schedule")(call.target, 0n, call.data, ZeroHash, operationSalt("short"), DELAY - 1n),
      bttc.timelock.interface,
      "TimelockInsufficientDelay",
      [DELAY - 1n, DELAY],
    );
  });
});

describe("governance: an unlimited daily limit", () => {
  let world: World;
  before(async () => {
    world = await createWorld(); // dailyLimit null: type(uint256).max
  });
  beforeEach(async () => world.reset());

  it("reads as type(uint256).max and lets deliveries of any size through", async () => {
    const { ethereum, bsc, bttc } = world.chains;
    for (const chain of [bttc, ethereum, bsc]) {
      assert.deepEqual(await statusOf(chain), { paused: false, dailyLimit: UNLIMITED, dailyLimitAvailable: UNLIMITED });
    }
    const recipient = await addressOf(ethereum.signers[3]!);
    const huge = parseEther("1000000000000"); // 10^12 BTT, above any 96-bit cap
    const huger = 1n << 200n;
    await deliverAll(world, ethereum, [inbound(world, ethereum, recipient, huge)]);
    await deliverAll(world, ethereum, [inbound(world, ethereum, recipient, huger), inbound(world, ethereum, recipient, huge)]);
    assert.equal(await ethereum.token!.getFunction("balanceOf")(recipient), huger + 2n * huge);
    assert.equal(await ethereum.token!.getFunction("totalSupply")(), huger + 2n * huge);
    assert.equal((await statusOf(ethereum)).dailyLimitAvailable, UNLIMITED);
  });

  it("a finite cap set through the timelock can be switched off again with type(uint256).max", async () => {
    const { bsc } = world.chains;
    const recipient = await addressOf(bsc.signers[3]!);
    await viaTimelock(bsc, "setDailyLimit", [parseEther("10")], "finite");
    await assertRevert(
      deliverAll(world, bsc, [inbound(world, bsc, recipient, parseEther("11"))]),
      bsc.gateway.interface,
      "DailyLimitExceeded",
      [parseEther("11"), parseEther("10")],
    );
    const receipt = await viaTimelock(bsc, "setDailyLimit", [UNLIMITED], "unlimited");
    assert.deepEqual(onlyEvent(bsc, receipt, "DailyLimitChanged"), [UNLIMITED]);
    assert.deepEqual(await statusOf(bsc), { paused: false, dailyLimit: UNLIMITED, dailyLimitAvailable: UNLIMITED });
    await deliverAll(world, bsc, [inbound(world, bsc, recipient, parseEther("1000000000"))]);
    assert.equal(await bsc.token!.getFunction("balanceOf")(recipient), parseEther("1000000000"));
  });

  it("the guardian can put a cap on an unlimited gateway", async () => {
    const { ethereum } = world.chains;
    const cap = parseEther("3");
    await assertRevert(
      as(ethereum.gateway, ethereum.signers[1]!).getFunction("lowerDailyLimit")(UNLIMITED),
      ethereum.gateway.interface,
      "CapNotLowered",
      [UNLIMITED, UNLIMITED],
    );
    await mined(as(ethereum.gateway, ethereum.signers[1]!).getFunction("lowerDailyLimit")(cap));
    assert.deepEqual(await statusOf(ethereum), { paused: false, dailyLimit: cap, dailyLimitAvailable: cap });
  });

  it("takes finite caps far above 2^96 wei (a cap in BTT, not just in wei) and delivers under them", async () => {
    const { ethereum } = world.chains;
    const recipient = await addressOf(ethereum.signers[3]!);
    const hundredTrillionBtt = parseEther("100000000000000"); // 10^32 wei, > 2^96 and < all BTT (9.9 * 10^32)
    await viaTimelock(ethereum, "setDailyLimit", [hundredTrillionBtt], "huge finite cap");
    const status = await statusOf(ethereum);
    assert.equal(status.dailyLimit, hundredTrillionBtt); // finite: not mistaken for "no limit"
    assert.equal(status.dailyLimitAvailable, hundredTrillionBtt);
    const big = parseEther("80000000000000"); // 8 * 10^13 BTT in one transfer
    await deliverAll(world, ethereum, [inbound(world, ethereum, recipient, big)]);
    assert.equal((await statusOf(ethereum)).dailyLimitAvailable, hundredTrillionBtt - big);
  });

  it("rounds a cap down to whole units of 10^9 wei, and refuses one too large to store: DailyLimitTooLarge(cap)", async () => {
    const { ethereum } = world.chains;
    await viaTimelock(ethereum, "setDailyLimit", [10n ** 9n * 5n + 999n], "odd cap");
    assert.equal((await statusOf(ethereum)).dailyLimit, 10n ** 9n * 5n);
    const tooLarge = (1n << 96n) * 10n ** 9n;
    await assertRevert(viaTimelock(ethereum, "setDailyLimit", [tooLarge], "too large"), ethereum.gateway.interface, "DailyLimitTooLarge", [
      tooLarge,
    ]);
    assert.equal((await statusOf(ethereum)).dailyLimit, 10n ** 9n * 5n);
  });
});
