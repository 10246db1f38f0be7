// Attestation signatures (docs/protocol.md, "Attestations", "Validator-set updates"): a delivery needs `threshold` distinct
// validators of the current set, ascending, signing the EIP-712 batch digest whose domain is bound to the
// destination chain id and gateway; malleable, duplicate and foreign signatures are rejected. The validator
// set changes only by a message signed by a threshold of the current set, and stays above half.
import assert from "node:assert/strict";
import { before, beforeEach, describe, it } from "node:test";
import { Signature, TypedDataEncoder, Wallet, ZeroAddress, getAddress, parseEther, recoverAddress, toBeHex, zeroPadValue } from "ethers";
import type { TransactionReceipt, TypedDataDomain } from "ethers";
import {
  BATCH_TYPES,
  VALIDATOR_SET_UPDATE_TYPES,
  addressToBytes32,
  batchDigest,
  compareAddresses,
  gatewayDomain,
  orderBySigner,
  sequenceToRef,
  toCompact,
  transferId,
  TransferKind,
  type CompactSignature,
  type Transfer,
} from "../../common/transfer.ts";
import { executeCall, operationSalt, scheduleCall } from "../../common/timelock.ts";
import { assertRevert } from "../../testkit/errors.ts";
import { as, attest, createWorld, mined, submitDelivery, validatorWallets, type Chain, type World } from "../../testkit/world.ts";

/** Order of the secp256k1 group. */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = N / 2n;
const TOP_BIT = 1n << 255n;

/** A transfer from `source`'s gateway to `destination`, built by hand (the destination trusts signatures,
 * not the source chain, so this is what a validator quorum could attest). */
function inbound(source: Chain, destination: Chain, ref: bigint, recipient: string, amount: bigint): Transfer {
  return {
    srcChainId: source.chainId,
    srcGateway: addressToBytes32(source.gatewayAddress),
    srcRef: sequenceToRef(ref),
    kind: TransferKind.Bridge,
    dstChainId: destination.chainId,
    recipient,
    amount,
  };
}

function domainOf(chain: Chain): TypedDataDomain {
  return gatewayDomain(chain.chainId, chain.gatewayAddress);
}

/** One wallet's compact signature over a batch, under any domain. */
async function signBatchRaw(wallet: Wallet, domain: TypedDataDomain, transfers: readonly Transfer[]): Promise<CompactSignature> {
  return toCompact(await wallet.signTypedData(domain, BATCH_TYPES, { transfers }));
}

/** What ecrecover yields for a compact signature over `digest` (as OpenZeppelin's ECDSA decodes it). */
function recover(digest: string, signature: CompactSignature): string {
  return recoverAddress(digest, Signature.from({ r: signature.r, yParityAndS: signature.vs }));
}

function word(value: bigint): string {
  return zeroPadValue(toBeHex(value), 32);
}

function sortWallets(wallets: readonly Wallet[]): Wallet[] {
  return [...wallets].sort((a, b) => compareAddresses(a.address, b.address));
}

function addresses(wallets: readonly Wallet[]): string[] {
  return wallets.map((w) => w.address);
}

/** Far enough ahead that rotations in these tests never expire (uint64 unix seconds, year 2096). */
const DEADLINE = 4_000_000_000n;

function rotationDigest(chain: Chain, epoch: bigint, validators: readonly string[], threshold: number): string {
  return TypedDataEncoder.hash(domainOf(chain), VALIDATOR_SET_UPDATE_TYPES, { epoch, validators, threshold, deadline: DEADLINE });
}

/** Signatures of `signers` over `ValidatorSetUpdate(epoch, validators, threshold, deadline)`, ascending by signer. */
async function signRotation(
  chain: Chain,
  epoch: bigint,
  validators: readonly string[],
  threshold: number,
  signers: readonly Wallet[],
  domain: TypedDataDomain = domainOf(chain),
  deadline: bigint = DEADLINE,
): Promise<CompactSignature[]> {
  const signed = await Promise.all(
    signers.map(async (w) => ({
      signer: w.address,
      signature: toCompact(await w.signTypedData(domain, VALIDATOR_SET_UPDATE_TYPES, { epoch, validators, threshold, deadline })),
    })),
  );
  return orderBySigner(signed);
}

function submitRotation(
  chain: Chain,
  validators: readonly string[],
  threshold: number,
  signatures: readonly CompactSignature[],
  deadline: bigint = DEADLINE,
): Promise<TransactionReceipt> {
  const gateway = as(chain.gateway, chain.signers[9]!);
  return mined(gateway.getFunction("updateValidatorSet")(validators, threshold, deadline, signatures));
}

async function validatorsOf(chain: Chain): Promise<string[]> {
  return [...((await chain.gateway.getFunction("validators")()) as string[])];
}

async function epochAndThreshold(chain: Chain): Promise<[bigint, bigint]> {
  const status = await chain.gateway.getFunction("status")();
  return [status.validatorEpoch as bigint, status.threshold as bigint];
}

function events(chain: Chain, receipt: TransactionReceipt, name: string) {
  return receipt.logs
    .filter((l) => l.address.toLowerCase() === chain.gatewayAddress.toLowerCase())
    .map((l) => chain.gateway.interface.parseLog(l))
    .filter((e) => e !== null && e.name === name);
}

function deliveredIds(chain: Chain, receipt: TransactionReceipt): string[][] {
  return events(chain, receipt, "TransfersDelivered").map((e) => [...(e!.args[0] as string[])]);
}

async function balanceOf(chain: Chain, account: string): Promise<bigint> {
  return chain.token!.getFunction("balanceOf")(account);
}

async function supply(chain: Chain): Promise<bigint> {
  return chain.token!.getFunction("totalSupply")();
}

async function isDelivered(chain: Chain, t: Transfer): Promise<boolean> {
  return chain.gateway.getFunction("isDelivered")(t.srcChainId, t.srcGateway, t.srcRef);
}

/** Asserts that `t` left no trace on its destination (remote chain: nothing minted, not marked delivered). */
async function assertNothingMinted(chain: Chain, t: Transfer): Promise<void> {
  assert.equal(await balanceOf(chain, t.recipient), 0n);
  assert.equal(await supply(chain), 0n);
  assert.equal(await isDelivered(chain, t), false);
}

const RECIPIENT = "0x00000000000000000000000000000000000051a7";

describe("attestation signatures (2-of-3)", () => {
  let world: World;
  let v: Wallet[];
  before(async () => {
    world = await createWorld();
    v = world.validators;
    assert.equal(v.length, 3);
    assert.equal(world.threshold, 2);
  });
  beforeEach(async () => world.reset());

  describe("quorum", () => {
    it("delivers with exactly threshold signatures (2 of 3, adjacent and non-adjacent signers)", async () => {
      const { bttc, ethereum } = world.chains;
      const first = inbound(bttc, ethereum, 1n, RECIPIENT, parseEther("1.5"));
      const receipt = await submitDelivery(ethereum, [first], await attest(ethereum, [first], [v[0]!, v[1]!]));
      assert.deepEqual(deliveredIds(ethereum, receipt), [[transferId(first)]]);

      // Validators 0 and 2: the contract must skip over validator 1 of the set.
      const second = inbound(bttc, ethereum, 2n, RECIPIENT, parseEther("2"));
      const receipt2 = await submitDelivery(ethereum, [second], await attest(ethereum, [second], [v[0]!, v[2]!]));
      assert.deepEqual(deliveredIds(ethereum, receipt2), [[transferId(second)]]);

      assert.equal(await balanceOf(ethereum, RECIPIENT), parseEther("3.5"));
      assert.equal(await supply(ethereum), parseEther("3.5"));
      assert.equal(await isDelivered(ethereum, first), true);
      assert.equal(await isDelivered(ethereum, second), true);
    });

    it("delivers with more than threshold signatures (all 3 of 3), single and batch", async () => {
      const { bttc, ethereum } = world.chains;
      const single = inbound(bttc, ethereum, 7n, RECIPIENT, parseEther("4"));
      await submitDelivery(ethereum, [single], await attest(ethereum, [single], v));

      const batch = [inbound(bttc, ethereum, 8n, RECIPIENT, 11n), inbound(bttc, ethereum, 9n, RECIPIENT, 22n)];
      const receipt = await submitDelivery(ethereum, batch, await attest(ethereum, batch, v));
      assert.deepEqual(deliveredIds(ethereum, receipt), [batch.map(transferId)]);

      assert.equal(await balanceOf(ethereum, RECIPIENT), parseEther("4") + 33n);
      assert.equal(await supply(ethereum), parseEther("4") + 33n);
    });

    it("releases native BTT on BTTC under threshold signatures", async () => {
      const { bttc, ethereum } = world.chains;
      // Lock 10 BTT so that the BTTC gateway has something to release.
      await mined(as(bttc.gateway, bttc.signers[2]!).getFunction("bridge")(ethereum.chainId, RECIPIENT, { value: parseEther("10") }));
      const back = inbound(ethereum, bttc, 1n, RECIPIENT, parseEther("3"));
      await submitDelivery(bttc, [back], await attest(bttc, [back], [v[1]!, v[2]!]));
      assert.equal(await bttc.connection.ethers.provider.getBalance(RECIPIENT), parseEther("3"));
      assert.equal(await bttc.connection.ethers.provider.getBalance(bttc.gatewayAddress), parseEther("7"));
    });

    it("rejects fewer than threshold signatures with InsufficientSignatures(provided, threshold)", async () => {
      const { bttc, ethereum } = world.chains;
      const t = inbound(bttc, ethereum, 1n, RECIPIENT, parseEther("1"));
      const iface = ethereum.gateway.interface;
      await assertRevert(submitDelivery(ethereum, [t], await attest(ethereum, [t], [v[1]!])), iface, "InsufficientSignatures", [1n, 2n]);
      await assertRevert(submitDelivery(ethereum, [t], []), iface, "InsufficientSignatures", [0n, 2n]);
      await assertRevert(submitDelivery(ethereum, [t], [], { batch: true }), iface, "InsufficientSignatures", [0n, 2n]);
      await assertNothingMinted(ethereum, t);
    });
  });

  describe("signer order and membership", () => {
    it("rejects signatures out of ascending signer order with SignersNotAscending(index, signer)", async () => {
      const { bttc, ethereum } = world.chains;
      const t = inbound(bttc, ethereum, 1n, RECIPIENT, parseEther("1"));
      const [s0, s1] = await attest(ethereum, [t], [v[0]!, v[1]!]);
      await assertRevert(submitDelivery(ethereum, [t], [s1!, s0!]), ethereum.gateway.interface, "SignersNotAscending", [1n, v[0]!.address]);
      await assertNothingMinted(ethereum, t);
    });

    it("rejects the same validator's signature twice with SignersNotAscending(1, signer)", async () => {
      const { bttc, ethereum } = world.chains;
      const t = inbound(bttc, ethereum, 1n, RECIPIENT, parseEther("1"));
      const [s2] = await attest(ethereum, [t], [v[2]!]);
      await assertRevert(submitDelivery(ethereum, [t], [s2!, s2!]), ethereum.gateway.interface, "SignersNotAscending", [1n, v[2]!.address]);
      // Also inside a full set of 3: v0, v1, v1.
      const [s0, s1] = await attest(ethereum, [t], [v[0]!, v[1]!]);
      await assertRevert(submitDelivery(ethereum, [t], [s0!, s1!, s1!]), ethereum.gateway.interface, "SignersNotAscending", [
        2n,
        v[1]!.address,
      ]);
      await assertNothingMinted(ethereum, t);
    });

    it("rejects a signer outside the set with NotAValidator(signer), wherever it sorts", async () => {
      const { bttc, ethereum } = world.chains;
      const t = inbound(bttc, ethereum, 1n, RECIPIENT, parseEther("1"));
      const outsiders = validatorWallets(2, "outsider");
      for (const outsider of outsiders) {
        const signatures = await attest(ethereum, [t], [v[0]!, outsider]);
        await assertRevert(submitDelivery(ethereum, [t], signatures), ethereum.gateway.interface, "NotAValidator", [outsider.address]);
      }
      // Two outsiders alone: the lower one is named first.
      const both = await attest(ethereum, [t], outsiders);
      await assertRevert(submitDelivery(ethereum, [t], both), ethereum.gateway.interface, "NotAValidator", [outsiders[0]!.address]);
      // A valid quorum plus one outsider is rejected too: every signature given must be valid.
      const extra = await attest(ethereum, [t], [v[0]!, v[1]!, outsiders[1]!]);
      await assertRevert(submitDelivery(ethereum, [t], extra), ethereum.gateway.interface, "NotAValidator", [outsiders[1]!.address]);
      await assertNothingMinted(ethereum, t);
    });
  });

  describe("malformed and malleable signatures", () => {
    it("rejects the malleable twin (n - s, parity flipped) of a valid signature", async () => {
      const { bttc, ethereum } = world.chains;
      const t = inbound(bttc, ethereum, 1n, RECIPIENT, parseEther("1"));
      const digest = batchDigest(domainOf(ethereum), [t]);
      const original = Signature.from(await v[0]!.signTypedData(domainOf(ethereum), BATCH_TYPES, { transfers: [t] }));
      const s = BigInt(original.s);
      const twinS = N - s;
      // Premise: signers emit low s (s <= n/2), and for all but a ~2^-127 fraction of signatures the twin's
      // s = n - s is >= 2^255, i.e. it does not fit in the 255 bits that ERC-2098 leaves for s.
      assert.ok(s <= HALF_N);
      assert.ok(twinS >= TOP_BIT);
      const flippedParity = BigInt(original.yParity ^ 1);
      const twin: CompactSignature = { r: original.r, vs: word((flippedParity << 255n) | twinS) };
      // So the twin's top bit lands on the parity bit: the contract (OpenZeppelin's ECDSA.tryRecover) reads
      // v = 28 and s = n - s - 2^255, which IS a low-s value and passes the malleability check; ecrecover
      // then yields an unrelated address. The rejection is therefore NotAValidator(that address), not
      // InvalidSignature. (A twin whose s would fit, n/2 < s < 2^255, is the next test: InvalidSignature.)
      const recovered = recover(digest, twin);
      assert.ok(!v.some((w) => w.address === recovered));
      const [valid1] = await attest(ethereum, [t], [v[1]!]);
      // Twin first (index 0, so no ordering check can fire before membership), then a valid signature.
      await assertRevert(submitDelivery(ethereum, [t], [twin, valid1!]), ethereum.gateway.interface, "NotAValidator", [recovered]);
      await assertNothingMinted(ethereum, t);
      // The original signature, with the same companion, does deliver.
      await submitDelivery(ethereum, [t], [toCompact(original.serialized), valid1!]);
      assert.equal(await balanceOf(ethereum, RECIPIENT), parseEther("1"));
    });

    it("rejects a compact signature whose s (low 255 bits of vs) is above n/2 with InvalidSignature(index)", async () => {
      const { bttc, ethereum } = world.chains;
      const t = inbound(bttc, ethereum, 1n, RECIPIENT, parseEther("1"));
      const [s0, s1] = await attest(ethereum, [t], [v[0]!, v[1]!]);
      const parity = BigInt(s1!.vs) & TOP_BIT;
      for (const highS of [HALF_N + 1n, TOP_BIT - 1n]) {
        const bad: CompactSignature = { r: s1!.r, vs: word(parity | highS) };
        await assertRevert(submitDelivery(ethereum, [t], [s0!, bad]), ethereum.gateway.interface, "InvalidSignature", [1n]);
        await assertRevert(submitDelivery(ethereum, [t], [bad, s0!]), ethereum.gateway.interface, "InvalidSignature", [0n]);
      }
      // s exactly n/2 is still accepted by the malleability rule (it then only fails as a non-member).
      const edge: CompactSignature = { r: s1!.r, vs: word(parity | HALF_N) };
      const edgeSigner = recover(batchDigest(domainOf(ethereum), [t]), edge);
      await assertRevert(submitDelivery(ethereum, [t], [edge, s0!]), ethereum.gateway.interface, "NotAValidator", [edgeSigner]);
      await assertNothingMinted(ethereum, t);
    });

    it("rejects a zero r or a zero s with InvalidSignature(index)", async () => {
      const { bttc, ethereum } = world.chains;
      const t = inbound(bttc, ethereum, 1n, RECIPIENT, parseEther("1"));
      const [s0, s1] = await attest(ethereum, [t], [v[0]!, v[1]!]);
      const zeroR: CompactSignature = { r: word(0n), vs: s1!.vs };
      await assertRevert(submitDelivery(ethereum, [t], [s0!, zeroR]), ethereum.gateway.interface, "InvalidSignature", [1n]);
      const zeroS: CompactSignature = { r: s1!.r, vs: word(BigInt(s1!.vs) & TOP_BIT) };
      await assertRevert(submitDelivery(ethereum, [t], [zeroS, s1!]), ethereum.gateway.interface, "InvalidSignature", [0n]);
      const allZero: CompactSignature = { r: word(0n), vs: word(0n) };
      await assertRevert(submitDelivery(ethereum, [t], [allZero, allZero]), ethereum.gateway.interface, "InvalidSignature", [0n]);
      await assertNothingMinted(ethereum, t);
    });
  });

  describe("what a signature is bound to", () => {
    /** Signatures of v0 and v1 made with `domain` over `signed`, submitted as a delivery of `delivered` to
     * Ethereum: the contract recovers other addresses and names the first. */
    async function assertForeign(signedDomain: TypedDataDomain, signed: Transfer, delivered: Transfer) {
      const { ethereum } = world.chains;
      const digest = batchDigest(domainOf(ethereum), [delivered]);
      const signatures = await Promise.all([v[0]!, v[1]!].map((w) => signBatchRaw(w, signedDomain, [signed])));
      const recovered = signatures.map((signature) => recover(digest, signature));
      assert.ok(!recovered.some((r) => v.some((w) => w.address === r)));
      // The first signature already recovers to a non-member (index 0 has no order to break).
      await assertRevert(submitDelivery(ethereum, [delivered], signatures), ethereum.gateway.interface, "NotAValidator", [recovered[0]!]);
      await assertNothingMinted(ethereum, delivered);
    }

    it("rejects signatures made for another chain id (same gateway address)", async () => {
      const { bttc, ethereum, bsc } = world.chains;
      const t = inbound(bttc, ethereum, 1n, RECIPIENT, parseEther("1"));
      await assertForeign(gatewayDomain(bsc.chainId, ethereum.gatewayAddress), t, t);
    });

    it("rejects signatures made for another gateway (domain verifyingContract)", async () => {
      const { bttc, ethereum } = world.chains;
      assert.notEqual(getAddress(bttc.gatewayAddress), getAddress(ethereum.gatewayAddress));
      const t = inbound(bttc, ethereum, 1n, RECIPIENT, parseEther("1"));
      await assertForeign(gatewayDomain(ethereum.chainId, bttc.gatewayAddress), t, t);
    });

    it("rejects a delivery whose amount, recipient, source or reference differs from what was signed", async () => {
      const { bttc, ethereum, bsc } = world.chains;
      const signed = inbound(bttc, ethereum, 1n, RECIPIENT, parseEther("1"));
      const domain = domainOf(ethereum);
      await assertForeign(domain, signed, { ...signed, amount: parseEther("1000") });
      await assertForeign(domain, signed, { ...signed, recipient: await ethereum.signers[5]!.getAddress() });
      await assertForeign(domain, signed, { ...signed, srcRef: sequenceToRef(2n) });
      await assertForeign(domain, signed, { ...signed, srcChainId: bsc.chainId, srcGateway: addressToBytes32(bsc.gatewayAddress) });
    });

    it("rejects on BSC a quorum's signatures for an Ethereum delivery (replay to another chain)", async () => {
      const { bttc, ethereum, bsc } = world.chains;
      const t = inbound(bttc, ethereum, 1n, RECIPIENT, parseEther("1"));
      const signatures = await attest(ethereum, [t], [v[0]!, v[1]!]);
      // On BSC the gateway hashes its own chain id, both as the domain's and as the transfer's dstChainId.
      const seenOnBsc = batchDigest(domainOf(bsc), [{ ...t, dstChainId: bsc.chainId }]);
      // The first signature already recovers to a non-member (index 0 has no order to break).
      await assertRevert(submitDelivery(bsc, [t], signatures), bsc.gateway.interface, "NotAValidator", [
        recover(seenOnBsc, signatures[0]!),
      ]);
      assert.equal(await supply(bsc), 0n);
      // The same signatures remain good where they were meant to go.
      await submitDelivery(ethereum, [t], signatures);
      assert.equal(await balanceOf(ethereum, RECIPIENT), parseEther("1"));
    });
  });

  describe("validator set rotation", () => {
    it("rotates under a threshold of the current set: event, validators(), status(); old keys out, new keys in", async () => {
      const { bttc, ethereum } = world.chains;
      const kept = [v[0]!, v[1]!];
      const removed = v[2]!;
      const next = sortWallets([...kept, ...validatorWallets(2, "newcomer")]);
      const nextAddresses = addresses(next);
      const signatures = await signRotation(ethereum, 1n, nextAddresses, 3, [v[0]!, v[2]!]);

      const receipt = await submitRotation(ethereum, nextAddresses, 3, signatures);
      const updated = events(ethereum, receipt, "ValidatorSetUpdated");
      assert.equal(updated.length, 1);
      assert.deepEqual([updated[0]!.args[0], [...(updated[0]!.args[1] as string[])], updated[0]!.args[2]], [1n, nextAddresses, 3n]);
      assert.deepEqual(await validatorsOf(ethereum), nextAddresses);
      assert.deepEqual(await epochAndThreshold(ethereum), [1n, 3n]);
      // Other gateways keep their own set.
      assert.deepEqual(await validatorsOf(bttc), addresses(v));
      assert.deepEqual(await epochAndThreshold(bttc), [0n, 2n]);

      const t = inbound(bttc, ethereum, 1n, RECIPIENT, parseEther("5"));
      const iface = ethereum.gateway.interface;
      // The removed validator, even alongside two members, is not a validator any more.
      const withRemoved = sortWallets([next[0]!, next[1]!, removed]);
      await assertRevert(submitDelivery(ethereum, [t], await attest(ethereum, [t], withRemoved)), iface, "NotAValidator", [
        removed.address,
      ]);
      // The old quorum that used to suffice (2 signatures) is now short of the threshold of 3.
      await assertRevert(submitDelivery(ethereum, [t], await attest(ethereum, [t], kept)), iface, "InsufficientSignatures", [2n, 3n]);
      await assertNothingMinted(ethereum, t);

      // Three members of the new set deliver.
      await submitDelivery(ethereum, [t], await attest(ethereum, [t], [next[0]!, next[2]!, next[3]!]));
      assert.equal(await balanceOf(ethereum, RECIPIENT), parseEther("5"));
      assert.equal(await supply(ethereum), parseEther("5"));
    });

    it("rotates twice (epoch 1, then 2); each set is in force in turn", async () => {
      const { bttc, ethereum } = world.chains;
      const b = validatorWallets(3, "set-b");
      const c = validatorWallets(5, "set-c");
      await submitRotation(ethereum, addresses(b), 2, await signRotation(ethereum, 1n, addresses(b), 2, [v[1]!, v[2]!]));
      assert.deepEqual(await validatorsOf(ethereum), addresses(b));
      assert.deepEqual(await epochAndThreshold(ethereum), [1n, 2n]);

      // The second rotation must be signed by set B (set A no longer counts).
      const byA = await signRotation(ethereum, 2n, addresses(c), 3, [v[0]!, v[1]!]);
      await assertRevert(submitRotation(ethereum, addresses(c), 3, byA), ethereum.gateway.interface, "NotAValidator", [v[0]!.address]);
      const receipt = await submitRotation(ethereum, addresses(c), 3, await signRotation(ethereum, 2n, addresses(c), 3, [b[0]!, b[2]!]));
      const updated = events(ethereum, receipt, "ValidatorSetUpdated");
      assert.deepEqual([updated[0]!.args[0], [...(updated[0]!.args[1] as string[])], updated[0]!.args[2]], [2n, addresses(c), 3n]);
      assert.deepEqual(await validatorsOf(ethereum), addresses(c));
      assert.deepEqual(await epochAndThreshold(ethereum), [2n, 3n]);

      const t = inbound(bttc, ethereum, 1n, RECIPIENT, 123n);
      await assertRevert(submitDelivery(ethereum, [t], await attest(ethereum, [t], b)), ethereum.gateway.interface, "NotAValidator", [
        b[0]!.address,
      ]);
      await submitDelivery(ethereum, [t], await attest(ethereum, [t], [c[1]!, c[3]!, c[4]!]));
      assert.equal(await balanceOf(ethereum, RECIPIENT), 123n);
    });

    it("rejects a rotation signed by too few, by non-members, out of order, or for another gateway", async () => {
      const { ethereum, bsc } = world.chains;
      const iface = ethereum.gateway.interface;
      const b = addresses(validatorWallets(3, "set-b"));
      await assertRevert(submitRotation(ethereum, b, 2, await signRotation(ethereum, 1n, b, 2, [v[0]!])), iface, "InsufficientSignatures", [
        1n,
        2n,
      ]);
      await assertRevert(submitRotation(ethereum, b, 2, []), iface, "InsufficientSignatures", [0n, 2n]);

      const strangers = validatorWallets(3, "stranger");
      await assertRevert(submitRotation(ethereum, b, 2, await signRotation(ethereum, 1n, b, 2, strangers)), iface, "NotAValidator", [
        strangers[0]!.address,
      ]);

      const [s0, s1] = await signRotation(ethereum, 1n, b, 2, [v[0]!, v[1]!]);
      await assertRevert(submitRotation(ethereum, b, 2, [s1!, s0!]), iface, "SignersNotAscending", [1n, v[0]!.address]);
      await assertRevert(submitRotation(ethereum, b, 2, [s0!, s0!]), iface, "SignersNotAscending", [1n, v[0]!.address]);

      // Signed for the wrong epoch (the current one, 0, instead of 1): recovers other addresses.
      const stale = await signRotation(ethereum, 0n, b, 2, [v[0]!]);
      const staleSigner = recover(rotationDigest(ethereum, 1n, b, 2), stale[0]!);
      await assertRevert(submitRotation(ethereum, b, 2, [stale[0]!, s1!]), iface, "NotAValidator", [staleSigner]);

      // A different set or threshold than signed.
      const other = addresses(validatorWallets(3, "set-c"));
      const forB = await signRotation(ethereum, 1n, b, 2, [v[0]!]);
      const asOther = recover(rotationDigest(ethereum, 1n, other, 2), forB[0]!);
      await assertRevert(submitRotation(ethereum, other, 2, [forB[0]!, s1!]), iface, "NotAValidator", [asOther]);
      const asThree = recover(rotationDigest(ethereum, 1n, b, 3), forB[0]!);
      await assertRevert(submitRotation(ethereum, b, 3, [forB[0]!, s1!]), iface, "NotAValidator", [asThree]);

      // A valid Ethereum rotation presented to the BSC gateway (same address, other chain id).
      const forEthereum = await signRotation(ethereum, 1n, b, 2, [v[0]!, v[1]!]);
      await assertRevert(submitRotation(bsc, b, 2, forEthereum), bsc.gateway.interface, "NotAValidator", [
        recover(rotationDigest(bsc, 1n, b, 2), forEthereum[0]!),
      ]);

      assert.deepEqual(await validatorsOf(ethereum), addresses(v));
      assert.deepEqual(await epochAndThreshold(ethereum), [0n, 2n]);
      assert.deepEqual(await validatorsOf(bsc), addresses(v));
      assert.deepEqual(await epochAndThreshold(bsc), [0n, 2n]);
    });

    it("refuses a replayed rotation message: its epoch is spent", async () => {
      const { ethereum } = world.chains;
      const iface = ethereum.gateway.interface;
      const a = addresses(v);
      const b = validatorWallets(3, "set-b");
      const toB = await signRotation(ethereum, 1n, addresses(b), 2, [v[0]!, v[1]!]);
      await submitRotation(ethereum, addresses(b), 2, toB);

      // Same call again: the gateway now hashes epoch 2 and checks against set B.
      const againSigner = recover(rotationDigest(ethereum, 2n, addresses(b), 2), toB[0]!);
      await assertRevert(submitRotation(ethereum, addresses(b), 2, toB), iface, "NotAValidator", [againSigner]);

      // Back to set A (epoch 2, signed by B); now A is current again, yet its old epoch-1 message to B
      // does not apply a second time.
      await submitRotation(ethereum, a, 2, await signRotation(ethereum, 2n, a, 2, [b[0]!, b[1]!]));
      assert.deepEqual(await validatorsOf(ethereum), a);
      assert.deepEqual(await epochAndThreshold(ethereum), [2n, 2n]);
      const replaySigner = recover(rotationDigest(ethereum, 3n, addresses(b), 2), toB[0]!);
      await assertRevert(submitRotation(ethereum, addresses(b), 2, toB), iface, "NotAValidator", [replaySigner]);
      assert.deepEqual(await validatorsOf(ethereum), a);
      assert.deepEqual(await epochAndThreshold(ethereum), [2n, 2n]);
    });

    it("refuses a rotation after its deadline with ValidatorSetUpdateExpired(deadline), however well signed", async () => {
      const { ethereum } = world.chains;
      const b = addresses(validatorWallets(3, "set-late"));
      const now = BigInt((await ethereum.connection.ethers.provider.getBlock("latest"))!.timestamp);
      const deadline = now + 60n;
      const signatures = await signRotation(ethereum, 1n, b, 2, [v[0]!, v[1]!], domainOf(ethereum), deadline);
      await ethereum.connection.networkHelpers.time.increase(120);
      await assertRevert(submitRotation(ethereum, b, 2, signatures, deadline), ethereum.gateway.interface, "ValidatorSetUpdateExpired", [
        deadline,
      ]);
      assert.deepEqual(await validatorsOf(ethereum), addresses(v));
      assert.deepEqual(await epochAndThreshold(ethereum), [0n, 2n]);
    });

    it("refuses invalid sets even when properly signed: size/threshold, order, duplicates", async () => {
      const { ethereum } = world.chains;
      const iface = ethereum.gateway.interface;
      const four = addresses(validatorWallets(4, "four"));
      const [x, y, z] = four;
      const many = Array.from({ length: 65 }, (_, i) => getAddress(zeroPadValue(toBeHex(i + 1), 20)));
      const cases: { validators: string[]; threshold: number; error: string; args: unknown[] }[] = [
        { validators: four, threshold: 2, error: "InvalidValidatorSet", args: [4n, 2n] }, // exactly half
        { validators: [x!, y!], threshold: 1, error: "InvalidValidatorSet", args: [2n, 1n] },
        { validators: [x!], threshold: 0, error: "InvalidValidatorSet", args: [1n, 0n] },
        { validators: [x!, y!, z!], threshold: 4, error: "InvalidValidatorSet", args: [3n, 4n] }, // above size
        { validators: [], threshold: 1, error: "InvalidValidatorSet", args: [0n, 1n] },
        { validators: [], threshold: 0, error: "InvalidValidatorSet", args: [0n, 0n] },
        { validators: many, threshold: 33, error: "InvalidValidatorSet", args: [65n, 33n] }, // above 64
        { validators: [y!, x!, z!], threshold: 2, error: "ValidatorsNotAscending", args: [1n] },
        { validators: [x!, y!, z!, four[3]!].reverse(), threshold: 3, error: "ValidatorsNotAscending", args: [1n] },
        { validators: [x!, x!, y!], threshold: 2, error: "ValidatorsNotAscending", args: [1n] },
        { validators: [x!, y!, y!], threshold: 2, error: "ValidatorsNotAscending", args: [2n] },
        { validators: [ZeroAddress, x!, y!], threshold: 2, error: "ValidatorsNotAscending", args: [0n] },
      ];
      for (const c of cases) {
        const signatures = await signRotation(ethereum, 1n, c.validators, c.threshold, [v[0]!, v[1]!]);
        await assertRevert(submitRotation(ethereum, c.validators, c.threshold, signatures), iface, c.error, c.args);
      }
      // The smallest valid sets: 1 of 1, and more than half (3 of 4).
      await submitRotation(ethereum, [x!], 1, await signRotation(ethereum, 1n, [x!], 1, [v[0]!, v[1]!]));
      assert.deepEqual(await epochAndThreshold(ethereum), [1n, 1n]);
      assert.deepEqual(await validatorsOf(ethereum), [x!]);
    });

    it("a 3-of-4 set accepts exactly 3 signatures and refuses 2", async () => {
      const { bttc, ethereum } = world.chains;
      const four = validatorWallets(4, "four");
      await submitRotation(ethereum, addresses(four), 3, await signRotation(ethereum, 1n, addresses(four), 3, v));
      const t = inbound(bttc, ethereum, 1n, RECIPIENT, 5n);
      await assertRevert(
        submitDelivery(ethereum, [t], await attest(ethereum, [t], [four[0]!, four[3]!])),
        ethereum.gateway.interface,
        "InsufficientSignatures",
        [2n, 3n],
      );
      await submitDelivery(ethereum, [t], await attest(ethereum, [t], [four[0]!, four[1]!, four[3]!]));
      assert.equal(await balanceOf(ethereum, RECIPIENT), 5n);
    });

    it("gives the admin and the guardian no way around the validators' signatures", async () => {
      const { bttc, ethereum } = world.chains;
      // Structural: the only function of either gateway that takes an address list is updateValidatorSet.
      for (const chain of [bttc, ethereum]) {
        const takesList: string[] = [];
        chain.gateway.interface.forEachFunction((f) => {
          if (f.inputs.some((p) => p.type === "address[]")) takesList.push(f.name);
        });
        assert.deepEqual(takesList, ["updateValidatorSet"]);
      }
      // Behavioural: the timelock (admin) and the guardian calling it without signatures get nowhere.
      const b = addresses(validatorWallets(3, "set-b"));
      const call = {
        target: ethereum.gatewayAddress,
        data: ethereum.gateway.interface.encodeFunctionData("updateValidatorSet", [b, 2, DEADLINE, []]),
      };
      const salt = operationSalt("admin rotates validators");
      await scheduleCall(ethereum.timelock, call, salt);
      await assertRevert(executeCall(ethereum.timelock, call, salt), ethereum.gateway.interface, "InsufficientSignatures", [0n, 2n]);
      const guardian = as(ethereum.gateway, ethereum.signers[1]!);
      await assertRevert(
        guardian.getFunction("updateValidatorSet")(b, 2, DEADLINE, []),
        ethereum.gateway.interface,
        "InsufficientSignatures",
        [0n, 2n],
      );
      assert.deepEqual(await validatorsOf(ethereum), addresses(v));
      assert.deepEqual(await epochAndThreshold(ethereum), [0n, 2n]);
    });
  });
});

describe("attestation signatures (5-of-9)", () => {
  let world: World;
  before(async () => {
    world = await createWorld({ validatorCount: 9, threshold: 5 });
  });
  beforeEach(async () => world.reset());

  it("delivers with 5 of 9 signatures and refuses 4", async () => {
    const { bttc, ethereum } = world.chains;
    const v = world.validators;
    assert.deepEqual(await validatorsOf(ethereum), addresses(v));
    assert.deepEqual(await epochAndThreshold(ethereum), [0n, 5n]);

    const t = inbound(bttc, ethereum, 1n, RECIPIENT, parseEther("9"));
    await assertRevert(
      submitDelivery(ethereum, [t], await attest(ethereum, [t], v.slice(0, 4))),
      ethereum.gateway.interface,
      "InsufficientSignatures",
      [4n, 5n],
    );
    await submitDelivery(ethereum, [t], await attest(ethereum, [t], v.slice(0, 5)));
    // Any 5, spread over the set.
    const u = inbound(bttc, ethereum, 2n, RECIPIENT, parseEther("1"));
    await submitDelivery(ethereum, [u], await attest(ethereum, [u], [v[0]!, v[2]!, v[4]!, v[6]!, v[8]!]));
    assert.equal(await balanceOf(ethereum, RECIPIENT), parseEther("10"));
    assert.equal(await supply(ethereum), parseEther("10"));
  });
});
