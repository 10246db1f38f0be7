// JSON-RPC access to one EVM chain: an ethers provider that never caches or guesses the network, a check
// that the endpoint serves the configured chain, and `withRetry`, which retries what may pass (network
// errors, timeouts, HTTP 429/5xx, "rate limit"/"header not found") with exponential backoff and jitter
// and gives up at once on what cannot (invalid params, reverts). `classifyRpcError` is the one place
// that decides which is which.
import { FetchRequest, JsonRpcProvider, Network, type JsonRpcPayload, type JsonRpcResult } from "ethers";
import type { EvmChainConfig } from "../../config.ts";
import { ChainMismatchError, RelayerError, RpcError } from "../../errors.ts";
import { isRecord } from "../../../common/guards.ts";
import { sleep } from "../../../common/async.ts";

export interface RetryOptions {
  /** Tries in all, the first included (≥ 1). */
  attempts: number;
  /** Delay before the first retry; doubles with each retry, with jitter. */
  baseDelayMs: number;
  /** Longest wait between two tries. An endpoint asking (Retry-After) for longer is not retried here. */
  maxDelayMs: number;
  /** Called before each wait, e.g. to log or count RPC errors. */
  onRetry?: (event: RetryEvent) => void;
}

export interface RetryEvent {
  chain: string;
  operation: string;
  /** The try that failed (1 for the first). */
  attempt: number;
  delayMs: number;
  reason: string;
  retryAfterMs: number | undefined;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 6, baseDelayMs: 250, maxDelayMs: 8_000 };

export interface RpcErrorClass {
  retryable: boolean;
  reason: string;
  /** The endpoint's Retry-After hint, in ms, where the error carries one. */
  retryAfterMs?: number;
}

/**
 * Runs `fn` until it succeeds, it fails in a way that another try cannot fix, or `attempts` run out.
 * Failures come out as an `RpcError` (or the `RelayerError` that `fn` threw) whose `retryable` says
 * whether trying again later may help.
 */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions & { chain?: string; operation?: string }): Promise<T> {
  const chain = options.chain ?? "rpc";
  const operation = options.operation ?? "call";
  // Bounded by construction: a missing or nonsensical count means one try, never "forever".
  const attempts = Number.isFinite(options.attempts) ? Math.max(1, Math.floor(options.attempts)) : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const found = classifyRpcError(error);
      const tooLong = found.retryAfterMs !== undefined && found.retryAfterMs > options.maxDelayMs;
      if (!found.retryable || attempt >= attempts || tooLong) {
        if (error instanceof RelayerError) throw error;
        throw new RpcError(
          {
            chain,
            operation,
            reason: found.reason,
            retryable: found.retryable,
            attempts: attempt,
            ...(found.retryAfterMs !== undefined ? { retryAfterMs: found.retryAfterMs } : {}),
          },
          { cause: error },
        );
      }
      const delayMs = Math.max(backoffMs(attempt, options), found.retryAfterMs ?? 0);
      options.onRetry?.({ chain, operation, attempt, delayMs, reason: found.reason, retryAfterMs: found.retryAfterMs });
      await sleep(delayMs);
    }
  }
}

/** Exponential backoff with "equal jitter": half the step fixed, half random, capped. */
function backoffMs(failedAttempt: number, options: RetryOptions): number {
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (failedAttempt - 1));
  return Math.round(step / 2 + Math.random() * (step / 2));
}

// ----- classification -----

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
export function classifyRpcError(error: unknown): RpcErrorClass {
  if (error instanceof RelayerError) return { retryable: error.retryable, reason: error.message };
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
function classifyHttp(error: Record<string, unknown>, message: string): RpcErrorClass {
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
function classifyJsonRpc(rpc: Record<string, unknown>): RpcErrorClass {
  const code = typeof rpc.code === "number" ? rpc.code : undefined;
  const message = typeof rpc.message === "string" ? rpc.message : JSON.stringify(rpc);
  const reason = code === undefined ? message : `JSON-RPC ${code}: ${message}`;
  if (TRANSIENT_MESSAGE.test(message)) return { retryable: true, reason };
  if (/revert/i.test(message) || (code !== undefined && DETERMINISTIC_RPC_CODES.has(code))) {
    return { retryable: false, reason };
  }
  return { retryable: code !== undefined && TRANSIENT_RPC_CODES.has(code), reason };
}

/** Retry-After in ms: delta-seconds or an HTTP date. */
function retryAfterOf(response: Record<string, unknown>): number | undefined {
  let value: unknown;
  if (typeof response.getHeader === "function") {
    value = (response.getHeader as (key: string) => unknown).call(response, "retry-after");
  } else if (isRecord(response.headers)) {
    const key = Object.keys(response.headers).find((k) => k.toLowerCase() === "retry-after");
    value = key === undefined ? undefined : response.headers[key];
  }
  if (typeof value !== "string" || value.trim() === "") return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function messageOf(error: Record<string, unknown>): string {
  return typeof error.message === "string" ? error.message : JSON.stringify(error);
}

// ----- the provider -----

export interface EvmProviderOptions {
  /** Per HTTP request (ethers' default is 300 s: far too long for a watcher). */
  timeoutMs?: number;
  retry?: RetryOptions;
}

type ChainEndpoint = Pick<EvmChainConfig, "name" | "chainId" | "rpcUrl">;

/**
 * An ethers provider for one chain: no request cache (`cacheTimeout: -1`), the configured chain id as a
 * static network (ethers never probes it), and no hidden retries on 429 (withRetry decides, in one place).
 * Use `connectEvmProvider` to also check, before use, that the endpoint serves that chain.
 */
export function createEvmProvider(chain: ChainEndpoint, options: EvmProviderOptions = {}): JsonRpcProvider {
  const request = new FetchRequest(chain.rpcUrl);
  request.timeout = options.timeoutMs ?? 30_000;
  request.retryFunc = () => Promise.resolve(false);
  const network = new Network(chain.name, chain.chainId);
  // batchStallTime 0: calls made in the same tick still go as one JSON-RPC batch, but none waits ethers'
  // default 10 ms for company (each of a delivery's sequential calls paid it).
  return new NativeJsonRpcProvider(request, network, { staticNetwork: network, cacheTimeout: -1, batchStallTime: 0 });
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * ethers' JsonRpcProvider, with the answer's body decoded by the runtime (TextDecoder, JSON.parse) rather
 * than ethers' UTF-8 decoder in JavaScript, which took over a tenth of a busy relayer's CPU (every node
 * reads every gateway log). `_send` is ethers' documented transport hook; the request, its timeout and
 * the HTTP error checks are ethers' own, and a body that does not decode gets ethers' own error.
 */
class NativeJsonRpcProvider extends JsonRpcProvider {
  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    const request = this._getConnection();
    request.body = JSON.stringify(payload);
    request.setHeader("content-type", "application/json");
    const response = await request.send();
    response.assertOk();
    let answer: unknown;
    try {
      answer = response.body === null ? "" : JSON.parse(utf8.decode(response.body));
    } catch {
      answer = response.bodyJson; // throws as ethers does for a body that is not UTF-8 JSON
    }
    return (Array.isArray(answer) ? answer : [answer]) as JsonRpcResult[]; // results and errors, as ethers declares it
  }
}

/** Fails with ChainMismatchError (not retryable) if the endpoint serves another chain than configured. */
export async function verifyChainId(provider: JsonRpcProvider, chain: ChainEndpoint, retry: RetryOptions = DEFAULT_RETRY): Promise<void> {
  const answer = await withRetry(() => provider.send("eth_chainId", []) as Promise<unknown>, {
    ...retry,
    chain: chain.name,
    operation: "eth_chainId",
  });
  if (typeof answer !== "string" || !/^0x[0-9a-f]+$/i.test(answer)) {
    throw new RpcError({
      chain: chain.name,
      operation: "eth_chainId",
      reason: `${describeUrl(chain.rpcUrl)} answered ${JSON.stringify(answer)}, not a chain id`,
      retryable: false,
      attempts: 1,
    });
  }
  const actual = BigInt(answer);
  if (actual !== chain.chainId) throw new ChainMismatchError(chain.name, describeUrl(chain.rpcUrl), chain.chainId, actual);
}

/** `createEvmProvider`, then `verifyChainId`; the provider is destroyed if the check fails. */
export async function connectEvmProvider(chain: ChainEndpoint, options: EvmProviderOptions = {}): Promise<JsonRpcProvider> {
  const provider = createEvmProvider(chain, options);
  try {
    await verifyChainId(provider, chain, options.retry);
  } catch (error) {
    provider.destroy();
    throw error;
  }
  return provider;
}

/** An RPC URL fit for messages and logs: no credentials, query or key-like path segments. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const path = parsed.pathname
      .split("/")
      .map((segment) => (segment.length >= 16 ? "***" : segment))
      .join("/");
    return `${parsed.protocol}//${parsed.host}${path === "/" ? "" : path}${parsed.search ? "?***" : ""}`;
  } catch {
    return "(invalid URL)";
  }
}
