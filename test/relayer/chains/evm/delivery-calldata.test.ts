// deliverBatch calldata encoded by hand is byte for byte what ethers' ABI encoder makes, and values out of
// range are refused.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { contractInterface } from "../../../../common/contracts/artifacts.ts";
import { encodeDeliverBatch } from "../../../../relayer/chains/evm/delivery-calldata.ts";

const iface = contractInterface("RemoteGateway");
const selector = iface.getFunction("deliverBatch")!.selector;
const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => "0x" + Buffer.from(b).toString("hex"));
const item = fc.record({
  srcRef: hex(32),
  kind: fc.constantFrom(0 as const, 1 as const),
  recipient: hex(20),
  amount: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
});
const signature = fc.record({ r: hex(32), vs: hex(32) });

describe("deliverBatch calldata", () => {
  it("is what ethers' encoder makes, for any batch and signatures", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        hex(32),
        fc.array(item, { minLength: 1, maxLength: 6 }),
        fc.array(signature, { maxLength: 4 }),
        (srcChainId, srcGateway, items, signatures) => {
          const expected = iface.encodeFunctionData("deliverBatch", [
            srcChainId,
            srcGateway,
            items.map((i) => [i.srcRef, i.kind, i.recipient, i.amount]),
            signatures.map((s) => [s.r, s.vs]),
          ]);
          assert.equal(encodeDeliverBatch(selector, srcChainId, srcGateway, items, signatures), expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("refuses values out of their type's range", () => {
    const ok = { srcRef: "0x" + "11".repeat(32), kind: 0 as const, recipient: "0x" + "22".repeat(20), amount: 1n };
    const sig = { r: "0x" + "33".repeat(32), vs: "0x" + "44".repeat(32) };
    const gw = "0x" + "55".repeat(32);
    assert.throws(() => encodeDeliverBatch(selector, 2n ** 64n, gw, [ok], [sig]), /srcChainId/);
    assert.throws(() => encodeDeliverBatch(selector, 1n, gw, [{ ...ok, amount: 2n ** 256n }], [sig]), /items\.0\.amount/);
    assert.throws(() => encodeDeliverBatch(selector, 1n, gw, [{ ...ok, recipient: "0x1234" }], [sig]), /items\.0\.recipient/);
    assert.throws(() => encodeDeliverBatch(selector, 1n, gw, [ok], [{ ...sig, vs: "0x12" }]), /signatures\.0\.vs/);
  });
});
