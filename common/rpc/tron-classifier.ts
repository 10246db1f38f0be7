// Which failures of a TRON HTTP read another try may fix. TronWeb fails with axios errors, which the EVM
// classifier (./evm-classifier.ts, ethers errors) does not know: network errors, timeouts, HTTP
// 408/425/429/5xx and throttling answers may pass; anything else fails at once. `withRetry` (./retry.ts)
// acts on the verdict.
import { BridgeError } from "../errors.ts";
import { isRecord } from "../guards.ts";
import { parseRetryAfter } from "./http.ts";
import type { RetryDecision } from "./retry.ts";

/** Socket-level failures (node:http, via axios): the node may well answer the next try. */
const TRANSIENT_NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED", // axios: the request timed out
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "ERR_NETWORK",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
]);

/** What nodes, TronGrid and proxies say when they are overloaded or throttling ("exceeds the frequency
 * limit", "too many requests", "server busy"). */
export const TRON_TRANSIENT_MESSAGE =
  /rate.?limit|frequency limit|too many requests|limit exceeded|timed? ?out|temporar|try again|busy|overloaded|service unavailable|bad gateway|socket hang up/i;

/** Decides whether another try of a failed TRON HTTP read may succeed. */
export function classifyTronError(error: unknown): RetryDecision {
  if (error instanceof BridgeError) return { retryable: error.retryable, reason: error.message };
  if (!isRecord(error)) return { retryable: false, reason: String(error) };
  const code = typeof error.code === "string" ? error.code : undefined;
  const message = typeof error.message === "string" ? error.message : "unknown error";
  const response = isRecord(error.response) ? error.response : undefined;

  if (response && typeof response.status === "number") {
    const status = response.status;
    const body = bodyText(response.data);
    const retryAfterMs = retryAfterOf(response.headers);
    const hint = retryAfterMs !== undefined ? { retryAfterMs } : {};
    const reason = `HTTP ${status}${body ? `: ${body}` : ""}`;
    if (status === 429 || status === 408 || status === 425 || status >= 500) return { retryable: true, reason, ...hint };
    // TronGrid answers a throttled API key with 403 and a message naming the frequency limit.
    if (TRON_TRANSIENT_MESSAGE.test(body)) return { retryable: true, reason, ...hint };
    return { retryable: false, reason };
  }
  if (code !== undefined && TRANSIENT_NETWORK_CODES.has(code)) return { retryable: true, reason: `network: ${code}` };
  if (TRON_TRANSIENT_MESSAGE.test(message)) return { retryable: true, reason: message };
  return { retryable: false, reason: code ? `${code}: ${message}` : message };
}

function bodyText(data: unknown): string {
  if (data === undefined || data === null || data === "") return "";
  const text = typeof data === "string" ? data : JSON.stringify(data);
  return text.slice(0, 200);
}

/** Retry-After of axios' AxiosHeaders (get) or a plain headers object. */
function retryAfterOf(headers: unknown): number | undefined {
  if (!isRecord(headers)) return undefined;
  if (typeof headers.get === "function") return parseRetryAfter((headers.get as (name: string) => unknown).call(headers, "retry-after"));
  const key = Object.keys(headers).find((k) => k.toLowerCase() === "retry-after");
  return key === undefined ? undefined : parseRetryAfter(headers[key]);
}
