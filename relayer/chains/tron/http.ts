// Reads from a TRON node's HTTP API (java-tron, TronGrid, or the development node) through TronWeb's
// HTTP providers: `wallet/*` for the head chain, `walletsolidity/*` for the solidified one. Every read
// is a GET with `int64_as_string=true`, so amounts beyond 2^53 arrive as digit strings (java-tron
// 4.8.2+); a node that ignores the flag still sends exact numbers below 2^53, and `readInt64` refuses
// the rest rather than round them.
//
// TronWeb fails with axios errors, which the EVM classifier (chains/evm/rpc.ts, ethers errors) does not
// know, so the retry decision for TRON is made here: network errors, timeouts, HTTP 408/425/429/5xx and
// throttling answers are retried with exponential backoff and jitter (the EVM RetryOptions), anything
// else fails at once. Failures come out as the relayer's RpcError. The axios error is not kept as the
// cause: it carries the request's headers, and with them a TronGrid API key.
import { TronWeb, providers } from "tronweb";
import { ChainDataError, RelayerError, RpcError } from "../../errors.ts";
import { DEFAULT_RETRY, describeUrl, type RetryOptions, type RpcErrorClass } from "../evm/rpc.ts";
import { isRecord } from "../../../common/guards.ts";

export interface TronEndpoint {
  /** The node's HTTP API, e.g. http://127.0.0.1:9090 or https://api.trongrid.io. */
  fullHost: string;
  /** Where `walletsolidity/*` is served, if not at `fullHost` (java-tron's solidity port, 8091). */
  solidityHost?: string;
  /** Sent with every request, e.g. `{ "TRON-PRO-API-KEY": key }` for TronGrid. */
  headers?: Record<string, string>;
  /** Per HTTP request. Default 30 s. */
  timeoutMs?: number;
}

/** A TronWeb client for reading; no key, no event server of its own. */
export function createTronWeb(endpoint: TronEndpoint): TronWeb {
  const timeout = endpoint.timeoutMs ?? 30_000;
  const headers = endpoint.headers ?? {};
  const provider = (host: string) => new providers.HttpProvider(host, timeout, "", "", headers);
  return new TronWeb({
    fullNode: provider(endpoint.fullHost),
    solidityNode: provider(endpoint.solidityHost ?? endpoint.fullHost),
    eventServer: provider(endpoint.fullHost),
  });
}

/** `wallet` reads the head chain, `walletsolidity` the solidified one. */
export type TronApi = "wallet" | "walletsolidity";

export type JsonObject = Record<string, unknown>;

/** A java-tron answer `{"Error": …}`: the node refused the request itself. */
export class TronApiError extends RelayerError {
  constructor(operation: string, message: string, retryable: boolean) {
    super("TRON_API_ERROR", `${operation}: the node answered "${message}"`, retryable);
  }
}

export class TronHttp {
  readonly chain: string;
  private readonly tronWeb: TronWeb;
  private readonly retry: RetryOptions;

  constructor(chain: string, tronWeb: TronWeb, retry: RetryOptions = DEFAULT_RETRY) {
    this.chain = chain;
    this.tronWeb = tronWeb;
    this.retry = retry;
  }

  /** The hosts, fit for messages (no credentials, no key-like path segments). */
  describe(): string {
    const full = describeUrl(this.tronWeb.fullNode.host);
    const solid = describeUrl(this.tronWeb.solidityNode.host);
    return full === solid ? full : `${full} (solidity ${solid})`;
  }

  /** GET `/<api>/<method>` with int64 values as strings; the answer must be a JSON object. */
  get(api: TronApi, method: string, params: Record<string, string | boolean>): Promise<JsonObject> {
    const operation = `${api}/${method}${describeParams(params)}`;
    const provider = api === "wallet" ? this.tronWeb.fullNode : this.tronWeb.solidityNode;
    return tronRequest(
      async () => {
        const answer: unknown = await provider.request(`${api}/${method}`, { ...params, int64_as_string: true }, "get");
        if (typeof answer !== "object" || answer === null || Array.isArray(answer)) {
          // A proxy's or load balancer's error page, not the node's answer.
          throw new ChainDataError(`${this.chain}: ${operation} answered with something other than a JSON object`);
        }
        const error = (answer as JsonObject).Error;
        if (error !== undefined) {
          const message = typeof error === "string" ? error : JSON.stringify(error);
          throw new TronApiError(operation, message.slice(0, 300), TRANSIENT_MESSAGE.test(message));
        }
        return answer as JsonObject;
      },
      { ...this.retry, chain: this.chain, operation },
    );
  }
}

function describeParams(params: Record<string, string | boolean>): string {
  const shown = Object.entries(params).map(([key, value]) => `${key}=${String(value)}`);
  return shown.length > 0 ? ` ${shown.join(" ")}` : "";
}

/**
 * Runs `fn` until it succeeds, fails in a way another try cannot fix, or `attempts` run out; waits
 * as the EVM `withRetry` does (doubling, equal jitter, capped; longer if the node says Retry-After).
 */
export async function tronRequest<T>(fn: () => Promise<T>, options: RetryOptions & { chain: string; operation: string }): Promise<T> {
  const attempts = Number.isFinite(options.attempts) ? Math.max(1, Math.floor(options.attempts)) : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const found = classifyTronError(error);
      const tooLong = found.retryAfterMs !== undefined && found.retryAfterMs > options.maxDelayMs;
      if (!found.retryable || attempt >= attempts || tooLong) {
        if (error instanceof RelayerError) throw error;
        throw new RpcError({
          chain: options.chain,
          operation: options.operation,
          reason: found.reason,
          retryable: found.retryable,
          attempts: attempt,
          ...(found.retryAfterMs !== undefined ? { retryAfterMs: found.retryAfterMs } : {}),
        });
      }
      const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.max(Math.round(step / 2 + Math.random() * (step / 2)), found.retryAfterMs ?? 0);
      options.onRetry?.({
        chain: options.chain,
        operation: options.operation,
        attempt,
        delayMs,
        reason: found.reason,
        retryAfterMs: found.retryAfterMs,
      });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

// ----- classification -----

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
const TRANSIENT_MESSAGE =
  /rate.?limit|frequency limit|too many requests|limit exceeded|timed? ?out|temporar|try again|busy|overloaded|service unavailable|bad gateway|socket hang up/i;

/** Decides whether another try of a failed TRON HTTP read may succeed. */
export function classifyTronError(error: unknown): RpcErrorClass {
  if (error instanceof RelayerError) return { retryable: error.retryable, reason: error.message };
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
    if (TRANSIENT_MESSAGE.test(body)) return { retryable: true, reason, ...hint };
    return { retryable: false, reason };
  }
  if (code !== undefined && TRANSIENT_NETWORK_CODES.has(code)) return { retryable: true, reason: `network: ${code}` };
  if (TRANSIENT_MESSAGE.test(message)) return { retryable: true, reason: message };
  return { retryable: false, reason: code ? `${code}: ${message}` : message };
}

function bodyText(data: unknown): string {
  if (data === undefined || data === null || data === "") return "";
  const text = typeof data === "string" ? data : JSON.stringify(data);
  return text.slice(0, 200);
}

/** Retry-After in ms: delta-seconds or an HTTP date. */
function retryAfterOf(headers: unknown): number | undefined {
  if (!isRecord(headers)) return undefined;
  let value: unknown;
  if (typeof headers.get === "function") {
    // axios' AxiosHeaders
    value = (headers.get as (name: string) => unknown).call(headers, "retry-after");
  } else {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === "retry-after");
    value = key === undefined ? undefined : headers[key];
  }
  if (typeof value !== "string" || value.trim() === "") return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
