// deliverBatch calldata encoded by hand is byte for byte what ethers' ABI encoder makes, and values out of
// range are refused; a delivery decoded back gives its transfers, ids and who signed it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { contractInterface } from "../../../common/contracts/artifacts.ts";
import { Wallet } from "ethers";
import { decodeDelivery, encodeDeliverBatch, recoverBatchSigners } from "../../../common/contracts/delivery-calldata.ts";
import { gatewayDomain, orderBySigner, signBatch, transferId, type Transfer } from "../../../common/transfer.ts";

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

describe("a delivery decoded from its calldata", () => {
  const dstChainId = 1337001n;
  const gateway = "0x" + "ab".repeat(20);
  const srcGateway = "0x" + "00".repeat(12) + "cd".repeat(20);
  const transfers: Transfer[] = [1n, 2n].map((n) => ({
    srcChainId: 1337199n,
    srcGateway,
    srcRef: "0x" + n.toString(16).padStart(64, "0"),
    kind: 0,
    dstChainId,
    recipient: Wallet.createRandom().address,
    amount: 10n ** 18n * n + 7n,
  }));
  const keys = [Wallet.createRandom(), Wallet.createRandom()];

  it("gives a batch's transfers, ids and signers", async () => {
    const signed = await Promise.all(keys.map((k) => signBatch(k, gatewayDomain(dstChainId, gateway), transfers)));
    const signatures = orderBySigner(signed);
    const items = transfers.map(({ srcRef, kind, recipient, amount }) => ({ srcRef, kind, recipient, amount }));
    const data = encodeDeliverBatch(selector, 1337199n, srcGateway, items, signatures);
    const decoded = decodeDelivery(data, dstChainId);
    assert.ok(decoded);
    assert.equal(decoded.method, "deliverBatch");
    assert.deepEqual(decoded.transfers, transfers);
    assert.deepEqual(decoded.ids, transfers.map(transferId));
    const expected = signed.map((s) => s.signer).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    assert.deepEqual(recoverBatchSigners(dstChainId, gateway, decoded.transfers, decoded.signatures), expected);
    // The same signatures over other fields (a forged amount) recover other addresses.
    const forged = [{ ...transfers[0]!, amount: transfers[0]!.amount + 1n }, transfers[1]!];
    const forgedSigners = recoverBatchSigners(dstChainId, gateway, forged, decoded.signatures);
    assert.equal(forgedSigners.filter((s) => expected.includes(s)).length, 0);
  });

  it("reads a single deliver, and nothing else", async () => {
    const one = [transfers[0]!];
    const signature = orderBySigner([await signBatch(keys[0]!, gatewayDomain(dstChainId, gateway), one)]);
    const t = one[0]!;
    const data = iface.encodeFunctionData("deliver", [
      1337199n,
      srcGateway,
      [t.srcRef, t.kind, t.recipient, t.amount],
      signature.map((s) => [s.r, s.vs]),
    ]);
    const decoded = decodeDelivery(data, dstChainId);
    assert.equal(decoded?.method, "deliver");
    assert.deepEqual(decoded?.transfers, one);
    assert.deepEqual(recoverBatchSigners(dstChainId, gateway, one, decoded.signatures), [keys[0]!.address]);
    assert.equal(decodeDelivery(iface.encodeFunctionData("pause", []), dstChainId), null);
    assert.equal(decodeDelivery("0x12345678", dstChainId), null);
    assert.equal(decodeDelivery("0x", dstChainId), null);
  });
});
