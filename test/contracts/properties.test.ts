// Property-based tests (fast-check) of the bridge's core guarantees, each against a small model:
// A. value is conserved across the three chains whatever is sent, swapped and delivered, in any order;
// B. every transfer is delivered exactly once, whatever mix of single and batch deliveries is submitted;
// C. a delivery goes through iff a threshold of distinct validators signed it and nobody else;
// D. the daily limit is a token bucket that never pays out more than its cap plus its refill.
// Runs are bounded (numRuns 15-30) and each run starts from the world's post-deploy snapshot.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import fc from "fast-check";
import { Wallet, getAddress, keccak256, toBeHex, toUtf8Bytes, zeroPadValue } from "ethers";
import type { TransactionReceipt } from "ethers";
import {
  addressToBytes32,
  compareAddresses,
  gatewayDomain,
  signBatch,
  transferId,
  TransferKind,
  type CompactSignature,
  type Transfer,
} from "../../common/transfer.ts";
import { assertRevert } from "../../testkit/errors.ts";
import {
  as,
  attest,
  createWorld,
  gatewayEvents,
  mined,
  submitDelivery,
  transfersSentBy,
  type Chain,
  type World,
} from "../../testkit/world.ts";

const BTT = 10n ** 18n;
const DAY = 86_400n;
/** Wei per unit in which DailyLimit keeps the allowance (contracts/core/DailyLimit.sol). */
const UNIT = 10n ** 9n;

/** Ids listed by the receipt's TransfersDelivered event ([] if there is none), and its skipped ids with reasons. */
function deliveryOutcome(chain: Chain, receipt: TransactionReceipt): { delivered: string[]; skipped: [string, bigint][] } {
  const events = gatewayEvents(chain, receipt);
  const deliveredEvents = events.filter((e) => e.name === "TransfersDelivered");
  assert.ok(deliveredEvents.length <= 1, "at most one TransfersDelivered per transaction");
  return {
    delivered: deliveredEvents.length === 0 ? [] : [...(deliveredEvents[0]!.args[0] as string[])],
    skipped: events.filter((e) => e.name === "TransferSkipped").map((e) => [e.args[0] as string, e.args[1] as bigint]),
  };
}

async function blockTimestamp(chain: Chain, blockNumber: number): Promise<bigint> {
  const block = await chain.connection.ethers.provider.getBlock(blockNumber);
  return BigInt(block!.timestamp);
}

function bridgeTransfer(source: Chain, destination: Chain, srcRef: bigint, recipient: string, amount: bigint): Transfer {
  return {
    srcChainId: source.chainId,
    srcGateway: addressToBytes32(source.gatewayAddress),
    srcRef: zeroPadValue(toBeHex(srcRef), 32),
    kind: TransferKind.Bridge,
    dstChainId: destination.chainId,
    recipient,
    amount,
  };
}

// =====================================================================================================
// A. Conservation of value
// =====================================================================================================

type Remote = "ethereum" | "bsc";
type Node = "bttc" | Remote;

type Op =
  | { t: "lock"; to: Remote; sender: number; recipient: number; amount: bigint }
  | { t: "burn"; from: Remote; toBttc: boolean; holder: number; recipient: number; amount: bigint; all: boolean }
  | { t: "swap"; on: Remote; holder: number; recipient: number; legacy: bigint }
  | { t: "deliver"; pick: number; mode: "singles" | "reversed" | "batch" | "twice" };

const remoteArb = fc.constantFrom<Remote>("ethereum", "bsc");
const amountArb = fc.oneof(fc.bigInt({ min: 1n, max: 1000n }), fc.bigInt({ min: 1n, max: 50n * BTT }));
const holderArb = fc.nat({ max: 2 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("lock" as const),
      to: remoteArb,
      sender: fc.nat({ max: 1 }),
      recipient: holderArb,
      amount: amountArb,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant("burn" as const),
      from: remoteArb,
      toBttc: fc.boolean(),
      holder: holderArb,
      recipient: holderArb,
      amount: amountArb,
      all: fc.boolean(),
    }),
  },
  // Legacy amounts up to 50 BTT's worth: 5e16 units of 18-decimal BTTOLD, 50,000 units of 6-decimal BTTOLD.
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant("swap" as const),
      on: fc.constant<Remote>("ethereum"),
      holder: holderArb,
      recipient: holderArb,
      legacy: fc.oneof(fc.bigInt({ min: 1n, max: 1000n }), fc.bigInt({ min: 1n, max: 5n * 10n ** 16n })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant("swap" as const),
      on: fc.constant<Remote>("bsc"),
      holder: holderArb,
      recipient: holderArb,
      legacy: fc.bigInt({ min: 1n, max: 50_000n }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant("deliver" as const),
      pick: fc.nat({ max: 5 }),
      mode: fc.constantFrom("singles" as const, "reversed" as const, "batch" as const, "twice" as const),
    }),
  },
);

/** Fresh BTTC addresses that receive releases and swaps: their native balance is exactly what they got. */
const BTTC_RECIPIENTS = [0, 1, 2].map((i) => getAddress(zeroPadValue(toBeHex(0xb77c10n + BigInt(i)), 20)));

interface InFlight {
  transfer: Transfer;
  src: Node;
  dst: Node;
  recipient: number;
  /** Swaps: the BTTOLD taken in, and the decimals it had. */
  legacy?: { amount: bigint; decimals: number };
}

describe("property A: value is conserved across the three chains", () => {
  const RESERVE = 1000n * BTT;
  let world: World;
  before(async () => {
    world = await createWorld({ reserve: RESERVE });
  });

  it("locked on BTTC = bridged supply + in flight; reserve paid = 1,000 x BTTOLD delivered; balances match", async () => {
    const { bttc } = world.chains;
    const remotes: Record<Remote, Chain> = { ethereum: world.chains.ethereum, bsc: world.chains.bsc };
    const holders = await Promise.all([2, 3, 4].map(async (i) => getAddress(await bttc.signers[i]!.getAddress())));
    const decimalsOf: Record<Remote, number> = { ethereum: 18, bsc: 6 };

    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 3, maxLength: 12, size: "max" }), async (ops) => {
        await world.reset();
        const tokenBalance: Record<Remote, bigint[]> = { ethereum: [0n, 0n, 0n], bsc: [0n, 0n, 0n] };
        const bttcBalance = [0n, 0n, 0n];
        const legacyTakenIn: Record<Remote, bigint> = { ethereum: 0n, bsc: 0n };
        let inFlight: InFlight[] = [];
        let swapPaid = 0n; // sum of delivered swap amounts, as the transfers carried them
        let legacyDeliveredInBtt = 0n; // 1,000 x BTTOLD delivered, scaled by decimals
        const chainOf = (node: Node): Chain => (node === "bttc" ? bttc : remotes[node]);

        const check = async (step: string) => {
          const [locked, reserveBalance, reservePaid, feesHeld, claimableTotal] = await bttc.gateway.getFunction("accounting")();
          const supply: Record<Remote, bigint> = {
            ethereum: await remotes.ethereum.token!.getFunction("totalSupply")(),
            bsc: await remotes.bsc.token!.getFunction("totalSupply")(),
          };
          const bridgedInFlight = inFlight
            .filter((f) => f.transfer.kind === TransferKind.Bridge)
            .reduce((s, f) => s + f.transfer.amount, 0n);
          assert.equal(await bttc.gateway.getFunction("lockedBalance")(), locked);
          assert.equal(locked, supply.ethereum + supply.bsc + bridgedInFlight, `${step}: locked = supply + in flight`);
          assert.equal(reservePaid, swapPaid, `${step}: reserve paid = swaps delivered`);
          assert.equal(reservePaid, legacyDeliveredInBtt, `${step}: reserve paid = 1,000 x BTTOLD delivered`);
          assert.equal(reserveBalance, RESERVE - reservePaid, `${step}: reserve balance`);
          assert.deepEqual([feesHeld, claimableTotal], [0n, 0n]);
          assert.equal(await bttc.connection.ethers.provider.getBalance(bttc.gatewayAddress), locked + reserveBalance);
          for (const name of ["ethereum", "bsc"] as const) {
            const remote = remotes[name];
            for (let h = 0; h < holders.length; h++) {
              assert.equal(await remote.token!.getFunction("balanceOf")(holders[h]), tokenBalance[name][h], `${step}: ${name} holder ${h}`);
            }
            assert.equal(
              supply[name],
              tokenBalance[name].reduce((s, b) => s + b, 0n),
              `${step}: ${name} supply = holders`,
            );
            const [bridgedSupply, fees, legacyReceived, swapOwed] = await remote.gateway.getFunction("accounting")();
            const scale = 10n ** BigInt(21 - decimalsOf[name]);
            assert.deepEqual(
              [bridgedSupply, fees, legacyReceived, swapOwed],
              [supply[name], 0n, legacyTakenIn[name], legacyTakenIn[name] * scale],
            );
            assert.equal(await remote.legacyToken!.getFunction("balanceOf")(remote.gatewayAddress), legacyTakenIn[name]);
          }
          for (let r = 0; r < BTTC_RECIPIENTS.length; r++) {
            assert.equal(
              await bttc.connection.ethers.provider.getBalance(BTTC_RECIPIENTS[r]!),
              bttcBalance[r],
              `${step}: BTTC recipient ${r}`,
            );
          }
        };

        const sent = (source: Chain, receipt: TransactionReceipt, src: Node, dst: Node, recipient: number, legacy?: InFlight["legacy"]) => {
          const transfers = transfersSentBy(source, receipt);
          assert.equal(transfers.length, 1);
          const entry: InFlight = { transfer: transfers[0]!, src, dst, recipient };
          if (legacy) entry.legacy = legacy;
          inFlight.push(entry);
        };

        for (const [i, op] of ops.entries()) {
          const step = `step ${i} (${op.t})`;
          if (op.t === "lock") {
            const to = remotes[op.to];
            const gateway = as(bttc.gateway, bttc.signers[2 + op.sender]!);
            const receipt = await mined(gateway.getFunction("bridge")(to.chainId, holders[op.recipient], { value: op.amount }));
            sent(bttc, receipt, "bttc", op.to, op.recipient);
            assert.equal(inFlight.at(-1)!.transfer.amount, op.amount);
          } else if (op.t === "burn") {
            // Only up to a holder's balance: the op's holder and chain, or else the next holder that has any.
            const candidates = (["ethereum", "bsc"] as const)
              .flatMap((from) => [0, 1, 2].map((holder) => ({ from, holder })))
              .filter(({ from, holder }) => tokenBalance[from][holder]! > 0n);
            if (candidates.length === 0) continue;
            const start = (op.from === "ethereum" ? 0 : 3) + op.holder;
            const { from, holder } = candidates.find((c) => (c.from === "ethereum" ? 0 : 3) + c.holder >= start) ?? candidates[0]!;
            const balance = tokenBalance[from][holder]!;
            const amount = op.all ? balance : 1n + ((op.amount - 1n) % balance);
            const dst: Node = op.toBttc ? "bttc" : from === "ethereum" ? "bsc" : "ethereum";
            const source = remotes[from];
            const to = op.toBttc ? BTTC_RECIPIENTS[op.recipient]! : holders[op.recipient]!;
            const receipt = await mined(
              as(source.gateway, source.signers[2 + holder]!).getFunction("bridge")(chainOf(dst).chainId, to, amount),
            );
            tokenBalance[from][holder] = balance - amount;
            sent(source, receipt, from, dst, op.recipient);
            assert.equal(inFlight.at(-1)!.transfer.amount, amount);
          } else if (op.t === "swap") {
            const source = remotes[op.on];
            const holder = source.signers[2 + op.holder]!;
            const legacy = as(source.legacyToken!, source.signers[0]!);
            await mined(legacy.getFunction("mint")(holders[op.holder], op.legacy));
            await mined(as(source.legacyToken!, holder).getFunction("approve")(source.gatewayAddress, op.legacy));
            const receipt = await mined(as(source.gateway, holder).getFunction("redenominate")(BTTC_RECIPIENTS[op.recipient], op.legacy));
            legacyTakenIn[op.on] += op.legacy;
            sent(source, receipt, op.on, "bttc", op.recipient, { amount: op.legacy, decimals: decimalsOf[op.on] });
            assert.equal(inFlight.at(-1)!.transfer.amount, op.legacy * 10n ** BigInt(21 - decimalsOf[op.on]));
          } else {
            const routes = [...new Set(inFlight.map((f) => `${f.src}>${f.dst}`))];
            if (routes.length === 0) continue;
            const route = routes[op.pick % routes.length]!;
            const batch = inFlight.filter((f) => `${f.src}>${f.dst}` === route);
            const destination = chainOf(batch[0]!.dst);
            const transfers = batch.map((f) => f.transfer);
            const signers = world.validators.slice(0, world.threshold);
            if (op.mode === "singles" || op.mode === "reversed") {
              const order = op.mode === "singles" ? transfers : [...transfers].reverse();
              for (const t of order) {
                const receipt = await submitDelivery(destination, [t], await attest(destination, [t], signers));
                assert.deepEqual(deliveryOutcome(destination, receipt).delivered, [transferId(t)]);
              }
            } else {
              const signatures = await attest(destination, transfers, signers);
              const receipt = await submitDelivery(destination, transfers, signatures, { batch: true });
              assert.deepEqual(deliveryOutcome(destination, receipt), { delivered: transfers.map(transferId), skipped: [] });
              if (op.mode === "twice") {
                const again = await submitDelivery(destination, transfers, signatures, { batch: true });
                assert.deepEqual(deliveryOutcome(destination, again), {
                  delivered: [],
                  skipped: transfers.map((t) => [transferId(t), 0n]),
                });
              }
            }
            for (const f of batch) {
              if (f.dst === "bttc") bttcBalance[f.recipient]! += f.transfer.amount;
              else tokenBalance[f.dst][f.recipient]! += f.transfer.amount;
              if (f.legacy) {
                swapPaid += f.transfer.amount;
                legacyDeliveredInBtt += 1000n * f.legacy.amount * 10n ** BigInt(18 - f.legacy.decimals);
              }
            }
            inFlight = inFlight.filter((f) => !batch.includes(f));
          }
          await check(step);
        }
        await check("end");
      }),
      { numRuns: 30 },
    );
  });
});

// =====================================================================================================
// B. No double delivery
// =====================================================================================================

type Action = { single: true; pick: number } | { single: false; picks: number[] };

describe("property B: every transfer is delivered exactly once", () => {
  let world: World;
  before(async () => {
    world = await createWorld();
  });

  it("singles and batches in any order, with repeats, deliver each transfer once", async () => {
    const { bttc, ethereum } = world.chains;
    const holders = await Promise.all([2, 3, 4].map(async (i) => getAddress(await ethereum.signers[i]!.getAddress())));
    // Source references across replay-record slots (256 per slot) and arbitrary 32-byte values (TRON ids).
    const refArb = fc.oneof(
      fc.bigInt({ min: 1n, max: 600n }),
      fc.constantFrom(255n, 256n, 257n, 511n, 512n),
      fc.bigInt({ min: 1n, max: (1n << 256n) - 1n }),
    );
    const setArb = fc.uniqueArray(fc.record({ ref: refArb, recipient: fc.nat({ max: 2 }), amount: amountArb }), {
      minLength: 1,
      maxLength: 6,
      selector: (t) => t.ref,
    });
    const actionArb: fc.Arbitrary<Action> = fc.oneof(
      fc.record({ single: fc.constant(true as const), pick: fc.nat({ max: 5 }) }),
      fc.record({ single: fc.constant(false as const), picks: fc.array(fc.nat({ max: 5 }), { minLength: 1, maxLength: 8 }) }),
    );
    const signers = world.validators.slice(0, world.threshold);

    await fc.assert(
      fc.asyncProperty(setArb, fc.array(actionArb, { maxLength: 8 }), async (set, actions) => {
        await world.reset();
        const transfers = set.map((t) => bridgeTransfer(bttc, ethereum, t.ref, holders[t.recipient]!, t.amount));
        const ids = transfers.map(transferId);
        const delivered = new Set<number>();
        const run = async (action: Action) => {
          if (action.single) {
            const k = action.pick % transfers.length;
            const one = [transfers[k]!];
            const attempt = submitDelivery(ethereum, one, await attest(ethereum, one, signers));
            if (delivered.has(k)) {
              await assertRevert(attempt, ethereum.gateway.interface, "AlreadyDelivered", [ids[k]]);
            } else {
              assert.deepEqual(deliveryOutcome(ethereum, await attempt), { delivered: [ids[k]], skipped: [] });
              delivered.add(k);
            }
            return;
          }
          const picks = action.picks.map((p) => p % transfers.length);
          const batch = picks.map((k) => transfers[k]!);
          const expected: { delivered: string[]; skipped: [string, bigint][] } = { delivered: [], skipped: [] };
          for (const k of picks) {
            if (delivered.has(k))
              expected.skipped.push([ids[k]!, 0n]); // SkipReason.AlreadyDelivered
            else {
              expected.delivered.push(ids[k]!);
              delivered.add(k);
            }
          }
          const receipt = await submitDelivery(ethereum, batch, await attest(ethereum, batch, signers), { batch: true });
          assert.deepEqual(deliveryOutcome(ethereum, receipt), expected);
        };
        for (const action of actions) await run(action);
        // Finally one batch of all: it delivers what is left and skips the rest.
        await run({ single: false, picks: transfers.map((_, k) => k) });

        const expectedBalances = holders.map((_, h) => set.filter((t) => t.recipient === h).reduce((s, t) => s + t.amount, 0n));
        for (let h = 0; h < holders.length; h++) {
          assert.equal(await ethereum.token!.getFunction("balanceOf")(holders[h]), expectedBalances[h]);
        }
        assert.equal(
          await ethereum.token!.getFunction("totalSupply")(),
          set.reduce((s, t) => s + t.amount, 0n),
        );
        for (const t of transfers) {
          assert.equal(await ethereum.gateway.getFunction("isDelivered")(t.srcChainId, t.srcGateway, t.srcRef), true);
        }
      }),
      { numRuns: 25 },
    );
  });
});

// =====================================================================================================
// C. Signatures: a threshold of distinct validators, and nobody else
// =====================================================================================================

describe("property C: a delivery needs a threshold of distinct validators and no one else", () => {
  let world: World;
  before(async () => {
    world = await createWorld({ validatorCount: 5, threshold: 3 });
  });

  it("succeeds iff >= threshold distinct validators signed, no outsider, in ascending order", async () => {
    const { bttc, ethereum } = world.chains;
    assert.equal(world.validators.length, 5);
    assert.equal(world.threshold, 3);
    const outsiders = Array.from({ length: 4 }, (_, i) => new Wallet(keccak256(toUtf8Bytes(`outsider-${i}`))));
    const members = new Set(world.validators.map((v) => v.address));
    const recipient = getAddress(await ethereum.signers[3]!.getAddress());
    const domain = gatewayDomain(ethereum.chainId, ethereum.gatewayAddress);
    let ref = 1n;

    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.subarray([0, 1, 2, 3, 4]), fc.subarray([0, 1, 2, 3, 4], { minLength: 3 })),
        fc.oneof({ weight: 2, arbitrary: fc.constant<number[]>([]) }, { weight: 1, arbitrary: fc.subarray([0, 1, 2, 3]) }),
        fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat({ max: 8 }) }),
        fc.boolean(),
        fc.bigInt({ min: 1n, max: 50n * BTT }),
        async (validatorPicks, outsiderPicks, duplicate, batch, amount) => {
          await world.reset();
          const wallets = [...validatorPicks.map((i) => world.validators[i]!), ...outsiderPicks.map((i) => outsiders[i]!)];
          if (duplicate !== null && wallets.length > 0) wallets.push(wallets[duplicate % wallets.length]!);
          const transfer = bridgeTransfer(bttc, ethereum, ref++, recipient, amount);
          const signed = await Promise.all(wallets.map((w) => signBatch(w, domain, [transfer])));
          signed.sort((a, b) => compareAddresses(a.signer, b.signer)); // ascending (duplicates adjacent)
          const signatures: CompactSignature[] = signed.map((s) => s.signature);

          // What the gateway must answer, from the rule alone.
          const distinctValidators = new Set(signed.map((s) => s.signer).filter((a) => members.has(a))).size;
          const hasOutsider = signed.some((s) => !members.has(s.signer));
          const hasDuplicate = new Set(signed.map((s) => s.signer)).size !== signed.length;
          const shouldSucceed = distinctValidators >= 3 && !hasOutsider && !hasDuplicate;
          let expectedError: [string, unknown[]] | undefined;
          if (signatures.length < 3) expectedError = ["InsufficientSignatures", [BigInt(signatures.length), 3n]];
          else {
            let previous = 0n;
            for (const [i, s] of signed.entries()) {
              if (BigInt(s.signer) <= previous) {
                expectedError = ["SignersNotAscending", [BigInt(i), s.signer]];
                break;
              }
              if (!members.has(s.signer)) {
                expectedError = ["NotAValidator", [s.signer]];
                break;
              }
              previous = BigInt(s.signer);
            }
          }
          assert.equal(expectedError === undefined, shouldSucceed);

          const attempt = submitDelivery(ethereum, [transfer], signatures, { batch });
          if (shouldSucceed) {
            assert.deepEqual(deliveryOutcome(ethereum, await attempt), { delivered: [transferId(transfer)], skipped: [] });
          } else {
            await assertRevert(attempt, ethereum.gateway.interface, expectedError![0], expectedError![1]);
          }
          assert.equal(await ethereum.token!.getFunction("balanceOf")(recipient), shouldSucceed ? amount : 0n);
          assert.equal(
            await ethereum.gateway.getFunction("isDelivered")(transfer.srcChainId, transfer.srcGateway, transfer.srcRef),
            shouldSucceed,
          );
        },
      ),
      { numRuns: 30 },
    );
  });
});

// =====================================================================================================
// D. Daily limit: a token bucket
// =====================================================================================================

interface Attempt {
  dt: number;
  /** Amount in thousandths of the cap, plus a small offset in wei; or exactly the allowance (+0/+1). */
  size: { permille: number; offset: number } | { exact: 0 | 1 };
  batch: boolean;
}

describe("property D: the daily limit pays out no more than the cap plus its refill", () => {
  const INITIAL_CAP = 100n * BTT;
  let world: World;
  before(async () => {
    world = await createWorld({ dailyLimit: INITIAL_CAP });
  });

  it("a delivery succeeds iff it fits the token-bucket allowance; no window exceeds C + C*window/day", async () => {
    const { bttc, ethereum } = world.chains;
    const guardian = as(ethereum.gateway, ethereum.signers[1]!);
    const recipient = getAddress(await ethereum.signers[3]!.getAddress());
    const signers = world.validators.slice(0, world.threshold);
    const time = ethereum.connection.networkHelpers.time;
    // The limit keeps whole units of 10^9 wei (DailyLimit.UNIT): caps from one unit up, not multiples of it.
    const capArb = fc.oneof(fc.bigInt({ min: UNIT, max: 1_000_000n * UNIT }), fc.bigInt({ min: UNIT, max: INITIAL_CAP - 1n }));
    const attemptArb: fc.Arbitrary<Attempt> = fc.record({
      dt: fc.oneof(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 2 * 86_400 })),
      size: fc.oneof(
        { weight: 3, arbitrary: fc.record({ permille: fc.integer({ min: 0, max: 1500 }), offset: fc.integer({ min: -2, max: 2 }) }) },
        { weight: 1, arbitrary: fc.record({ exact: fc.constantFrom(0 as const, 1 as const) }) },
      ),
      batch: fc.boolean(),
    });

    await fc.assert(
      fc.asyncProperty(capArb, fc.array(attemptArb, { minLength: 1, maxLength: 12 }), async (cap, attempts) => {
        await world.reset();
        const lowered = await mined(guardian.getFunction("lowerDailyLimit")(cap));
        // The model (DailyLimit.sol): the cap in whole units (rounded down), the allowance in units stored
        // at the last update and when that was; refills round down, payouts consume whole units, rounded up.
        const capUnits = cap / UNIT;
        let stored = capUnits; // the allowance was full, and is cut to the new cap
        let updatedAt = await blockTimestamp(ethereum, lowered.blockNumber);
        const unitsAt = (t: bigint) => {
          const refilled = stored + (capUnits * (t - updatedAt)) / DAY;
          return refilled < capUnits ? refilled : capUnits;
        };
        const allowanceAt = (t: bigint) => unitsAt(t) * UNIT;
        let now = updatedAt;
        let ref = 1n;
        const paid: { at: bigint; amount: bigint }[] = [];

        for (const attempt of attempts) {
          now += BigInt(attempt.dt);
          const available = allowanceAt(now);
          let amount: bigint;
          if ("exact" in attempt.size) amount = available + BigInt(attempt.size.exact);
          else amount = (cap * BigInt(attempt.size.permille)) / 1000n + BigInt(attempt.size.offset);
          if (amount < 1n) amount = 1n;
          const transfer = bridgeTransfer(bttc, ethereum, ref++, recipient, amount);
          const signatures = await attest(ethereum, [transfer], signers);
          await time.setNextBlockTimestamp(now);
          const fits = amount <= available;
          const attemptTx = submitDelivery(ethereum, [transfer], signatures, { batch: attempt.batch });
          if (fits) {
            const receipt = await attemptTx;
            assert.equal(await blockTimestamp(ethereum, receipt.blockNumber), now);
            assert.deepEqual(deliveryOutcome(ethereum, receipt), { delivered: [transferId(transfer)], skipped: [] });
            stored = unitsAt(now) - (amount + UNIT - 1n) / UNIT;
            updatedAt = now;
            paid.push({ at: now, amount });
          } else if (attempt.batch) {
            const receipt = await attemptTx;
            assert.equal(await blockTimestamp(ethereum, receipt.blockNumber), now);
            assert.deepEqual(deliveryOutcome(ethereum, receipt), { delivered: [], skipped: [[transferId(transfer), 1n]] });
          } else {
            await assertRevert(attemptTx, ethereum.gateway.interface, "DailyLimitExceeded", [amount, available]);
          }
          // The gateway's view agrees with the model at the latest block.
          const latest = await ethereum.connection.ethers.provider.getBlockNumber();
          const status = await ethereum.gateway.getFunction("status")({ blockTag: latest });
          assert.equal(status.dailyLimit, capUnits * UNIT);
          assert.equal(status.dailyLimitAvailable, allowanceAt(await blockTimestamp(ethereum, latest)));
          assert.equal(await ethereum.gateway.getFunction("isDelivered")(transfer.srcChainId, transfer.srcGateway, transfer.srcRef), fits);
        }

        assert.equal(
          await ethereum.token!.getFunction("totalSupply")(),
          paid.reduce((s, p) => s + p.amount, 0n),
        );
        // Whatever window [from, to] one looks at, what was paid in it is at most C + C * (to - from) / day.
        for (let i = 0; i < paid.length; i++) {
          let sum = 0n;
          for (let j = i; j < paid.length; j++) {
            sum += paid[j]!.amount;
            const window = paid[j]!.at - paid[i]!.at;
            const effectiveCap = capUnits * UNIT;
            assert.ok(
              sum * DAY <= effectiveCap * DAY + effectiveCap * window,
              `paid ${sum} within ${window} s exceeds the cap ${effectiveCap}`,
            );
          }
        }
      }),
      { numRuns: 25 },
    );
  });
});
