// Which failures of an EVM JSON-RPC call (ethers' errors) another try may fix: network errors, timeouts,
// HTTP 429/5xx, "rate limit"/"header not found"; and which it cannot: invalid params, reverts. The one
// place that decides it for EVM chains; `withRetry` (./retry.ts) acts on the verdict.
import { BridgeError } from "../errors.ts";
import { isRecord } from "../guards.ts";
import { parseRetryAfter } from "./http.ts";
import type { RetryDecision } from "./retry.ts";

/** Socket-level failures from node:http and undici: the endpoint may well answer on the next try. */
const TRANSIENT_SYSTEM_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** What nodes and RPC providers say when they are overloaded, throttling, or a moment behind. */
const TRANSIENT_MESSAGE =
  /rate.?limit|too many requests|limit exceeded|exceeded .*(capacity|quota|compute units|throughput)|header not found|unknown block|block not found|timed? ?out|temporar|try again|busy|overloaded|service unavailable|bad gateway|socket hang up|connection (reset|refused|closed)/i;

/** JSON-RPC codes that say the request itself is wrong. */
const DETERMINISTIC_RPC_CODES = new Set([-32700, -32600, -32601, -32602, 3]);
/** -32005: limit exceeded (EIP-1474); -32603: internal error; 429 used as a JSON-RPC code by some. */
const TRANSIENT_RPC_CODES = new Set([-32005, -32603, 429]);

/** Decides whether another try of a failed RPC call may succeed. */
export function classifyRpcError(error: unknown): RetryDecision {
  if (error instanceof BridgeError) return { retryable: error.retryable, reason: error.message };
  if (!isRecord(error)) return { retryable: false, reason: String(error) };

  const code = typeof error.code === "string" ? error.code : undefined;
  const message = typeof error.shortMessage === "string" ? error.shortMessage : messageOf(error);

  if (code !== undefined && TRANSIENT_SYSTEM_CODES.has(code)) return { retryable: true, reason: `network: ${code}` };
  switch (code) {
    case "TIMEOUT":
      return { retryable: true, reason: "request timed out" };
    case "NETWORK_ERROR":
      return { retryable: true, reason: `network: ${message}` };
    case "SERVER_ERROR":
      return classifyHttp(error, message);
    case "CALL_EXCEPTION": {
      // eth_call errors all come out as CALL_EXCEPTION; a throttled or lagging node's among them.
      const inner = isRecord(error.info) && isRecord(error.info.error) ? classifyJsonRpc(error.info.error) : undefined;
      return inner?.retryable ? inner : { retryable: false, reason: message };
    }
    case "UNSUPPORTED_OPERATION":
      // A body that is not JSON is a proxy's or load balancer's error page, not the node's answer.
      return isRecord(error.info) && error.info.response !== undefined
        ? { retryable: true, reason: "the endpoint answered with a body that is not JSON" }
        : { retryable: false, reason: message };
    case "BAD_DATA":
      return { retryable: /missing response|invalid json-rpc response/i.test(message), reason: message };
    case "UNKNOWN_ERROR":
      if (isRecord(error.error)) return classifyJsonRpc(error.error);
      break;
  }
  if (code === undefined && isRecord(error.error)) return classifyJsonRpc(error.error);
  if (code === undefined && typeof error.code === "number") return classifyJsonRpc(error);
  if (/socket hang up/i.test(message)) return { retryable: true, reason: `network: ${message}` };
  return { retryable: false, reason: message };
}

/** An HTTP status other than 2xx (ethers' SERVER_ERROR carries the response). */
function classifyHttp(error: Record<string, unknown>, message: string): RetryDecision {
  const response = isRecord(error.response) ? error.response : undefined;
  const status = typeof response?.statusCode === "number" ? response.statusCode : 0;
  const retryAfterMs = response ? retryAfterOf(response) : undefined;
  const hint = retryAfterMs !== undefined ? { retryAfterMs } : {};
  if (status === 0) return { retryable: true, reason: message, ...hint }; // no answer, or a bad one
  if (status === 429) return { retryable: true, reason: "HTTP 429 Too Many Requests", ...hint };
  if (status === 408 || status === 425 || status >= 500) return { retryable: true, reason: `HTTP ${status}`, ...hint };
  const body = isRecord(error.info) && typeof error.info.responseBody === "string" ? error.info.responseBody : "";
  if (TRANSIENT_MESSAGE.test(body)) return { retryable: true, reason: `HTTP ${status}: ${body.slice(0, 200)}`, ...hint };
  return { retryable: false, reason: `HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ""}` };
}

/** A JSON-RPC error object `{ code, message, data }` as the node sent it. */
function classifyJsonRpc(rpc: Record<string, unknown>): RetryDecision {
  const code = typeof rpc.code === "number" ? rpc.code : undefined;
  const message = typeof rpc.message === "string" ? rpc.message : JSON.stringify(rpc);
  const reason = code === undefined ? message : `JSON-RPC ${code}: ${message}`;
  if (TRANSIENT_MESSAGE.test(message)) return { retryable: true, reason };
  if (/revert/i.test(message) || (code !== undefined && DETERMINISTIC_RPC_CODES.has(code))) {
    return { retryable: false, reason };
  }
  return { retryable: code !== undefined && TRANSIENT_RPC_CODES.has(code), reason };
}

/** Retry-After of ethers' FetchResponse (getHeader) or a plain headers object. */
function retryAfterOf(response: Record<string, unknown>): number | undefined {
  if (typeof response.getHeader === "function") {
    return parseRetryAfter((response.getHeader as (key: string) => unknown).call(response, "retry-after"));
  }
  if (!isRecord(response.headers)) return undefined;
  const headers = response.headers;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === "retry-after");
  return key === undefined ? undefined : parseRetryAfter(headers[key]);
}

function messageOf(error: Record<string, unknown>): string {
  return typeof error.message === "string" ? error.message : JSON.stringify(error);
}
