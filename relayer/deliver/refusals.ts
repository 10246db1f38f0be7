// Transfers peers refused to co-sign: proposed again later each time, and parked as stuck after too many
// refusals (a transfer peers will never sign would hold back every batch it is in).
import type { ObservedTransfer } from "../chains/adapter.ts";
import type { RefusedTransfers } from "../attest/sign-dropping.ts";
import type { DeliveryPipelineOptions } from "../queues/options.ts";
import { refusedBackoff } from "./backoff.ts";

/** Refusals of a transfer before it is checked at its source and parked as stuck. */
const MAX_REFUSALS = 20;

/**
 * Transfers peers refused (not final or unknown where they are, or refused outright): each stays ready,
 * proposed again later each time it is refused; after maxRefusals it is checked at its source and, as it
 * will likely never be signed, parked as stuck — out of the ready set, in the store's stuck list.
 */
export async function recordRefusals(
  o: DeliveryPipelineOptions,
  route: string,
  refused: RefusedTransfers,
  statusOf: ReadonlyMap<string, string>,
): Promise<void> {
  if (refused.size === 0) return;
  const { store } = o;
  const ids = [...refused.keys()];
  const counts = await store.countRefusals(ids);
  const max = o.maxRefusals ?? MAX_REFUSALS;
  for (const [i, id] of ids.entries()) {
    const { observed, reason } = refused.get(id)!;
    const times = counts[i]!;
    if (times >= max) {
      const why = `refused ${times} times by peers (last: ${reason}); ${await sourceVerdict(o, observed)}`;
      if (await store.markStuck(id, why)) {
        await store.forgetRefusals([id]);
        o.log.error({ route, transferId: id, why }, "transfer parked as stuck: peers keep refusing it");
      }
      continue;
    }
    const status = statusOf.get(id);
    if (status !== "finalized" && status !== "delayed") continue;
    const wait = refusedBackoff(times);
    await store.transition(id, status, {
      readyAt: Date.now() + wait,
      again: true,
      detail: `refused by peers (${reason}); proposed again in ${wait} ms`,
    });
  }
}

/** What the transfer's source chain says of it now, for the stuck list. */
async function sourceVerdict(o: DeliveryPipelineOptions, observed: ObservedTransfer): Promise<string> {
  const source = o.sources?.get(observed.transfer.srcChainId);
  if (!source) return "its source is not checked by this node";
  try {
    const hash = await source.blockHash(observed.blockNumber);
    if (hash === null || hash.toLowerCase() !== observed.blockHash.toLowerCase()) {
      return `its source block ${observed.blockNumber} (${observed.blockHash}) is no longer in the chain: removed after finality`;
    }
    return `its source block ${observed.blockNumber} is still in the chain`;
  } catch (error) {
    return `its source could not be checked: ${error instanceof Error ? error.message : String(error)}`;
  }
}
