// How long the deliver stage waits before it tries a route, a refused transfer or a failed batch again.

/** How soon a route job that found the route locked looks again (the holder may finish before our work came in). */
export const BUSY_RETRY_MS = 200;
/** How soon a transfer peers refused is proposed again the first time; doubled for each refusal since. */
export const REFUSED_RETRY_MS = 400;
/** How soon the transfers of a batch that failed are tried again the first time; doubled each time. */
const FAILED_RETRY_MS = 1_000;
/** The longest a refused or failed transfer waits before its next try (and a route job's backoff). */
const MAX_RETRY_MS = 60_000;

/** A route job's backoff: exponential from 500 ms, but never more than MAX_RETRY_MS apart (a route must
 * not wait hours). */
export function routeJobBackoff(attemptsMade: number): number {
  return Math.min(MAX_RETRY_MS, 500 * 2 ** Math.max(0, attemptsMade - 1));
}

/** How long a transfer peers refused `times` times waits before it is proposed again. */
export function refusedBackoff(times: number): number {
  return Math.min(MAX_RETRY_MS, REFUSED_RETRY_MS * 2 ** Math.min(16, times - 1));
}

/** How long the transfers of a batch that failed (the fewest failures among them: `failures`) wait. */
export function failedBackoff(failures: number): number {
  return Math.min(MAX_RETRY_MS, FAILED_RETRY_MS * 2 ** Math.min(16, failures - 1));
}
