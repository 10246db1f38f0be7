// The hand decoder of TransferSent / SwapSent logs agrees with ethers' ABI decoder, and refuses logs that
// are not exactly of that shape.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { contractInterface } from "../../../../common/contracts/artifacts.ts";
import { decodeSentLog } from "../../../../relayer/chains/evm/sent-log.ts";

const iface = contractInterface("RemoteGateway");
const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => "0x" + Buffer.from(b).toString("hex"));
const uint = (bits: number) => fc.bigInt({ min: 0n, max: 2n ** BigInt(bits) - 1n });

describe("TransferSent / SwapSent log decoding", () => {
  it("reads every field as ethers' ABI decoder does, addresses checksummed", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("TransferSent", "SwapSent"),
        fc.tuple(uint(64), uint(64), hex(20), hex(20), uint(256), uint(256)),
        (name, [sequence, dstChainId, sender, recipient, amount, last]) => {
          const event = iface.getEvent(name)!;
          const log = iface.encodeEventLog(event, [sequence, dstChainId, sender, recipient, amount, last]);
          const ours = decodeSentLog(log);
          const theirs = iface.decodeEventLog(event, log.data, log.topics);
          assert.ok(ours);
          assert.equal(ours.name, name);
          assert.equal(ours.sequence, theirs.getValue("sequence"));
          assert.equal(ours.dstChainId, theirs.getValue("dstChainId"));
          assert.equal(ours.sender, theirs.getValue("sender"));
          assert.equal(ours.recipient, theirs.getValue("recipient"));
          assert.equal(ours.amount, theirs.getValue("amount"));
          assert.equal(ours.last, theirs.getValue(name === "SwapSent" ? "legacyAmount" : "fee"));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("passes over other events and refuses malformed ones", () => {
    const sent = iface.encodeEventLog(iface.getEvent("TransferSent")!, [7n, 1n, "0x" + "11".repeat(20), "0x" + "22".repeat(20), 5n, 0n]);
    const delivered = iface.encodeEventLog(iface.getEvent("TransfersDelivered")!, [["0x" + "33".repeat(32)]]);
    assert.equal(decodeSentLog(delivered), null);
    assert.throws(() => decodeSentLog({ ...sent, data: sent.data.slice(0, -2) }), /malformed TransferSent/);
    assert.throws(() => decodeSentLog({ ...sent, topics: sent.topics.slice(0, 1) }), /malformed TransferSent/);
    const word = (i: number) => 2 + 64 * i;
    const wide = (i: number) => ({ ...sent, data: sent.data.slice(0, word(i)) + "ff" + sent.data.slice(word(i) + 2) });
    assert.throws(() => decodeSentLog(wide(0)), /dstChainId: wider than uint64/);
    assert.throws(() => decodeSentLog(wide(1)), /sender: more than 20 bytes/);
    assert.throws(() => decodeSentLog(wide(2)), /recipient: more than 20 bytes/);
    assert.throws(() => decodeSentLog({ ...sent, topics: [sent.topics[0]!, "0x" + "ff".repeat(32)] }), /sequence: wider than uint64/);
  });
});
