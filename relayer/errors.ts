// The relayer's errors: each has a stable machine `code` and says whether trying again may help
// (`retryable`). Whoever runs the work (the watcher loop, the queue) decides retry or give-up from that
// flag alone; the RPC layer (common/rpc/) is the one place that classifies low-level failures.

export { ChainMismatchError, RpcError } from "../common/rpc/errors.ts";

export class RelayerError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, retryable: boolean, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.retryable = retryable;
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
