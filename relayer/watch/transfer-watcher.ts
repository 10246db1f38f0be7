// Watches one source chain. Each tick scans, in bounded ranges, the blocks that became final since the
// last tick (the source of truth: what is there is `finalized`, a transfer seen earlier at the head but
// not there is `dropped`), then the blocks above them up to the head (shown as `pending`, never signed).
// It checks the gateway's sequence numbers for gaps before moving its cursor, so a range that came back
// incomplete is read again rather than skipped.
import type { Logger } from "pino";
import type { ObservedTransfer, SourceChain } from "../chains/adapter.ts";
import type { ChainCursor, CursorState } from "../store/chain-cursor.ts";
import type { TransferStore } from "../store/transfer-store.ts";
import { RelayerError } from "../errors.ts";

export class SequenceGapError extends RelayerError {
  constructor(chain: string, expected: bigint, found: bigint) {
    super("SEQUENCE_GAP", `${chain}: expected sequence ${expected} next, found ${found}; reading the range again`, true);
  }
}

export interface WatcherOptions {
  source: SourceChain;
  store: TransferStore;
  cursor: ChainCursor;
  startBlock: bigint;
  /** Most blocks read per tick and phase, so one tick stays short after a long pause. */
  maxBlocksPerTick: bigint;
  /** Called with the transfers of newly final blocks (after they are recorded, before the cursor moves;
   * a range read again after a failure hands them on again, so this must be idempotent). */
  onFinalized(transfers: ObservedTransfer[]): Promise<void>;
  log: Logger;
}

export interface TickResult {
  finalized: number;
  dropped: number;
  pending: number;
  finalizedUpTo: bigint;
  head: bigint;
}

export class TransferWatcher {
  private readonly o: WatcherOptions;

  constructor(options: WatcherOptions) {
    this.o = options;
  }

  async tick(): Promise<TickResult> {
    const { source, store, cursor } = this.o;
    const heads = await source.heads();
    const state = await cursor.load(this.o.startBlock);
    // The head moved back (a reorg shortened the chain): what was scanned above the final part is stale.
    if (state.scannedHead > heads.head) state.scannedHead = state.finalizedUpTo;

    const result: TickResult = { finalized: 0, dropped: 0, pending: 0, finalizedUpTo: state.finalizedUpTo, head: heads.head };

    if (heads.finalized > state.finalizedUpTo) {
      const from = state.finalizedUpTo + 1n;
      const to = min(heads.finalized, from + this.o.maxBlocksPerTick - 1n);
      const final = await source.transfersIn(from, to);
      this.checkSequence(state, final);

      // Handed on: every transfer of the range that is final and not further along. Handing on is
      // idempotent, and happens before the cursor moves, so a failed hand-on is retried with the range.
      // A rejected one (a TRON deposit with a bad memo) is recorded final as `rejected`, never handed on.
      const recorded = await store.observeMany(final, "finalized");
      const newlyFinal = final.filter((o, i) => !o.rejection && (recorded[i]!.changed || recorded[i]!.previous === "finalized"));
      const finalIds = new Set(final.map((o) => o.id));
      const vanished = (await cursor.takePending(from, to)).filter((id) => !finalIds.has(id));
      for (const { changed } of await inParallel(vanished, (id) =>
        store.transition(id, "dropped", { detail: `not in ${source.name}'s final blocks` }),
      )) {
        if (changed) result.dropped++;
      }
      if (newlyFinal.length > 0) await this.o.onFinalized(newlyFinal);
      state.finalizedUpTo = to;
      if (state.scannedHead < to) state.scannedHead = to;
      await cursor.save(state);
      result.finalized = newlyFinal.length;
      result.finalizedUpTo = to;
    }

    // Above the final part: show what is there as pending (and re-show what a reorg brought back).
    const from = max(state.scannedHead, state.finalizedUpTo) + 1n;
    const to = min(heads.head, from + this.o.maxBlocksPerTick - 1n);
    if (to >= from) {
      // Recording as pending changes nothing for a transfer known already, unless it was dropped.
      const seen = await source.transfersIn(from, to);
      const recorded = await store.observeMany(seen, "pending");
      const added = seen.filter((_, i) => recorded[i]!.changed);
      await inParallel(added, (observed) => cursor.notePending(observed.id, observed.blockNumber));
      result.pending += added.length;
      state.scannedHead = to;
      await cursor.save(state);
    }
    return result;
  }

  /** Sequence numbers of final transfers must follow the last one seen without a gap. */
  private checkSequence(state: CursorState, final: readonly ObservedTransfer[]): void {
    for (const observed of final) {
      if (observed.sequence === undefined) continue;
      if (state.lastSequence === null) {
        this.o.log.info({ chain: this.o.source.name, sequence: observed.sequence }, "first sequence seen");
      } else if (observed.sequence > state.lastSequence + 1n) {
        throw new SequenceGapError(this.o.source.name, state.lastSequence + 1n, observed.sequence);
      } else if (observed.sequence <= state.lastSequence) {
        continue; // read again after a restart: already counted
      }
      state.lastSequence = observed.sequence;
    }
  }
}

/** Store writes in flight at once per tick. */
const PARALLEL_WRITES = 64;

/**
 * `work` for every item, up to PARALLEL_WRITES at a time, results in the items' order. The store's
 * writes for different transfers are independent (one atomic script each), so a tick need not wait a
 * Redis round trip per transfer. Every write has settled before this returns or throws (the first
 * error), so nothing of a failed tick is still under way when the next one starts.
 */
async function inParallel<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += PARALLEL_WRITES) {
    const settled = await Promise.allSettled(items.slice(i, i + PARALLEL_WRITES).map(work));
    for (const outcome of settled) {
      if (outcome.status === "rejected") throw outcome.reason;
      results.push(outcome.value);
    }
  }
  return results;
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
