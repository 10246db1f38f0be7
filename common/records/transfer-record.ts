// What a relayer node records of a transfer: its status in the lifecycle of spec §4 and its timeline.
// The relayer's store writes these records; the API reads them (common/records/reader.ts).
import type { ObservedTransfer } from "../observed-transfer.ts";

export const TRANSFER_STATUSES = ["pending", "finalized", "attested", "submitted", "completed", "dropped", "rejected", "delayed"] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

/** Statuses in which a transfer waits to be delivered: indexed per route, so a batch is found in O(batch). */
export const READY_STATUSES: readonly TransferStatus[] = ["finalized", "delayed"];

export interface TimelineEntry {
  status: TransferStatus;
  /** Milliseconds since the epoch. */
  at: number;
  txHash?: string;
  detail?: string;
}

export interface TransferRecord {
  observed: ObservedTransfer;
  status: TransferStatus;
  updatedAt: number;
  timeline: TimelineEntry[];
}

/** A record without its timeline: what the pipeline and the co-signer need, in one read. */
export type TransferState = Omit<TransferRecord, "timeline">;
