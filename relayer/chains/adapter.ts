// The one interface through which the relayer sees a chain. Each chain family (evm/, and tron/ later)
// implements it once; everything above it — watcher, store, pipeline — is family-agnostic.
import type { ObservedTransfer } from "../../common/observed-transfer.ts";
import type { CompactSignature, Transfer, TransferItem } from "../../common/transfer.ts";

// What a source reports is shared with the store and the API: defined in common/, named here too.
export type { ObservedTransfer, TransferRejection } from "../../common/observed-transfer.ts";

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
