// The one retry loop of every RPC client (EVM JSON-RPC, TRON HTTP): a classifier of the chain family
// decides whether a failure may pass on another try; the loop waits with exponential backoff and jitter,
// longer when the endpoint says Retry-After, and gives up once the attempts run out or the endpoint asks
// for a longer wait than allowed. Failures come out as an `RpcError` whose `retryable` says whether trying
// again later may help, or as the error `fn` threw when that error already says so itself.
import { sleep } from "../async.ts";
import { RpcError, carriesVerdict } from "./errors.ts";
import { classifyRpcError } from "./evm-classifier.ts";

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

export interface RetryCall extends RetryOptions {
  /** Decides, per failure, whether another try may pass: each chain family has its own; JSON-RPC's
   * (`classifyRpcError`) unless told otherwise. */
  shouldRetry?: RetryClassifier;
  /** For messages and `onRetry`: the chain, and what was called. */
  chain?: string;
  operation?: string;
  /** Whether the RpcError keeps the failure as its cause (default true). TRON's HTTP errors carry the
   * request's headers, and with them an API key, so its client leaves them out. */
  keepCause?: boolean;
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
      const found = (options.shouldRetry ?? classifyRpcError)(error);
      const tooLong = found.retryAfterMs !== undefined && found.retryAfterMs > options.maxDelayMs;
      if (!found.retryable || attempt >= attempts || tooLong) {
        if (carriesVerdict(error)) throw error;
        throw new RpcError(
          {
            chain,
            operation,
            reason: found.reason,
            retryable: found.retryable,
            attempts: attempt,
            ...(found.retryAfterMs !== undefined ? { retryAfterMs: found.retryAfterMs } : {}),
          },
          options.keepCause === false ? undefined : { cause: error },
        );
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
