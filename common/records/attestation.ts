// A batch a relayer node collected a threshold of signatures for, as it stores it (NodeKeys.attestedBatch)
// right before it marks the batch's transfers `attested`: the source, the ordered items and the signatures,
// which sign the whole batch (EIP-712 over its ordered transfers) and nothing else. The API reads it back to
// show who attested a transfer and to build "deliver it yourself": the gateway takes exactly this batch
// with these signatures (`deliver` for a batch of one, `deliverBatch` otherwise, which skips what was
// delivered meanwhile), sent by anyone.
import type { CompactSignature, Transfer, TransferItem, TransferKind } from "../transfer.ts";

export interface StoredAttestation {
  srcChainId: bigint;
  srcGateway: string;
  dstChainId: bigint;
  /** The batch in its signed order. */
  items: TransferItem[];
  /** Ordered by signer, ascending, as collected (a threshold at the time). */
  signatures: CompactSignature[];
  /** When the node stored it (ms). */
  at: number;
}

/** How long a node keeps a signed batch: deliveries take seconds to minutes; a transfer waiting longer
 * is signed again at its next try (which stores the new batch). */
export const ATTESTATION_TTL_SECONDS = 30 * 24 * 3600;

interface StoredJson {
  srcChainId: string;
  srcGateway: string;
  dstChainId: string;
  items: { srcRef: string; kind: number; recipient: string; amount: string }[];
  signatures: CompactSignature[];
  at: number;
}

export function encodeAttestation(a: StoredAttestation): string {
  const json: StoredJson = {
    srcChainId: a.srcChainId.toString(),
    srcGateway: a.srcGateway,
    dstChainId: a.dstChainId.toString(),
    items: a.items.map((i) => ({ srcRef: i.srcRef, kind: i.kind, recipient: i.recipient, amount: i.amount.toString() })),
    signatures: a.signatures.map((s) => ({ r: s.r, vs: s.vs })),
    at: a.at,
  };
  return JSON.stringify(json);
}

/** The stored batch, or null for text that is not one (a key written by something else is not trusted). */
export function decodeAttestation(text: string): StoredAttestation | null {
  try {
    const j = JSON.parse(text) as StoredJson;
    const hex32 = /^0x[0-9a-fA-F]{64}$/;
    if (!Array.isArray(j.items) || j.items.length === 0 || !Array.isArray(j.signatures)) return null;
    const items = j.items.map((i) => {
      if (!hex32.test(i.srcRef) || !/^0x[0-9a-fA-F]{40}$/.test(i.recipient)) throw new Error("bad item");
      return { srcRef: i.srcRef, kind: i.kind as TransferKind, recipient: i.recipient, amount: BigInt(i.amount) };
    });
    const signatures = j.signatures.map((s) => {
      if (!hex32.test(s.r) || !hex32.test(s.vs)) throw new Error("bad signature");
      return { r: s.r, vs: s.vs };
    });
    if (!hex32.test(j.srcGateway)) return null;
    return {
      srcChainId: BigInt(j.srcChainId),
      srcGateway: j.srcGateway,
      dstChainId: BigInt(j.dstChainId),
      items,
      signatures,
      at: Number(j.at),
    };
  } catch {
    return null;
  }
}

/** The batch's transfers in full (what its signatures sign). */
export function attestedTransfers(a: StoredAttestation): Transfer[] {
  return a.items.map((i) => ({
    srcChainId: a.srcChainId,
    srcGateway: a.srcGateway,
    srcRef: i.srcRef,
    kind: i.kind,
    dstChainId: a.dstChainId,
    recipient: i.recipient,
    amount: i.amount,
  }));
}
