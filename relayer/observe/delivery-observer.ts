// Observes one destination chain's gateway for deliveries, whoever sent them. Several nodes deliver the
// same transfers (the designated one, then fallbacks), and only one transaction per transfer can succeed:
// the others' nodes learn it here, from the chain, so their store (which the API follows) shows
// `completed` and their deliver stage stops trying. Only final blocks are read, in bounded ranges, from a
// cursor of its own that survives restarts; re-reading a range changes nothing (store transitions are
// idempotent and never move a transfer backwards).
import type { Logger } from "pino";
import { groupBy } from "../../common/group-by.ts";
import { SkipReason, type DeliveredEntry, type DeliveryLog, type DeliveryLogEntries } from "../chains/adapter.ts";
import type { ChainCursor } from "../store/chain-cursor.ts";
import type { TransferStatus, TransferStore } from "../store/transfer-store.ts";

const SKIP_REASONS: Record<number, string> = {
  [SkipReason.DailyLimitExceeded]: "the daily limit is reached",
  [SkipReason.ReserveInsufficient]: "the gateway holds too little to pay out",
};

/** Statuses in which a skip means "waiting on the destination": this node has it in hand. */
const DELAYABLE: ReadonlySet<TransferStatus> = new Set(["finalized", "attested", "submitted"]);

/** The cursor key of a chain's delivery log, apart from the cursor of its source side. */
export function deliveryCursorChain(chain: string): string {
  return `${chain}:deliveries`;
}

export interface DeliveryObserverOptions {
  deliveries: DeliveryLog;
  store: TransferStore;
  /** Its own cursor (e.g. `new ChainCursor(redis, prefix, deliveryCursorChain(chain))`). */
  cursor: ChainCursor;
  /** First block to read on a node with no cursor (the gateway's deployment block). */
  startBlock: bigint;
  /** Most blocks read per tick, so one tick stays short after a long pause (default 20,000). */
  maxBlocksPerTick?: bigint;
  log?: Logger;
}

export interface DeliveryTickResult {
  /** Transfers this tick moved to `completed`. */
  completed: number;
  /** Transfers this tick moved to `delayed`. */
  delayed: number;
  /** Delivered or skipped ids this node has no record of (ignored). */
  unknown: number;
  /** Everything at or below this block has been read. */
  scannedUpTo: bigint;
  /** The chain's newest final block: `scannedUpTo` below it means more ticks are needed to catch up. */
  finalized: bigint;
}

const DEFAULT_MAX_BLOCKS_PER_TICK = 20_000n;

export class DeliveryObserver {
  private readonly o: DeliveryObserverOptions;
  private readonly maxBlocksPerTick: bigint;

  constructor(options: DeliveryObserverOptions) {
    this.o = options;
    this.maxBlocksPerTick = options.maxBlocksPerTick ?? DEFAULT_MAX_BLOCKS_PER_TICK;
    if (this.maxBlocksPerTick < 1n) throw new RangeError("maxBlocksPerTick must be at least 1");
  }

  async tick(): Promise<DeliveryTickResult> {
    const { deliveries, cursor } = this.o;
    const { finalized } = await deliveries.heads();
    const state = await cursor.load(this.o.startBlock);
    const result: DeliveryTickResult = { completed: 0, delayed: 0, unknown: 0, scannedUpTo: state.finalizedUpTo, finalized };
    if (finalized <= state.finalizedUpTo) return result;

    const from = state.finalizedUpTo + 1n;
    const to = finalized < from + this.maxBlocksPerTick - 1n ? finalized : from + this.maxBlocksPerTick - 1n;
    const entries = await deliveries.deliveriesIn(from, to);
    await this.apply(entries, result);

    // Only after every entry is applied: a tick that fails part-way reads the same range again.
    state.finalizedUpTo = to;
    if (state.scannedHead < to) state.scannedHead = to;
    await cursor.save(state);
    result.scannedUpTo = to;
    return result;
  }

  private async apply(entries: DeliveryLogEntries, result: DeliveryTickResult): Promise<void> {
    const { store, deliveries } = this.o;
    // A skip of a transfer that the same range also shows delivered is history already settled.
    const deliveredIds = new Set(entries.delivered.map((d) => d.id));
    const events = [
      ...entries.delivered.map((entry) => ({ kind: "delivered" as const, entry })),
      ...entries.skipped.map((entry) => ({ kind: "skipped" as const, entry })),
    ].sort((a, b) => compareChainOrder(a.entry, b.entry));

    // Deliveries first, all at once (pipelined, one transaction's detail each): their order does not
    // matter, as each settles its own transfer for good, and no skip below concerns a delivered one.
    const detailOf = (d: DeliveredEntry) => `delivered on ${deliveries.name} in block ${d.blockNumber}`;
    // By transaction (one TransfersDelivered event's ids share one), in their order.
    for (const [txHash, group] of groupBy(entries.delivered, (d) => d.txHash)) {
      const moved = await store.transitionMany(
        group.map((d) => d.id),
        "completed",
        { txHash, detail: detailOf(group[0]!) },
      );
      for (const [i, { changed, previous }] of moved.entries()) {
        if (changed) result.completed++;
        if (previous !== null) continue;
        // Not recorded here (yet: this node's source side may lag behind). A note for when it is, then
        // a second look, for a record that came in meanwhile: one of the two completes it.
        const d = group[i]!;
        await store.noteDeliveredUnseen(d.id, `${detailOf(d)} (tx ${txHash}), before this node saw it`);
        const { changed: late, previous: now } = await store.transition(d.id, "completed", { txHash, detail: detailOf(d) });
        if (late) result.completed++;
        else if (now === null) result.unknown++;
      }
    }

    for (const event of events) {
      if (event.kind === "delivered") continue;

      const { id, reason, txHash, blockNumber } = event.entry;
      if (reason === SkipReason.AlreadyDelivered || deliveredIds.has(id)) continue; // the delivery is in the log
      const why = SKIP_REASONS[reason];
      if (why === undefined) {
        this.o.log?.warn({ chain: deliveries.name, id, reason, txHash }, "transfer skipped for a reason this node does not know");
        continue;
      }
      const status = await store.statusOf(id);
      if (status === null) {
        result.unknown++;
        continue;
      }
      if (!DELAYABLE.has(status)) continue;
      const { changed } = await store.transition(id, "delayed", {
        detail: `skipped on ${deliveries.name}: ${why} (tx ${txHash}, block ${blockNumber})`,
      });
      if (changed) result.delayed++;
    }
    if (result.completed + result.delayed > 0) {
      this.o.log?.info({ chain: deliveries.name, completed: result.completed, delayed: result.delayed }, "deliveries recorded");
    }
  }
}

/** Block, then log index; entries of one TransfersDelivered event keep their order (a stable sort). */
function compareChainOrder(a: { blockNumber: bigint; logIndex: number }, b: { blockNumber: bigint; logIndex: number }): number {
  if (a.blockNumber !== b.blockNumber) return a.blockNumber < b.blockNumber ? -1 : 1;
  return a.logIndex - b.logIndex;
}
