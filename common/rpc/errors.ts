// What an RPC client fails with, for every part that reads chains (relayer, API, CLI): a call that did not
// pass after its retries, and an endpoint that serves another chain than configured.
import { BridgeError } from "../errors.ts";

export type RpcErrorCode = "RPC_UNAVAILABLE" | "RPC_FAILED" | "CHAIN_ID_MISMATCH";

/** A JSON-RPC or HTTP call failed: transiently (network, timeout, 429/5xx, rate limit) or for good. */
export class RpcError extends BridgeError<RpcErrorCode> {
  /** The chain the endpoint serves. */
  readonly chain: string;
  /** What was called (e.g. `eth_getLogs 100..199`). */
  readonly operation: string;
  /** How many times the call was tried. */
  readonly attempts: number;
  /** The endpoint's own hint (Retry-After) of when to try again, if it gave one. */
  readonly retryAfterMs: number | undefined;

  constructor(
    details: {
      chain: string;
      operation: string;
      reason: string;
      retryable: boolean;
      attempts: number;
      retryAfterMs?: number;
    },
    options?: ErrorOptions,
  ) {
    const tries = details.attempts === 1 ? "1 attempt" : `${details.attempts} attempts`;
    super(details.retryable ? "RPC_UNAVAILABLE" : "RPC_FAILED", `${details.chain}: ${details.operation} failed (${tries})`, {
      retryable: details.retryable,
      details: details.reason,
      cause: options?.cause,
    });
    this.chain = details.chain;
    this.operation = details.operation;
    this.attempts = details.attempts;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** The endpoint configured for a chain serves another chain: never talk to it. */
export class ChainMismatchError extends BridgeError<RpcErrorCode> {
  constructor(chain: string, url: string, expected: bigint, actual: bigint) {
    super(
      "CHAIN_ID_MISMATCH",
      `${chain}: the RPC endpoint ${url} serves chain id ${actual}, but ${chain} is configured with chain id ${expected}; check rpcUrl and chainId`,
    );
  }
}

/**
 * An error that already says whether trying again may help (the project's own errors, with a string
 * `code` and a boolean `retryable`): the classifiers take its word, and the loop throws it as it is.
 */
export function carriesVerdict(error: unknown): error is Error & { code: string; retryable: boolean } {
  if (!(error instanceof Error)) return false;
  const fields = error as Error & { code?: unknown; retryable?: unknown };
  return typeof fields.code === "string" && typeof fields.retryable === "boolean";
}
