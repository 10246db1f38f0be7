// Transfer ids and batch arguments as the TypeScript side computes them match the contracts'
// (docs/protocol.md, "Transfer identity", "Attestations").
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { AbiCoder, TypedDataEncoder, Wallet, keccak256 } from "ethers";
import { WalletAttestationSigner } from "../../relayer/attest/attestation-signer.ts";
import {
  BATCH_TYPES,
  TransferKind,
  addressToBytes32,
  batchDigest,
  gatewayDomain,
  signBatch,
  compareAddresses,
  sequenceToRef,
  toDeliveryArgs,
  transferId,
  type Transfer,
} from "../../common/transfer.ts";
import { CHAIN_IDS } from "../../testkit/constants.ts";

const gateway = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const transfer: Transfer = {
  srcChainId: CHAIN_IDS.bttc,
  srcGateway: addressToBytes32(gateway),
  srcRef: sequenceToRef(42n),
  kind: TransferKind.Bridge,
  dstChainId: CHAIN_IDS.ethereum,
  recipient: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  amount: 10n ** 18n,
};

describe("transfer identity", () => {
  it("is keccak256(abi.encode(srcChainId, srcGateway, srcRef))", () => {
    const expected = keccak256(
      AbiCoder.defaultAbiCoder().encode(
        ["uint64", "bytes32", "bytes32"],
        [CHAIN_IDS.bttc, "0x0000000000000000000000005fbdb2315678afecb367f032d93f642f64180aa3", "0x" + "00".repeat(31) + "2a"],
      ),
    );
    assert.equal(transferId(transfer), expected);
  });

  it("differs for another source gateway or reference", () => {
    assert.notEqual(transferId(transfer), transferId({ ...transfer, srcRef: sequenceToRef(43n) }));
    assert.notEqual(transferId(transfer), transferId({ ...transfer, srcChainId: CHAIN_IDS.ethereum }));
  });

  it("splits a batch from one source into delivery arguments, and refuses mixed sources", () => {
    const args = toDeliveryArgs([transfer, { ...transfer, srcRef: sequenceToRef(43n), amount: 5n }]);
    assert.equal(args.srcChainId, CHAIN_IDS.bttc);
    assert.deepEqual(
      args.items.map((i) => i.amount),
      [10n ** 18n, 5n],
    );
    assert.throws(() => toDeliveryArgs([transfer, { ...transfer, srcChainId: 1n }]), /one source gateway/);
    assert.throws(() => toDeliveryArgs([transfer, { ...transfer, dstChainId: 1n }]), /one destination/);
    assert.throws(() => toDeliveryArgs([]), /at least one/);
  });

  it("orders addresses numerically, whatever their case", () => {
    assert.equal(compareAddresses("0x00000000000000000000000000000000000000aB", "0x00000000000000000000000000000000000000ac"), -1);
    assert.equal(compareAddresses(gateway, gateway.toLowerCase()), 0);
  });

  it("hashes a batch exactly as ethers' EIP-712 encoder does, and refuses what that encoder refuses", () => {
    const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => "0x" + Buffer.from(b).toString("hex"));
    const anyTransfer = fc.record({
      srcChainId: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      srcGateway: hex(32),
      srcRef: hex(32),
      kind: fc.constantFrom(TransferKind.Bridge, TransferKind.Swap),
      dstChainId: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      recipient: hex(20),
      amount: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
    });
    fc.assert(
      fc.property(
        fc.array(anyTransfer, { maxLength: 8 }),
        fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }),
        hex(20),
        (transfers, chainId, gw) => {
          const domain = gatewayDomain(chainId, gw);
          assert.equal(batchDigest(domain, transfers), TypedDataEncoder.hash(domain, BATCH_TYPES, { transfers }));
        },
      ),
      { numRuns: 200 },
    );
    const domain = gatewayDomain(1n, gateway);
    assert.throws(() => batchDigest(domain, [{ ...transfer, srcChainId: 2n ** 64n }]), /srcChainId/);
    assert.throws(() => batchDigest(domain, [{ ...transfer, amount: -1n }]), /amount/);
    assert.throws(() => batchDigest(domain, [{ ...transfer, srcRef: "0x2a" }]), /srcRef/);
    assert.throws(() => batchDigest(domain, [{ ...transfer, recipient: "0x1234" }]), /recipient/);
    // A mixed-case recipient with a wrong checksum is refused, as ethers' encoder refuses it; all one
    // case is not checksummed, and hashes as the checksummed form does.
    const badChecksum = "0x70997970C51812dc3A010C7d01b50e0d17dc79c8";
    assert.throws(() => TypedDataEncoder.hash(domain, BATCH_TYPES, { transfers: [{ ...transfer, recipient: badChecksum }] }), /checksum/i);
    assert.throws(() => batchDigest(domain, [{ ...transfer, recipient: badChecksum }]), /checksum/i);
    const lower = batchDigest(domain, [{ ...transfer, recipient: transfer.recipient.toLowerCase() }]);
    assert.equal(lower, batchDigest(domain, [transfer]));
  });

  it("signs a batch as signTypedData does: one signature, whoever computes the digest", async () => {
    const wallet = Wallet.createRandom();
    const domain = gatewayDomain(CHAIN_IDS.ethereum, gateway);
    const batch = [transfer, { ...transfer, srcRef: sequenceToRef(43n), amount: 7n }];
    const viaEthers = await signBatch(wallet, domain, batch);
    assert.deepEqual(await new WalletAttestationSigner(wallet.privateKey).signBatch(domain, batch), viaEthers.signature);
  });
});
