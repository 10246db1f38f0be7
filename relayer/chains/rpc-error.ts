// What the relayer's chain reads fail with once the shared retry loop (common/rpc/retry.ts) gives up: an
// RpcError carrying the classifier's verdict, so whoever runs the work decides from `retryable` alone.
import type { RetryFailure } from "../../common/rpc/retry.ts";
import { RpcError } from "../errors.ts";

/** The RpcError for a call given up on. `keepCause: false` leaves the failure out: TRON's HTTP errors
 * carry the request's headers, and with them an API key. */
export function rpcErrorOf(failure: RetryFailure, options: { keepCause: boolean } = { keepCause: true }): RpcError {
  const { decision } = failure;
  return new RpcError(
    {
      chain: failure.chain,
      operation: failure.operation,
      reason: decision.reason,
      retryable: decision.retryable,
      attempts: failure.attempts,
      ...(decision.retryAfterMs !== undefined ? { retryAfterMs: decision.retryAfterMs } : {}),
    },
    options.keepCause ? { cause: failure.error } : undefined,
  );
}
