// Refusals in java-tron's shape. `code` is the name of `GrpcAPI.Return.response_code`; `message` is
// the text java-tron's `Wallet.broadcastTransaction` returns for that code (java-tron 4.8), so TronWeb
// and the code built on it see what a real node would say. `detail` is what java-tron only logs: it is
// kept apart from the message (not the base's `details`, which would be appended to it).
import { BridgeError } from "../../common/errors.ts";

export const ResponseCode = {
  SUCCESS: "SUCCESS",
  SIGERROR: "SIGERROR",
  CONTRACT_VALIDATE_ERROR: "CONTRACT_VALIDATE_ERROR",
  CONTRACT_EXE_ERROR: "CONTRACT_EXE_ERROR",
  BANDWITH_ERROR: "BANDWITH_ERROR",
  DUP_TRANSACTION_ERROR: "DUP_TRANSACTION_ERROR",
  TAPOS_ERROR: "TAPOS_ERROR",
  TOO_BIG_TRANSACTION_ERROR: "TOO_BIG_TRANSACTION_ERROR",
  TRANSACTION_EXPIRATION_ERROR: "TRANSACTION_EXPIRATION_ERROR",
  SERVER_BUSY: "SERVER_BUSY",
  OTHER_ERROR: "OTHER_ERROR",
} as const;
export type ResponseCode = (typeof ResponseCode)[keyof typeof ResponseCode];

/** A transaction the node refuses, with java-tron's response code and message. */
export class TransactionRefusedError extends BridgeError<ResponseCode> {
  readonly detail: string;

  constructor(code: ResponseCode, message: string, detail: string = message) {
    super(code, message, { retryable: code === ResponseCode.SERVER_BUSY });
    this.detail = detail;
  }
}

export const refuse = {
  signature: (detail: string) => new TransactionRefusedError(ResponseCode.SIGERROR, `Validate signature error: ${detail}`, detail),
  contractValidate: (detail: string) =>
    new TransactionRefusedError(ResponseCode.CONTRACT_VALIDATE_ERROR, `Contract validate error : ${detail}`, detail),
  contractExecute: (detail: string) =>
    new TransactionRefusedError(ResponseCode.CONTRACT_EXE_ERROR, `Contract execute error : ${detail}`, detail),
  resourceInsufficient: (detail: string) =>
    new TransactionRefusedError(ResponseCode.BANDWITH_ERROR, "Account resource insufficient error.", detail),
  duplicate: (txId: string) => new TransactionRefusedError(ResponseCode.DUP_TRANSACTION_ERROR, "Dup transaction.", `dup trans : ${txId}`),
  tapos: (detail: string) => new TransactionRefusedError(ResponseCode.TAPOS_ERROR, "Tapos check error.", detail),
  tooBig: (detail: string) => new TransactionRefusedError(ResponseCode.TOO_BIG_TRANSACTION_ERROR, detail),
  expired: (detail: string) => new TransactionRefusedError(ResponseCode.TRANSACTION_EXPIRATION_ERROR, "Transaction expired", detail),
  other: (detail: string) => new TransactionRefusedError(ResponseCode.OTHER_ERROR, `Error: ${detail}`, detail),
};

/** A request the HTTP API cannot serve (bad JSON, a malformed parameter): java-tron answers these with
 * HTTP 200 and `{"Error": "..."}`. */
export class BadRequestError extends BridgeError<"BAD_REQUEST"> {
  constructor(message: string) {
    super("BAD_REQUEST", message);
  }
}
