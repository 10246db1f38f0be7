// A transfer as a relayer node observed it at its source: the signed fields plus where and when it was
// seen. Sources produce it, the relayer's store keeps it, the API shows it.
import type { Transfer } from "./transfer.ts";

/** A transfer as seen in its source chain's log, with where it was seen. */
export interface ObservedTransfer {
  /** `transferId(transfer)`: keccak256(abi.encode(srcChainId, srcGateway, srcRef)). */
  id: string;
  transfer: Transfer;
  /** The account that started it (the gateway call's sender; TRON: the depositor). */
  sender: string;
  /** Fee kept at the source, in BTT wei (0 for swaps). */
  fee: bigint;
  /** Swaps: the legacy amount taken in, in the legacy token's base units. */
  legacyAmount?: bigint;
  /** The source's own sequence number (EVM gateways), for gap detection. */
  sequence?: bigint;
  srcTxHash: string;
  blockNumber: bigint;
  blockHash: string;
  logIndex: number;
  /** Set when the source holds something that can never be delivered (a TRON deposit with a bad memo,
   * under the minimum): recorded as `rejected`, never attested, refunded by an operator. */
  rejection?: TransferRejection;
}

export interface TransferRejection {
  /** A stable code, e.g. BAD_CHECKSUM or BELOW_MINIMUM. */
  reason: string;
  /** What was wrong, for the operator's refund list. */
  detail: string;
}
