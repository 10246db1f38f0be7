// Every Redis key a relayer node writes, in one place (docs/operations.md, "Redis"). A node keeps all of
// its state under its own prefix (`bttb:<node id>:` unless configured), so several nodes may share one
// Redis; the API reads the record keys of the node it follows. The shapes are part of a node's stored
// state: changing one orphans what a running bridge has written, so they change only with a migration.
//
// The transition script of the relayer's store builds the index keys (status, ready, progress, bySrcTx,
// byAddress) inside Redis from the prefix and these same segment names (RECORD_INDEX_SEGMENTS).

/** The segment names of the record indexes, as the store's Lua script writes them after the prefix. */
export const RECORD_INDEX_SEGMENTS = {
  status: "status",
  ready: "ready",
  progress: "progress",
  bySrcTx: "bySrcTx",
  byAddress: "byAddress",
} as const;

export class NodeKeys {
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  // ----- transfer records (written by the relayer's store, read by the API) -----

  /** Hash: a transfer's record (`record` JSON, `status`, `updatedAt`, `route`). */
  transfer(id: string): string {
    return `${this.prefix}transfer:${id}`;
  }
  /** List: a transfer's timeline entries (JSON), oldest first. */
  timeline(id: string): string {
    return `${this.prefix}timeline:${id}`;
  }
  /** Set: the ids of transfers in `status`. */
  status(status: string): string {
    return `${this.prefix}${RECORD_INDEX_SEGMENTS.status}:${status}`;
  }
  /** Sorted set: a route's transfers waiting to be delivered, scored by when they may be tried (ms). */
  ready(route: string): string {
    return `${this.prefix}${RECORD_INDEX_SEGMENTS.ready}:${route}`;
  }
  /** Set: the ids of transfers started by source transaction `txHash` (lower case). */
  bySrcTx(txHash: string): string {
    return `${this.prefix}${RECORD_INDEX_SEGMENTS.bySrcTx}:${txHash.toLowerCase()}`;
  }
  /** Sorted set: the ids of transfers sent from or to `address` (lower case), scored by first sight (ms). */
  byAddress(address: string): string {
    return `${this.prefix}${RECORD_INDEX_SEGMENTS.byAddress}:${address.toLowerCase()}`;
  }
  /** String: when a transfer on `route` last completed by another node's delivery (ms). */
  progress(route: string): string {
    return `${this.prefix}${RECORD_INDEX_SEGMENTS.progress}:${route}`;
  }
  /** String: when this node last co-signed a batch on `route` for a peer (ms). */
  proposed(route: string): string {
    return `${this.prefix}proposed:${route}`;
  }
  /** Hash: transfer id → times peers refused it. */
  get refusals(): string {
    return `${this.prefix}refusals`;
  }
  /** Hash: transfer id → times its batch failed. */
  get failures(): string {
    return `${this.prefix}failures`;
  }
  /** Hash: transfer id → why it was parked out of the ready set. */
  get stuck(): string {
    return `${this.prefix}stuck`;
  }
  /** Hash: transfer id → a delivery seen on a destination before this node had the transfer. */
  get deliveredUnseen(): string {
    return `${this.prefix}deliveredUnseen`;
  }

  /** String (TTL): the digest of the last batch holding transfer `id` that this node collected a threshold
   * of signatures for (the batch itself: `attestedBatch`). The API builds "deliver it yourself" from it. */
  attestation(id: string): string {
    return `${this.prefix}attestation:${id}`;
  }
  /** String (TTL): a signed batch (common/records/attestation.ts), by its EIP-712 digest. */
  attestedBatch(digest: string): string {
    return `${this.prefix}attestedBatch:${digest.toLowerCase()}`;
  }

  // ----- watching -----

  /** Hash: how far `chain` was read (scannedHead, finalizedUpTo, lastSequence). */
  cursor(chain: string): string {
    return `${this.prefix}cursor:${chain}`;
  }
  /** Sorted set: the ids of transfers seen on `chain` above its final block, scored by block number
   * (re-read once final: one missing then was dropped by a reorg). */
  pendingBlocks(chain: string): string {
    return `${this.prefix}pendingBlocks:${chain}`;
  }
  /** String (token): which process of the node watches `chain` now. */
  watchLease(chain: string): string {
    return `${this.prefix}lease:watch:${chain}`;
  }

  // ----- delivering -----

  /** String (token): which process of the node drains `route` now. */
  routeLock(route: string): string {
    return `${this.prefix}lock:route:${route}`;
  }
  /** BullMQ's prefix for this node's queues (deliver, confirm). */
  get queues(): string {
    return `${this.prefix}q`;
  }
  /** The payer's shared ledger on one chain (its keys: `lock`, `next`, `sent`, …, appended). */
  payer(chainId: bigint, address: string): string {
    return `${this.prefix}payer:${chainId}:${address.toLowerCase()}:`;
  }

  // ----- TRON -----

  /** The black-hole forwarding of swapped deposits on TRON chain `chain` (its keys appended). */
  tronBurn(chain: string): { unburned: string; burned: string; scan: string; inflight: string } {
    const base = `${this.prefix}tron:${chain}:`;
    return { unburned: `${base}unburned`, burned: `${base}burned`, scan: `${base}burnScan`, inflight: `${base}burnInFlight` };
  }
}
