// ObservedTransfer <-> JSON for Redis: bigints travel as decimal strings, never as numbers.
import type { ObservedTransfer } from "../observed-transfer.ts";
import type { TransferKind } from "../transfer.ts";

interface ObservedJson {
  id: string;
  transfer: {
    srcChainId: string;
    srcGateway: string;
    srcRef: string;
    kind: number;
    dstChainId: string;
    recipient: string;
    amount: string;
  };
  sender: string;
  fee: string;
  legacyAmount?: string;
  sequence?: string;
  srcTxHash: string;
  blockNumber: string;
  blockHash: string;
  logIndex: number;
  rejection?: { reason: string; detail: string };
}

export function encodeObserved(o: ObservedTransfer): string {
  const json: ObservedJson = {
    id: o.id,
    transfer: {
      srcChainId: o.transfer.srcChainId.toString(),
      srcGateway: o.transfer.srcGateway,
      srcRef: o.transfer.srcRef,
      kind: o.transfer.kind,
      dstChainId: o.transfer.dstChainId.toString(),
      recipient: o.transfer.recipient,
      amount: o.transfer.amount.toString(),
    },
    sender: o.sender,
    fee: o.fee.toString(),
    srcTxHash: o.srcTxHash,
    blockNumber: o.blockNumber.toString(),
    blockHash: o.blockHash,
    logIndex: o.logIndex,
  };
  if (o.legacyAmount !== undefined) json.legacyAmount = o.legacyAmount.toString();
  if (o.sequence !== undefined) json.sequence = o.sequence.toString();
  if (o.rejection !== undefined) json.rejection = { reason: o.rejection.reason, detail: o.rejection.detail };
  return JSON.stringify(json);
}

export function decodeObserved(text: string): ObservedTransfer {
  const j = JSON.parse(text) as ObservedJson;
  const observed: ObservedTransfer = {
    id: j.id,
    transfer: {
      srcChainId: BigInt(j.transfer.srcChainId),
      srcGateway: j.transfer.srcGateway,
      srcRef: j.transfer.srcRef,
      kind: j.transfer.kind as TransferKind,
      dstChainId: BigInt(j.transfer.dstChainId),
      recipient: j.transfer.recipient,
      amount: BigInt(j.transfer.amount),
    },
    sender: j.sender,
    fee: BigInt(j.fee),
    srcTxHash: j.srcTxHash,
    blockNumber: BigInt(j.blockNumber),
    blockHash: j.blockHash,
    logIndex: j.logIndex,
  };
  if (j.legacyAmount !== undefined) observed.legacyAmount = BigInt(j.legacyAmount);
  if (j.sequence !== undefined) observed.sequence = BigInt(j.sequence);
  if (j.rejection !== undefined) observed.rejection = { reason: j.rejection.reason, detail: j.rejection.detail };
  return observed;
}
