// Every error the API answers with: `{"error": {"code", "message"}}`, a stable machine code and the
// right status. Bad input is always a 4xx; a 5xx means a chain, Redis or a bug failed us, never the
// caller. Validation errors of request schemas (zod, via fastify-type-provider-zod) carry our code in
// the issue's params where a field has its own (amounts, addresses, chains); the rest are VALIDATION_FAILED.
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { z } from "zod";
import { BridgeError } from "../common/errors.ts";

export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  BAD_URL: 400,
  INVALID_AMOUNT: 400,
  AMOUNT_ZERO: 400,
  AMOUNT_NEGATIVE: 400,
  AMOUNT_FRACTIONAL: 400,
  AMOUNT_TOO_LARGE: 400,
  INVALID_ADDRESS: 400,
  UNKNOWN_CHAIN: 400,
  INVALID_TRANSFER_ID: 400,
  INVALID_CURSOR: 400,
  INVALID_TRANSACTION: 400,
  WRONG_CHAIN: 400,
  MISSING_FILTER: 400,
  INVALID_PERMIT: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  BODY_TOO_LARGE: 413,
  NOT_FOUND: 404,
  TRANSFER_NOT_FOUND: 404,
  NOTHING_TO_CLAIM: 404,
  METHOD_NOT_ALLOWED: 405,
  ROUTE_UNAVAILABLE: 422,
  AMOUNT_BELOW_MINIMUM: 422,
  AMOUNT_NOT_ABOVE_FEE: 422,
  AMOUNT_OVER_CAP: 422,
  INSUFFICIENT_BALANCE: 422,
  RECIPIENT_IS_BRIDGE_CONTRACT: 422,
  NOT_ATTESTED: 409,
  ALREADY_DELIVERED: 409,
  NOT_DELIVERABLE: 409,
  BROADCAST_REJECTED: 422,
  RATE_LIMITED: 429,
  TOO_MANY_STREAMS: 429,
  CHAIN_UNAVAILABLE: 503,
  STORE_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ApiErrorCode = keyof typeof ERROR_STATUS;
/** The name the API's modules use for it. */
export type ErrorCode = ApiErrorCode;

/** An answer the API gives on purpose. Too many requests and an unavailable chain or store may pass
 * (retryable); bad input and a bug do not. */
export class ApiError extends BridgeError<ApiErrorCode> {
  readonly statusCode: number;
  constructor(code: ApiErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    const statusCode = ERROR_STATUS[code];
    super(code, message, { retryable: options.retryable ?? (statusCode === 429 || statusCode === 503), cause: options.cause });
    this.statusCode = statusCode;
  }
}

/** The error body, for response schemas (and so the OpenAPI document). */
export const errorBodySchema = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .meta({ id: "Error", description: "Every error: a stable machine code and a message for people" });

export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

/** Marks a zod issue with the API error code it stands for (read back by the error handler). */
export function issueParams(code: ErrorCode): { apiCode: ErrorCode } {
  return { apiCode: code };
}

/** Fastify's own 4xx errors (body parsing, media types), by Fastify error code. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: "MALFORMED_JSON",
  FST_ERR_CTP_EMPTY_JSON_BODY: "MALFORMED_JSON",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "MALFORMED_JSON",
  FST_ERR_CTP_BODY_TOO_LARGE: "BODY_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_BAD_URL: "BAD_URL",
  FST_ERR_CTP_INVALID_TYPE: "UNSUPPORTED_MEDIA_TYPE",
};

/** A field of the wrong type (a number for an amount, say) still gets the field's own code. */
const FIELD_CODES: Record<string, ErrorCode> = {
  amount: "INVALID_AMOUNT",
  sender: "INVALID_ADDRESS",
  recipient: "INVALID_ADDRESS",
  address: "INVALID_ADDRESS",
  from: "UNKNOWN_CHAIN",
  to: "UNKNOWN_CHAIN",
  chain: "UNKNOWN_CHAIN",
  id: "INVALID_TRANSFER_ID",
  cursor: "INVALID_CURSOR",
  signedTransaction: "INVALID_TRANSACTION",
  permit: "INVALID_PERMIT",
};

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  params?: { params?: { apiCode?: ErrorCode } };
}

export function handleError(error: FastifyError | ApiError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof ApiError) return send(reply, error.statusCode, error.code, error.message);
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation as ValidationIssue[];
    const tagged = issues.find((i) => i.params?.params?.apiCode);
    const first = tagged ?? issues[0]!;
    const where = `${error.validationContext ?? "request"}${first.instancePath ?? ""}`;
    const field = (first.instancePath ?? "").split("/")[1] ?? "";
    const missing = /received undefined/.test(first.message ?? "");
    const code =
      tagged?.params?.params?.apiCode ??
      (missing || !Object.hasOwn(FIELD_CODES, field) ? undefined : FIELD_CODES[field]) ??
      "VALIDATION_FAILED";
    return send(reply, ERROR_STATUS[code], code, `${where}: ${first.message ?? "invalid"}`);
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // JSON.parse's SyntaxError (Fastify wraps it as a 400 without a code) is malformed JSON too.
    const code =
      (Object.hasOwn(FASTIFY_CODES, error.code ?? "") ? FASTIFY_CODES[error.code] : undefined) ??
      (error instanceof SyntaxError || /JSON/i.test(error.message) ? "MALFORMED_JSON" : "VALIDATION_FAILED");
    return send(reply, status, code, error.message);
  }
  request.log.error({ err: error }, "request failed");
  return send(reply, 500, "INTERNAL", "the server failed to answer; try again later");
}

function send(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type("application/json; charset=utf-8").send(errorBody(code, message));
}
