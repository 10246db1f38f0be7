// What the CLI tells its user went wrong. Every error that reaches `bttb`'s entry point is printed as
// `bttb: <message>`; a usage error (the command line itself is wrong or incomplete) exits with status 2,
// anything else with 1.
import { BridgeError, type BridgeErrorOptions } from "../common/errors.ts";

/** Mistakes in what the user typed or has set up: exit status 2. */
export type UsageErrorCode =
  | "USAGE" // a missing or wrong argument, an unknown command
  | "NO_KEY" // no key to sign with
  | "NO_DEVNET" // a devnet file named but absent, or --account without a devnet
  | "NO_ENDPOINT" // no RPC endpoint for a chain
  | "NO_LEGACY_TOKEN" // a swap from a chain without BTTOLD
  | "DECIMALS_MISMATCH" // the amount was read with other decimals than the API's token has
  | "TRANSFER_NOT_FOUND";

export type CliErrorCode =
  | UsageErrorCode
  | "INVALID_AMOUNT" // an amount that is not a decimal number, or has more decimals than its token
  | "API_ERROR" // the API answered with an error (its own code in `apiCode`)
  | "API_UNREACHABLE" // no answer from the API at all
  | "TX_FAILED" // a signed transaction was included but failed
  | "OPERATOR_COMMAND_FAILED" // an operator command (a refund) run as a child process failed
  | "NODE_REFUSED" // a relayer node refused an operator request (its own code in the message)
  | "NODE_UNREACHABLE" // no answer from a relayer node
  | "SUBMISSION_FAILED" // a validator-set update could not be brought to every gateway
  | "TIMEOUT"; // a transaction or a transfer did not show up in time

export class CliError extends BridgeError<CliErrorCode> {}

/** The command line is wrong or incomplete: the message says what to give instead. */
export class UsageError extends CliError {
  constructor(message: string, code: UsageErrorCode = "USAGE") {
    super(code, message);
  }
}

export class AmountError extends CliError {
  constructor(message: string) {
    super("INVALID_AMOUNT", message);
  }
}

/** The API answered with an error, or not at all (`status` 0): its stable code and message. */
export class ApiCallError extends CliError {
  /** The API's own code (`TRANSFER_NOT_FOUND`, `RATE_LIMITED`, …), or `API_UNREACHABLE`, or `HTTP_<status>`. */
  readonly apiCode: string;
  readonly status: number;
  constructor(status: number, apiCode: string, message: string, options: BridgeErrorOptions = {}) {
    const unreachable = status === 0;
    super(unreachable ? "API_UNREACHABLE" : "API_ERROR", `${apiCode}: ${message}`, {
      retryable: unreachable || status === 429 || status === 503,
      ...options,
    });
    this.status = status;
    this.apiCode = apiCode;
  }
}

/** The exit status `bttb` ends with after `error`. */
export function exitStatusOf(error: unknown): number {
  return error instanceof UsageError ? 2 : 1;
}
