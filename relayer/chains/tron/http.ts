// Reads from a TRON node's HTTP API (java-tron, TronGrid, or the development node) through TronWeb's
// HTTP providers: `wallet/*` for the head chain, `walletsolidity/*` for the solidified one. Every read
// is a GET with `int64_as_string=true`, so amounts beyond 2^53 arrive as digit strings (java-tron
// 4.8.2+); a node that ignores the flag still sends exact numbers below 2^53, and `readInt64` refuses
// the rest rather than round them.
//
// Every read goes through the shared `withRetry` with TRON's classifier (common/rpc/tron-classifier.ts).
// Failures come out as RpcError. The axios error is not kept as the cause: it carries the request's
// headers, and with them a TronGrid API key.
import type { TronWeb } from "tronweb";
import { ChainDataError, RelayerError } from "../../errors.ts";
import { describeUrl } from "../../../common/rpc/http.ts";
import { DEFAULT_RETRY, withRetry, type RetryOptions } from "../../../common/rpc/retry.ts";
import { TRON_TRANSIENT_MESSAGE, classifyTronError } from "../../../common/rpc/tron-classifier.ts";
import { rpcErrorOf } from "../rpc-error.ts";

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
    return withRetry(
      async () => {
        const answer: unknown = await provider.request(`${api}/${method}`, { ...params, int64_as_string: true }, "get");
        if (typeof answer !== "object" || answer === null || Array.isArray(answer)) {
          // A proxy's or load balancer's error page, not the node's answer.
          throw new ChainDataError(`${this.chain}: ${operation} answered with something other than a JSON object`);
        }
        const error = (answer as JsonObject).Error;
        if (error !== undefined) {
          const message = typeof error === "string" ? error : JSON.stringify(error);
          throw new TronApiError(operation, message.slice(0, 300), TRON_TRANSIENT_MESSAGE.test(message));
        }
        return answer as JsonObject;
      },
      {
        ...this.retry,
        chain: this.chain,
        operation,
        shouldRetry: classifyTronError,
        giveUp: (failure) => rpcErrorOf(failure, { keepCause: false }),
      },
    );
  }
}

function describeParams(params: Record<string, string | boolean>): string {
  const shown = Object.entries(params).map(([key, value]) => `${key}=${String(value)}`);
  return shown.length > 0 ? ` ${shown.join(" ")}` : "";
}
