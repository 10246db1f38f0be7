// The one interface through which the relayer sees a chain. Each chain family (evm/, and tron/ later)
// implements it once; everything above it — watcher, store, pipeline — is family-agnostic.
import type { CompactSignature, Transfer, TransferItem } from "../../common/transfer.ts";

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

/** A chain's head and the newest block that its finality rule makes final. */
export interface ChainHeads {
  head: bigint;
  finalized: bigint;
}

/** Reading transfers that leave a chain. */
export interface SourceChain {
  readonly name: string;
  readonly chainId: bigint;
  heads(): Promise<ChainHeads>;
  /** The hash of block `number` as the chain has it now (null past the head). */
  blockHash(number: bigint): Promise<string | null>;
  /** Every transfer whose event lies in blocks [from, to], in chain order. */
  transfersIn(from: bigint, to: bigint): Promise<ObservedTransfer[]>;
}

/** A delivery transaction as sent, to follow until final. */
export interface SubmittedDelivery {
  txHash: string;
  nonce: number;
}

export interface DeliveryReceipt {
  txHash: string;
  blockNumber: bigint;
  succeeded: boolean;
  /** Ids the gateway reported delivered by this transaction (TransfersDelivered). */
  delivered: string[];
  /** Ids the gateway skipped, with the reason (TransferSkipped: 0 already, 1 daily limit, 2 reserve). */
  skipped: { id: string; reason: number }[];
}

/** Delivering transfers to a chain's gateway. */
export interface DestinationChain {
  readonly name: string;
  readonly chainId: bigint;
  readonly gateway: string;
  /** Whether the gateway has delivered the transfer (the chain is the source of truth). */
  isDelivered(transfer: Pick<Transfer, "srcChainId" | "srcGateway" | "srcRef">): Promise<boolean>;
  /** Sends one batch (transfers from one source gateway) with its signatures. */
  submit(
    source: { srcChainId: bigint; srcGateway: string },
    items: readonly TransferItem[],
    signatures: readonly CompactSignature[],
  ): Promise<SubmittedDelivery>;
  /** The receipt once the transaction is final by this chain's rule, null while it is not. */
  finalReceipt(txHash: string): Promise<DeliveryReceipt | null>;
}
