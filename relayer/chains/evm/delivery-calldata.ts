// The calldata of a gateway's `deliverBatch(uint64, bytes32, TransferItem[], Signature[])`, encoded by
// hand. Every part is a static word but the two arrays, so the layout is fixed: four head words (the two
// arrays as offsets), then each array's length and its items. ethers' generic encoder spent most of a
// delivery's CPU on a batch of 128 (and a keccak256 per recipient, to checksum it);
// test/relayer/delivery-calldata.test.ts checks the two agree. Values out of their type's range are
// refused, as ethers refuses them.
import type { CompactSignature, TransferItem } from "../../../common/transfer.ts";

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** `selector` is deliverBatch's 4-byte selector (0x and 8 hex digits). */
export function encodeDeliverBatch(
  selector: string,
  srcChainId: bigint,
  srcGateway: string,
  items: readonly TransferItem[],
  signatures: readonly CompactSignature[],
): string {
  const itemsOffset = 4n * 32n;
  const signaturesOffset = itemsOffset + 32n + BigInt(items.length) * 4n * 32n;
  const words: string[] = [
    selector.slice(2),
    uint(srcChainId, 64, "srcChainId"),
    bytes32(srcGateway, "srcGateway"),
    uint(itemsOffset, 256, "offset"),
    uint(signaturesOffset, 256, "offset"),
    uint(BigInt(items.length), 256, "length"),
  ];
  items.forEach((item, i) => {
    words.push(bytes32(item.srcRef, `items.${i}.srcRef`), uint(BigInt(item.kind), 8, `items.${i}.kind`));
    if (!ADDRESS.test(item.recipient)) throw new TypeError(`items.${i}.recipient: not an address: ${item.recipient}`);
    words.push(item.recipient.slice(2).toLowerCase().padStart(64, "0"), uint(item.amount, 256, `items.${i}.amount`));
  });
  words.push(uint(BigInt(signatures.length), 256, "length"));
  signatures.forEach((s, i) => words.push(bytes32(s.r, `signatures.${i}.r`), bytes32(s.vs, `signatures.${i}.vs`)));
  return "0x" + words.join("");
}

function uint(value: bigint, bits: number, field: string): string {
  if (value < 0n || value >= 1n << BigInt(bits)) throw new RangeError(`${field}: not a uint${bits}: ${value}`);
  return value.toString(16).padStart(64, "0");
}

function bytes32(value: string, field: string): string {
  if (!BYTES32.test(value)) throw new TypeError(`${field}: not 32 bytes of hex: ${value}`);
  return value.slice(2).toLowerCase();
}
