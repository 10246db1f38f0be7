// Transfers that make a delivery fail (docs/architecture.md, "A transfer that fails alone"). A batch the
// destination refuses for good in simulation is split until the transfers that make it fail are alone;
// a batch that failed on chain has each of its transfers delivered alone next time. A transfer that fails
// alone waits, visible — its reason in its timeline and in the node's stuck list (GET /v1/stuck, the
// `bttb_transfers_stuck` gauge) — and is tried again later, each time later: a limit or a pause passes
// with time, a bad transfer keeps failing, and neither holds back the rest of its route.
import { DeliveryRefusedError } from "../chains/delivery-errors.ts";
import type { DeliveryPipelineOptions } from "../queues/options.ts";
import { failedBackoff } from "./backoff.ts";

/**
 * Whether `error` refuses a delivery for good, whatever waiting: the batch is split to find why. (A
 * refusal that passes with time is `delayed` as a whole; one because a transfer is delivered already is
 * left for the delivery observer.)
 */
export function refusedForGood(error: unknown): error is DeliveryRefusedError {
  return error instanceof DeliveryRefusedError && !error.retryable && !error.alreadyDelivered;
}

/** `ids` in two halves, in order (the first the larger). */
export function halves<T>(ids: readonly T[]): [T[], T[]] {
  const middle = Math.ceil(ids.length / 2);
  return [ids.slice(0, middle), ids.slice(middle)];
}

/**
 * Records that each of `ids` failed alone (`reason`: the destination's refusal, or the failed
 * transaction): back to `finalized` from `from`, tried again after a delay that grows with each failure,
 * and listed as stuck with why meanwhile. Returns the longest delay given (ms).
 */
export async function recordFailingAlone(
  o: DeliveryPipelineOptions,
  route: string,
  ids: readonly string[],
  reason: string,
  from: "attested" | "submitted",
  txHash?: string,
): Promise<number> {
  const { store } = o;
  const counts = await store.countFailures(ids);
  let longest = 0;
  for (const [i, id] of ids.entries()) {
    const times = counts[i]!;
    const wait = failedBackoff(times);
    longest = Math.max(longest, wait);
    const why = `fails alone (${times} ${times === 1 ? "time" : "times"}, last: ${reason}); tried again in ${wait} ms`;
    const moved = await store.transition(id, "finalized", {
      from: [from],
      readyAt: Date.now() + wait,
      detail: `${why}; the rest of the route goes on`,
      ...(txHash ? { txHash } : {}),
    });
    if (!moved.changed) continue; // taken by another delivery meanwhile
    // Not marked to go alone (unless its batch failed on chain): a refusal of every transfer at once (a
    // validator set changed) must not leave a backlog sent one by one once it passes; a transfer still
    // bad costs the batch it joins a few more simulations, at most once per its growing delay.
    await store.markFailing(id, why);
    o.log.warn({ route, transferId: id, reason, retryInMs: wait, times }, "a transfer fails alone; it waits, the route goes on");
  }
  return longest;
}
