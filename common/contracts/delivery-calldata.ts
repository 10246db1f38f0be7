// The calldata of a gateway's deliveries. Encoding `deliverBatch(uint64, bytes32, TransferItem[], Signature[])`
// by hand, for the relayer's hot path: Every part is a static word but the two arrays, so the layout is fixed: four head words (the two
// arrays as offsets), then each array's length and its items. ethers' generic encoder spent most of a
// delivery's CPU on a batch of 128 (and a keccak256 per recipient, to checksum it);
// test/common/contracts/delivery-calldata.test.ts checks the two agree. Values out of their type's range are
// refused, as ethers refuses them. Decoding `deliver` or `deliverBatch`, for those who check a delivery
// after the fact (the API's timeline, the watchtower): the TransfersDelivered event carries ids only, so a
// delivery's fields and signatures are read from its calldata.
import { getAddress, recoverAddress, Signature } from "ethers";
import type { Interface } from "ethers";
import { contractInterface } from "./artifacts.ts";
import { batchDigest, gatewayDomain, transferId, type CompactSignature, type Transfer, type TransferItem } from "../transfer.ts";

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

/** A delivery read back from its calldata: the transfers it carried (complete, with the destination it was
 * sent to) and the signatures it carried, in the order given. */
export interface DecodedDelivery {
  method: "deliver" | "deliverBatch";
  srcChainId: bigint;
  srcGateway: string;
  transfers: Transfer[];
  /** Transfer ids, in the order of `transfers`. */
  ids: string[];
  signatures: CompactSignature[];
}

let gatewayInterface: Interface | undefined;

/**
 * Decodes calldata sent to the gateway at `gateway` on chain `dstChainId`; null when it is not a call of
 * `deliver` or `deliverBatch` (a delivery made through another contract has the outer call's calldata:
 * the caller then needs the inner call, e.g. from a trace).
 */
export function decodeDelivery(data: string, dstChainId: bigint): DecodedDelivery | null {
  gatewayInterface ??= contractInterface("RemoteGateway"); // BttcGateway shares the core's deliver ABI
  let parsed;
  try {
    parsed = gatewayInterface.parseTransaction({ data });
  } catch {
    return null;
  }
  if (!parsed || (parsed.name !== "deliver" && parsed.name !== "deliverBatch")) return null;
  const [srcChainIdRaw, srcGatewayRaw, itemsRaw, signaturesRaw] = parsed.args as unknown as [bigint, string, unknown, unknown[]];
  const rawItems = (parsed.name === "deliver" ? [itemsRaw] : itemsRaw) as {
    srcRef: string;
    kind: bigint;
    recipient: string;
    amount: bigint;
  }[];
  const srcChainId = BigInt(srcChainIdRaw);
  const srcGateway = String(srcGatewayRaw).toLowerCase();
  const transfers: Transfer[] = rawItems.map((item) => ({
    srcChainId,
    srcGateway,
    srcRef: String(item.srcRef).toLowerCase(),
    kind: Number(item.kind) as Transfer["kind"],
    dstChainId,
    recipient: getAddress(String(item.recipient)),
    amount: BigInt(item.amount),
  }));
  const signatures = (signaturesRaw as { r: string; vs: string }[]).map((s) => ({ r: String(s.r), vs: String(s.vs) }));
  return { method: parsed.name, srcChainId, srcGateway, transfers, ids: transfers.map(transferId), signatures };
}

/** The addresses that signed `transfers` as one batch for the gateway at `gateway` on `dstChainId`, in the
 * order of `signatures` (a signature that recovers no address is left out). Membership in the validator
 * set is the caller's to check. */
export function recoverBatchSigners(
  dstChainId: bigint,
  gateway: string,
  transfers: readonly Transfer[],
  signatures: readonly CompactSignature[],
): string[] {
  const digest = batchDigest(gatewayDomain(dstChainId, gateway), transfers);
  const signers: string[] = [];
  for (const s of signatures) {
    try {
      signers.push(getAddress(recoverAddress(digest, Signature.from({ r: s.r, yParityAndS: s.vs }))));
    } catch {
      // not a signature of anyone: the gateway would have refused it; nothing to report as a signer
    }
  }
  return signers;
}
