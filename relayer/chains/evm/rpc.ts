// The relayer's JSON-RPC reads: every call through the shared retry loop (common/rpc/retry.ts) with the
// EVM classifier (common/rpc/evm-classifier.ts), a failure that does not pass coming out as RpcError; and
// the check, before a node uses an endpoint, that it serves the configured chain.
import type { JsonRpcProvider } from "ethers";
import { classifyRpcError } from "../../../common/rpc/evm-classifier.ts";
import { createEvmProvider, type EvmEndpoint, type EvmProviderOptions } from "../../../common/rpc/evm-provider.ts";
import { describeUrl } from "../../../common/rpc/http.ts";
import { DEFAULT_RETRY, withRetry, type RetryOptions } from "../../../common/rpc/retry.ts";
import { ChainMismatchError, RpcError } from "../../errors.ts";
import { rpcErrorOf } from "../rpc-error.ts";

/**
 * The shared retry loop with the EVM classifier: runs `fn` until it succeeds, it fails in a way that
 * another try cannot fix, or `attempts` run out. Failures come out as an `RpcError` (or the project error that `fn` threw) whose `retryable` says
 * whether trying again later may help.
 */
export function withRpcRetry<T>(fn: () => Promise<T>, options: RetryOptions & { chain?: string; operation?: string }): Promise<T> {
  return withRetry(fn, { ...options, shouldRetry: classifyRpcError, giveUp: (failure) => rpcErrorOf(failure) });
}

/** Fails with ChainMismatchError (not retryable) if the endpoint serves another chain than configured. */
export async function verifyChainId(provider: JsonRpcProvider, chain: EvmEndpoint, retry: RetryOptions = DEFAULT_RETRY): Promise<void> {
  const answer = await withRpcRetry(() => provider.send("eth_chainId", []) as Promise<unknown>, {
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
export async function connectEvmProvider(
  chain: EvmEndpoint,
  options: EvmProviderOptions & { retry?: RetryOptions } = {},
): Promise<JsonRpcProvider> {
  const provider = createEvmProvider(chain, options);
  try {
    await verifyChainId(provider, chain, options.retry);
  } catch (error) {
    provider.destroy();
    throw error;
  }
  return provider;
}
