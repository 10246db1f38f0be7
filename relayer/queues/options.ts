// What the deliver and confirm stages are built from (the node passes its config and parts).
import type { ConnectionOptions } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { BatchSigner } from "../attest/batch-signer.ts";
import type { ValidatorSets } from "../attest/validator-sets.ts";
import type { DestinationChain, SourceChain } from "../chains/adapter.ts";
import type { TransferRecord, TransferStore } from "../store/transfer-store.ts";

export interface DeliveryPipelineOptions {
  nodeId: string;
  /** Every node of the bridge (this one included), by id: the order of designated deliverers. */
  nodeIds: readonly string[];
  connection: ConnectionOptions;
  /** BullMQ key prefix: the node's own. */
  prefix: string;
  redis: Redis;
  store: TransferStore;
  destinations: ReadonlyMap<bigint, DestinationChain>;
  signer: BatchSigner;
  /** The destinations' validator sets: a node proposes for a destination only while its key is in the
   * set there, and the order of deliverers is among the set's members. Without it, every node does. */
  validatorSets?: ValidatorSets;
  maxBatch: number;
  /** How long each node in the order waits for the ones before it. */
  fallbackMs: number;
  /** How often a submitted transaction is checked for finality. */
  confirmPollMs: number;
  /** How long a transfer over a limit waits before it is tried again. */
  retryLaterMs: number;
  concurrency?: number;
  log: Logger;
  /** Told of each transfer this node's own delivery completed, with its record (for latency metrics). */
  onCompleted?(record: TransferRecord): void;
  /** After this many refusals by peers a transfer is checked at its source and, still there, taken out
   * of the ready set as stuck (it would hold back every batch it is in). Default 20. */
  maxRefusals?: number;
  /** The source chains, by chain id: where a transfer refused too often is checked again. */
  sources?: ReadonlyMap<bigint, SourceChain>;
  /** How often transfers left `attested` by a drain that died are looked for (default 10 s). */
  attestedSweepMs?: number;
  /** How long a transfer stays `attested` before a sweep may send it back, its route unlocked (default
   * 60 s: a drain killed after broadcasting but before recording `submitted` leaves a transaction that
   * may still be mined; the longer wait lets it be, rather than sending the batch again at once). */
  attestedTimeoutMs?: number;
}

/** The BullMQ options both stages' queues and workers share: the node's connection, under its prefix. */
export function queueOptions(o: DeliveryPipelineOptions): { connection: ConnectionOptions; prefix: string } {
  return { connection: o.connection, prefix: o.prefix + "q" };
}

/** Sends transfers back to `deliver` as `status`, to be tried after a pause (DeliverStage.requeue). */
export type Requeue = (
  route: string,
  ids: readonly string[],
  status: "finalized" | "delayed",
  detail: string,
  txHash?: string,
) => Promise<void>;

/** Has the confirm stage follow a delivery transaction (ConfirmStage.follow). */
export type FollowDelivery = (dstChainId: bigint, txHash: string, ids: readonly string[], jobId?: string) => Promise<void>;
