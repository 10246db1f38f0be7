// The one error base of the whole project: relayer, API, CLI, devnet and deployment errors extend it.
// Every error carries a stable machine `code` (each part keeps its codes as a typed union), says whether
// trying again may help (`retryable`), keeps the one-line `shortMessage` apart from the `details` that
// explain it, and chains its `cause`. Whoever runs work (a watcher loop, a queue, a request handler)
// decides retry or give-up from `retryable` alone, never from message text.

export interface BridgeErrorOptions {
  /** Whether trying the same thing again may succeed (default false). */
  retryable?: boolean;
  /** What explains the failure beyond the short message: the values involved, what to do. */
  details?: string;
  cause?: unknown;
}

export class BridgeError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly retryable: boolean;
  /** The message without details, for one-line displays and logs. */
  readonly shortMessage: string;
  readonly details: string | undefined;

  constructor(code: Code, shortMessage: string, options: BridgeErrorOptions = {}) {
    super(
      options.details ? `${shortMessage}: ${options.details}` : shortMessage,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.shortMessage = shortMessage;
    this.details = options.details;
  }
}

/** Whether `error` says trying again may help: a BridgeError by its flag, anything else (a socket reset, a
 * library's own error) is taken as transient unless `unknownIsRetryable` is false. */
export function isRetryable(error: unknown, unknownIsRetryable = true): boolean {
  return error instanceof BridgeError ? error.retryable : unknownIsRetryable;
}

/** The message of anything thrown, for logs and records. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
