// JSON-RPC access to one EVM chain, for the relayer, the API and the CLI: an ethers provider that never
// caches, retries on its own or guesses the network. Calls that should be retried go through `withRetry`
// (./retry.ts) with `classifyRpcError` (./evm-classifier.ts).
import { FetchRequest, JsonRpcProvider, Network, type JsonRpcPayload, type JsonRpcResult } from "ethers";

export interface EvmProviderOptions {
  /** Per HTTP request (ethers' default is 300 s: far too long for a watcher). */
  timeoutMs?: number;
}

/** What a provider needs of an EVM chain's configuration. */
export interface EvmEndpoint {
  name: string;
  chainId: bigint;
  rpcUrl: string;
}

/**
 * An ethers provider for one chain: no request cache (`cacheTimeout: -1`), the configured chain id as a
 * static network (ethers never probes it), and no hidden retries on 429 (withRetry decides, in one place).
 * The relayer's `connectEvmProvider` also checks, before use, that the endpoint serves that chain.
 */
export function createEvmProvider(chain: EvmEndpoint, options: EvmProviderOptions = {}): JsonRpcProvider {
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
