// The relayer's errors: each has a stable machine `code` and says whether trying again may help
// (`retryable`). Whoever runs the work (the watcher loop, the queue) decides retry or give-up from that
// flag alone; the RPC classifiers (common/rpc/*-classifier.ts) are the one place that classifies low-level
// failures.
import { BridgeError } from "../common/errors.ts";

/** Every code a relayer error carries, whichever module throws it. */
export type RelayerErrorCode =
  // reading chains
  | "RPC_UNAVAILABLE"
  | "RPC_FAILED"
  | "CHAIN_ID_MISMATCH"
  | "INVALID_REQUEST"
  | "CHAIN_DATA"
  | "SEQUENCE_GAP"
  | "TRON_API_ERROR"
  // keys
  | "KEY_INVALID"
  | "KEYS_NOT_APART"
  | "REDIS_EVICTS"
  | "DEPOSIT_KEY_MISMATCH"
  // attesting
  | "ATTESTATION_REFUSED"
  | "NOT_ENOUGH_SIGNATURES"
  | "NOT_A_VALIDATOR"
  // delivering
  | "NOT_FINAL_YET"
  | "DELIVERY_WOULD_REVERT"
  | "DELIVERY_TX_UNKNOWN"
  | "PAYER_CONFIG"
  | "PAYER_BUSY"
  | "PAYER_LOCK_LOST"
  | "PAYER_NONCE_TAKEN"
  | "PAYER_NONCE_UNRESOLVED"
  | "PAYER_NO_FEE_DATA"
  | "PAYER_INSUFFICIENT_FUNDS"
  | "PAYER_SEND_REFUSED"
  | "PAYER_SEND_UNCERTAIN"
  | "PAYER_TX_STUCK"
  // TRON deposits and refunds
  | "TRON_SEND_FAILED"
  | "REFUND_REFUSED";

export class RelayerError extends BridgeError<RelayerErrorCode> {
  constructor(code: RelayerErrorCode, message: string, retryable: boolean, options?: ErrorOptions) {
    super(code, message, { retryable, cause: options?.cause });
  }
}

/** A JSON-RPC call failed: transiently (network, timeout, 429/5xx, rate limit) or for good. */
export class RpcError extends RelayerError {
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
    const code = details.retryable ? "RPC_UNAVAILABLE" : "RPC_FAILED";
    const tries = details.attempts === 1 ? "1 attempt" : `${details.attempts} attempts`;
    super(code, `${details.chain}: ${details.operation} failed (${tries}): ${details.reason}`, details.retryable, options);
    this.chain = details.chain;
    this.operation = details.operation;
    this.attempts = details.attempts;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** The endpoint configured for a chain serves another chain: never talk to it. */
export class ChainMismatchError extends RelayerError {
  constructor(chain: string, url: string, expected: bigint, actual: bigint) {
    super(
      "CHAIN_ID_MISMATCH",
      `${chain}: the RPC endpoint ${url} serves chain id ${actual}, but ${chain} is configured with chain id ${expected}; check rpcUrl and chainId`,
      false,
    );
  }
}

/** A caller asked for something that can never succeed (a block range with from > to, a negative block). */
export class InvalidRequestError extends RelayerError {
  constructor(message: string) {
    super("INVALID_REQUEST", message, false);
  }
}

/** The chain answered with something it should not have (a missing block, a malformed log). Often a
 * lagging or inconsistent node behind a load balancer, so worth another try. */
export class ChainDataError extends RelayerError {
  constructor(message: string, options?: ErrorOptions) {
    super("CHAIN_DATA", message, true, options);
  }
}
