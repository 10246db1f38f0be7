// The co-signing request (relayer/attest/request.ts): its wire form keeps every value exact, parsing
// refuses what is malformed and names the field, and the digest it stands for is the gateways' own.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseEther } from "ethers";
import { TransferKind, addressToBytes32, batchDigest, gatewayDomain, sequenceToRef, type Transfer } from "../../../common/transfer.ts";
import {
  InvalidAttestationRequestError,
  MAX_BATCH_TRANSFERS,
  parseAttestationRequest,
  requestDigest,
  requestFor,
  toTransfers,
  toWire,
} from "../../../relayer/attest/request.ts";
import { CHAIN_IDS } from "../../../testkit/constants.ts";

const SRC_GATEWAY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const DST_GATEWAY = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const RECIPIENT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

const transfers: Transfer[] = [1n, 2n, 3n].map((sequence) => ({
  srcChainId: CHAIN_IDS.bttc,
  srcGateway: addressToBytes32(SRC_GATEWAY),
  srcRef: sequenceToRef(sequence),
  kind: sequence === 2n ? TransferKind.Swap : TransferKind.Bridge,
  dstChainId: CHAIN_IDS.ethereum,
  recipient: RECIPIENT,
  amount: parseEther("1") * sequence + 1n,
}));

function fieldOf(raw: unknown): string {
  try {
    parseAttestationRequest(raw);
  } catch (error) {
    assert.ok(error instanceof InvalidAttestationRequestError, String(error));
    assert.equal(error.code, "INVALID_REQUEST");
    assert.ok(error.message.includes(error.field), error.message);
    return error.field;
  }
  assert.fail("parsed");
}

describe("attestation request", () => {
  it("stands for the full transfers and exactly the gateway's batch digest", () => {
    const request = requestFor(DST_GATEWAY, transfers);
    assert.equal(request.dstChainId, CHAIN_IDS.ethereum);
    assert.equal(request.srcGateway, addressToBytes32(SRC_GATEWAY));
    assert.equal(request.items.length, 3);
    assert.deepEqual(toTransfers(request), transfers);
    assert.equal(requestDigest(request), batchDigest(gatewayDomain(CHAIN_IDS.ethereum, DST_GATEWAY), transfers));
    // Another order is another batch.
    assert.notEqual(requestDigest(requestFor(DST_GATEWAY, [...transfers].reverse())), requestDigest(request));
  });

  it("travels as JSON with every integer a decimal string, and comes back exact", () => {
    const big = { ...transfers[0]!, amount: 2n ** 256n - 1n };
    const request = requestFor(DST_GATEWAY, [big, ...transfers.slice(1)]);
    const wire = toWire(request);
    assert.equal(wire.dstChainId, String(CHAIN_IDS.ethereum));
    assert.equal(wire.items[0]!.amount, (2n ** 256n - 1n).toString());
    assert.equal(wire.items[1]!.kind, "1");
    assert.deepEqual(parseAttestationRequest(JSON.parse(JSON.stringify(wire))), request);
    // Addresses come back checksummed, bytes32 lower-case, whatever case they were sent in.
    const shouting = {
      ...wire,
      dstGateway: DST_GATEWAY.toLowerCase(),
      srcGateway: "0x" + wire.srcGateway.slice(2).toUpperCase(),
      items: wire.items.map((i) => ({ ...i, recipient: i.recipient.toLowerCase() })),
    };
    assert.deepEqual(parseAttestationRequest(shouting), request);
  });

  it("refuses malformed values and names the field", () => {
    const wire = toWire(requestFor(DST_GATEWAY, transfers));
    const withItem = (patch: Record<string, unknown>) => ({ ...wire, items: [wire.items[0], { ...wire.items[1], ...patch }] });
    assert.equal(fieldOf({ ...wire, dstChainId: 1337001 }), "dstChainId"); // a number, not a decimal string
    assert.equal(fieldOf({ ...wire, dstChainId: "0" }), "dstChainId");
    assert.equal(fieldOf({ ...wire, srcChainId: (2n ** 64n).toString() }), "srcChainId");
    assert.equal(fieldOf({ ...wire, dstGateway: "0x1234" }), "dstGateway");
    assert.equal(fieldOf({ ...wire, dstGateway: DST_GATEWAY.replace("e7f1", "E7f1") }), "dstGateway"); // bad checksum
    assert.equal(fieldOf({ ...wire, srcGateway: SRC_GATEWAY }), "srcGateway"); // 20 bytes, not 32
    assert.equal(fieldOf(withItem({ amount: 5 })), "items.1.amount");
    assert.equal(fieldOf(withItem({ amount: "-5" })), "items.1.amount");
    assert.equal(fieldOf(withItem({ amount: "007" })), "items.1.amount");
    assert.equal(fieldOf(withItem({ amount: "1e18" })), "items.1.amount");
    assert.equal(fieldOf(withItem({ amount: (2n ** 256n).toString() })), "items.1.amount");
    assert.equal(fieldOf(withItem({ kind: "2" })), "items.1.kind");
    assert.equal(fieldOf(withItem({ kind: 0 })), "items.1.kind");
    assert.equal(fieldOf(withItem({ srcRef: "0x01" })), "items.1.srcRef");
    assert.equal(fieldOf(withItem({ recipient: "not an address" })), "items.1.recipient");
    assert.equal(fieldOf(withItem({ extra: true })), "items.1");
    const missing: Partial<typeof wire> = { ...wire };
    delete missing.srcChainId;
    assert.equal(fieldOf(missing), "srcChainId");
    assert.equal(fieldOf({ ...wire, items: "all of them" }), "items");
    assert.equal(fieldOf({ ...wire, items: Array.from({ length: MAX_BATCH_TRANSFERS + 1 }, () => wire.items[0]) }), "items");
    assert.equal(fieldOf(null), "(root)");
    assert.equal(fieldOf([wire]), "(root)");
    // Empty batches parse: the co-signer refuses them with its own reason.
    assert.deepEqual(parseAttestationRequest({ ...wire, items: [] }).items, []);
  });
});
