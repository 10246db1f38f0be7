// The one retry loop of every RPC client (EVM JSON-RPC, TRON HTTP): a classifier of the chain family
// (./evm-classifier.ts, ./tron-classifier.ts) decides whether a failure may pass on another try; the loop
// waits with exponential backoff and jitter, longer when the endpoint says Retry-After, and gives up once
// the attempts run out or the endpoint asks for a longer wait than allowed. What it throws then is the
// caller's choice (`giveUp`, e.g. the relayer's RpcError with the classifier's verdict); one of the
// project's own errors, which says itself whether to try again, is thrown as it is.
import { sleep } from "../async.ts";
import { BridgeError } from "../errors.ts";

export interface RetryOptions {
  /** Tries in all, the first included (≥ 1). */
  attempts: number;
  /** Delay before the first retry; doubles with each retry, with jitter. */
  baseDelayMs: number;
  /** Longest wait between two tries. An endpoint asking (Retry-After) for longer is not retried here. */
  maxDelayMs: number;
  /** Called before each wait, e.g. to log or count RPC errors. */
  onRetry?: (event: RetryEvent) => void;
}

export interface RetryEvent {
  chain: string;
  operation: string;
  /** The try that failed (1 for the first). */
  attempt: number;
  delayMs: number;
  reason: string;
  retryAfterMs: number | undefined;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 6, baseDelayMs: 250, maxDelayMs: 8_000 };

/** A classifier's verdict on one failure. */
export interface RetryDecision {
  retryable: boolean;
  reason: string;
  /** The endpoint's Retry-After hint, in ms, where the error carries one. */
  retryAfterMs?: number;
}

export type RetryClassifier = (error: unknown) => RetryDecision;

/** The last failure of a call that is given up on, with the classifier's verdict on it. */
export interface RetryFailure {
  error: unknown;
  decision: RetryDecision;
  /** How many times the call was tried. */
  attempts: number;
  chain: string;
  operation: string;
}

export interface RetryCall extends RetryOptions {
  /** Decides, per failure, whether another try may pass (each chain family has its own classifier). */
  shouldRetry: RetryClassifier;
  /** For messages and `onRetry`: the chain, and what was called. */
  chain?: string;
  operation?: string;
  /** What a failure that is not one of the project's own errors is thrown as (default: as it is). */
  giveUp?: (failure: RetryFailure) => Error;
}

/** Runs `fn` until it succeeds, it fails in a way that another try cannot fix, or `attempts` run out. */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryCall): Promise<T> {
  const chain = options.chain ?? "rpc";
  const operation = options.operation ?? "call";
  // Bounded by construction: a missing or nonsensical count means one try, never "forever".
  const attempts = Number.isFinite(options.attempts) ? Math.max(1, Math.floor(options.attempts)) : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const found = options.shouldRetry(error);
      const tooLong = found.retryAfterMs !== undefined && found.retryAfterMs > options.maxDelayMs;
      if (!found.retryable || attempt >= attempts || tooLong) {
        if (error instanceof BridgeError || !options.giveUp) throw error;
        throw options.giveUp({ error, decision: found, attempts: attempt, chain, operation });
      }
      const delayMs = Math.max(backoffMs(attempt, options), found.retryAfterMs ?? 0);
      options.onRetry?.({ chain, operation, attempt, delayMs, reason: found.reason, retryAfterMs: found.retryAfterMs });
      await sleep(delayMs);
    }
  }
}

/** Exponential backoff with "equal jitter": half the step fixed, half random, capped. */
function backoffMs(failedAttempt: number, options: RetryOptions): number {
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (failedAttempt - 1));
  return Math.round(step / 2 + Math.random() * (step / 2));
}
