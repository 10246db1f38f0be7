// The watchtower's errors: each with a stable code and whether trying again may help. The loop decides
// from `retryable` alone: a round that fails for a retryable reason is run again from the same cursors.
import { BridgeError } from "../common/errors.ts";

// (A configuration the watchtower cannot use is common/schema.ts's ConfigError, CONFIG_INVALID.)
export type WatchtowerErrorCode = "KEY_INVALID" | "STATE_INVALID" | "RPC_FAILED" | "CHAIN_ID_MISMATCH" | "CHAIN_DATA" | "TRON_API_ERROR";

export class WatchtowerError extends BridgeError<WatchtowerErrorCode> {
  constructor(code: WatchtowerErrorCode, message: string, options: { retryable?: boolean; details?: string; cause?: unknown } = {}) {
    super(code, message, options);
  }
}
