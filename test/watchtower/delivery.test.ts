// The deliveries found in a call trace (watchtower/delivery.ts): every deliver/deliverBatch call to the
// gateway that succeeded, at any depth; a call that failed, and everything under it, delivered nothing;
// calls to other contracts, delegate and static calls, and calldata that is not a delivery are skipped.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Wallet } from "ethers";
import { contractInterface } from "../../common/contracts/artifacts.ts";
import { TransferKind, addressToBytes32, sequenceToRef, transferId } from "../../common/transfer.ts";
import { deliveryCalls } from "../../watchtower/delivery.ts";

const gateway = Wallet.createRandom().address;
const other = Wallet.createRandom().address;
const iface = contractInterface("RemoteGateway");
const srcGateway = addressToBytes32(Wallet.createRandom().address);
const item = (seq: bigint) => ({ srcRef: sequenceToRef(seq), kind: TransferKind.Bridge, recipient: other, amount: 10n });
const deliverOne = (seq: bigint) => iface.encodeFunctionData("deliver", [7n, srcGateway, item(seq), []]);
const deliverTwo = iface.encodeFunctionData("deliverBatch", [7n, srcGateway, [item(3n), item(4n)], []]);
const id = (seq: bigint) => transferId({ srcChainId: 7n, srcGateway, srcRef: sequenceToRef(seq) });

describe("deliveryCalls", () => {
  it("finds successful deliver and deliverBatch calls to the gateway at any depth, and nothing else", () => {
    const trace = {
      type: "CALL",
      to: other,
      input: "0x1234",
      calls: [
        { type: "CALL", to: gateway, input: deliverOne(1n) },
        { type: "CALL", to: other, input: "0x", calls: [{ type: "CALL", to: gateway.toLowerCase(), input: deliverTwo }] },
        { type: "CALL", to: other, error: "execution reverted", calls: [{ type: "CALL", to: gateway, input: deliverOne(5n) }] },
        { type: "CALL", to: gateway, input: deliverOne(6n), error: "execution reverted" },
        { type: "DELEGATECALL", to: gateway, input: deliverOne(8n) },
        { type: "STATICCALL", to: gateway, input: deliverOne(9n) },
        { type: "CALL", to: other, input: deliverOne(10n) },
        { type: "CALL", to: gateway, input: iface.encodeFunctionData("pause", []) },
      ],
    };
    const found = deliveryCalls(trace, gateway, 99n);
    assert.deepEqual(
      found.map((d) => d.ids),
      [[id(1n)], [id(3n), id(4n)]],
    );
    assert.ok(found.every((d) => d.transfers.every((t) => t.dstChainId === 99n)));
  });

  it("finds nothing in a transaction that failed", () => {
    assert.deepEqual(deliveryCalls({ type: "CALL", to: gateway, input: deliverOne(1n), error: "out of gas" }, gateway, 99n), []);
  });
});
