// Waiting in tests: poll a condition until it holds, with a bounded time and a message saying what for.

import { sleep } from "../common/async.ts";

export { sleep };

/** Polls `probe` every `everyMs` until it returns a truthy value, which it returns; fails after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | false | null | undefined>,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
