// Transfer records as a relayer node writes them (through its TransferStore), for API tests and the
// API benchmark: observed at a source, then moved along the lifecycle.
import { randomBytes } from "node:crypto";
import { getAddress } from "ethers";
import { addressToBytes32, sequenceToRef, transferId, TransferKind } from "../common/transfer.ts";
import type { ObservedTransfer } from "../common/observed-transfer.ts";

export interface RecordOptions {
  srcChainId: bigint;
  srcGateway: string;
  dstChainId: bigint;
  sequence: bigint;
  sender?: string;
  recipient?: string;
  amount?: bigint;
  fee?: bigint;
  kind?: TransferKind;
  legacyAmount?: bigint;
  srcTxHash?: string;
}

/** A random address (Wallet.createRandom derives a mnemonic first: ~5 ms each, too slow for seeding). */
export function randomAddress(): string {
  return getAddress(`0x${randomBytes(20).toString("hex")}`);
}

export function observedTransfer(o: RecordOptions): ObservedTransfer {
  const transfer = {
    srcChainId: o.srcChainId,
    srcGateway: addressToBytes32(o.srcGateway),
    srcRef: sequenceToRef(o.sequence),
    kind: o.kind ?? TransferKind.Bridge,
    dstChainId: o.dstChainId,
    recipient: o.recipient ?? randomAddress(),
    amount: o.amount ?? 10n ** 18n,
  };
  const observed: ObservedTransfer = {
    id: transferId(transfer),
    transfer,
    sender: o.sender ?? randomAddress(),
    fee: o.fee ?? 0n,
    sequence: o.sequence,
    srcTxHash: o.srcTxHash ?? `0x${randomBytes(32).toString("hex")}`,
    blockNumber: 100n + o.sequence,
    blockHash: `0x${randomBytes(32).toString("hex")}`,
    logIndex: 0,
  };
  if (o.legacyAmount !== undefined) observed.legacyAmount = o.legacyAmount;
  return observed;
}
