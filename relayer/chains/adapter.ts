// The one interface through which the relayer sees a chain. Each chain family (evm/, tron/) implements
// it once; everything above it — the stages (watch, attest, deliver, confirm, observe) and the store — is
// family-agnostic. The errors a destination throws that the stages act on are in delivery-errors.ts.
import type { ObservedTransfer } from "../../common/observed-transfer.ts";
import type { CompactSignature, Transfer, TransferItem } from "../../common/transfer.ts";
import type { ValidatorSet } from "../../common/validators/validator-set.ts";

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
  /** Ids the gateway skipped, with the reason (TransferSkipped). */
  skipped: { id: string; reason: number }[];
}

/** Why a gateway skipped a transfer of a batch (IBridgeGateway.SkipReason). */
export const SkipReason = { AlreadyDelivered: 0, DailyLimitExceeded: 1, ReserveInsufficient: 2 } as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

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
  /** The receipt once the transaction is final by this chain's rule, null while it is not; throws
   * DeliveryTxUnknownError when the chain knows no such transaction. */
  finalReceipt(txHash: string): Promise<DeliveryReceipt | null>;
  /** How many validator signatures a batch needs now (read each time: the validator set changes). */
  threshold(): Promise<number>;
  /** The gateway's current validator set: epoch, members (ascending), threshold. */
  validatorSet(): Promise<ValidatorSet>;
  /** Only the current epoch (a cheap read, to learn that the set changed). */
  validatorEpoch(): Promise<bigint>;
}

/** One transfer that a gateway reported delivered (one per id of a TransfersDelivered event). */
export interface DeliveredEntry {
  id: string;
  txHash: string;
  blockNumber: bigint;
  logIndex: number;
}

/** One TransferSkipped event. */
export interface SkippedEntry {
  id: string;
  /** A SkipReason. */
  reason: number;
  txHash: string;
  blockNumber: bigint;
  logIndex: number;
}

export interface DeliveryLogEntries {
  /** In chain order (block, log index, then position in the event's list). */
  delivered: DeliveredEntry[];
  /** In chain order. */
  skipped: SkippedEntry[];
}

/** A destination chain's record of deliveries, whoever sent them (EVM: EvmDeliveryLog). */
export interface DeliveryLog {
  readonly name: string;
  /** The head and the newest final block, by the chain's finality rule. */
  heads(): Promise<ChainHeads>;
  /** What the gateway delivered and skipped in blocks [from, to]. */
  deliveriesIn(from: bigint, to: bigint): Promise<DeliveryLogEntries>;
}
