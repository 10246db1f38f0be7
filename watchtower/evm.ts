// What the watchtower reads from, and sends to, one EVM chain: its final block, the gateway's outbound
// events and deliveries, a delivery's transaction (or its trace), the gateway's accounting and pause
// state, and the guardian's pause. Every read goes through the shared retry loop with the EVM classifier
// (common/rpc): a failure that outlives it is a retryable WatchtowerError, and the round is run again.
import { Contract, type Interface, type JsonRpcProvider, type Log, type Result, type TransactionResponse } from "ethers";
import { contractInterface } from "../common/contracts/artifacts.ts";
import { createEvmProvider } from "../common/rpc/evm-provider.ts";
import { classifyRpcError } from "../common/rpc/evm-classifier.ts";
import { DEFAULT_RETRY, withRetry, type RetryOptions } from "../common/rpc/retry.ts";
import { addressToBytes32 } from "../common/transfer.ts";
import type { WatchtowerChainConfig } from "./config.ts";
import { WatchtowerError } from "./errors.ts";

/** One call frame of geth's callTracer (what `debug_traceTransaction` answers with it). */
export interface CallFrame {
  type?: string;
  from?: string;
  to?: string;
  input?: string;
  error?: string;
  calls?: CallFrame[];
}

export interface EvmChainOptions {
  retry?: RetryOptions;
  /** Called on each retried read (for the metrics). */
  onRpcError?: (chain: string) => void;
}

export class EvmChain {
  readonly config: WatchtowerChainConfig;
  readonly provider: JsonRpcProvider;
  readonly gateway: Contract;
  readonly iface: Interface;
  /** The gateway as a transfer's srcGateway (32 bytes, lower case). */
  readonly srcGateway: string;
  private readonly retry: RetryOptions;
  private readonly onRpcError: (chain: string) => void;
  /** A block at which the gateway's code was seen: it is there at every later block too. */
  private codeSeenAt: bigint | null = null;

  constructor(config: WatchtowerChainConfig, timeoutMs: number, options: EvmChainOptions = {}) {
    this.config = config;
    this.provider = createEvmProvider(config, { timeoutMs });
    this.iface = contractInterface(config.kind === "bttc" ? "BttcGateway" : "RemoteGateway");
    this.gateway = new Contract(config.gateway, this.iface, this.provider);
    this.srcGateway = addressToBytes32(config.gateway).toLowerCase();
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.onRpcError = options.onRpcError ?? (() => {});
  }

  get name(): string {
    return this.config.name;
  }

  get chainId(): bigint {
    return this.config.chainId;
  }

  /** Runs a read with retries; what outlives them is a retryable WatchtowerError naming the chain and the read. */
  read<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, {
      ...this.retry,
      chain: this.name,
      operation,
      shouldRetry: classifyRpcError,
      onRetry: () => this.onRpcError(this.name),
      giveUp: (failure) => {
        this.onRpcError(this.name);
        return new WatchtowerError("RPC_FAILED", `${this.name}: ${operation} failed (${failure.decision.reason})`, {
          retryable: true,
          cause: failure.error,
        });
      },
    });
  }

  /** The node serves the configured chain (checked once at start). */
  async assertChainId(): Promise<void> {
    const id = await this.read("eth_chainId", async () => BigInt((await this.provider.send("eth_chainId", [])) as string));
    if (id !== this.chainId) {
      throw new WatchtowerError("CHAIN_ID_MISMATCH", `${this.name}: ${this.config.rpcUrl} serves chain ${id}, not ${this.chainId}`);
    }
  }

  async head(): Promise<bigint> {
    return this.read("eth_blockNumber", async () => BigInt(await this.provider.getBlockNumber()));
  }

  /** The last final block: the head less the configured confirmations, or the `finalized` tag. */
  async finalBlock(): Promise<bigint> {
    const finality = this.config.finality;
    if ("confirmations" in finality) {
      const final = (await this.head()) - BigInt(finality.confirmations);
      return final > 0n ? final : 0n;
    }
    return this.read("finalized block", async () => {
      const block = await this.provider.getBlock("finalized");
      if (!block) throw new WatchtowerError("CHAIN_DATA", `${this.name}: the node has no "finalized" block; configure confirmations`);
      return BigInt(block.number);
    });
  }

  /** The gateway's logs of `events` (names) in [from, to], read in ranges of maxBlockRange, optionally one sequence's. */
  async logs(events: readonly string[], from: bigint, to: bigint, sequenceTopic?: string): Promise<Log[]> {
    const topics: (string | string[] | null)[] = [events.map((e) => this.iface.getEvent(e)!.topicHash)];
    if (sequenceTopic) topics.push(sequenceTopic);
    const out: Log[] = [];
    const step = BigInt(this.config.maxBlockRange);
    for (let start = from; start <= to; start += step) {
      const end = start + step - 1n < to ? start + step - 1n : to;
      const logs = await this.read(`eth_getLogs ${start}..${end}`, () =>
        this.provider.getLogs({ address: this.config.gateway, topics, fromBlock: start, toBlock: end }),
      );
      out.push(...logs);
    }
    return out;
  }

  async transaction(hash: string): Promise<TransactionResponse> {
    const tx = await this.read(`eth_getTransactionByHash ${hash}`, () => this.provider.getTransaction(hash));
    if (!tx)
      throw new WatchtowerError("CHAIN_DATA", `${this.name}: transaction ${hash} of a final log is unknown to the node`, {
        retryable: true,
      });
    return tx;
  }

  /**
   * The transaction's call tree from `debug_traceTransaction` with the callTracer; null when the node
   * does not offer it (the method is missing, disabled, or the tracer unknown): then a delivery made
   * through another contract cannot be read, which is an alarm of its own, not a reason to stop.
   */
  async trace(hash: string): Promise<CallFrame | null> {
    try {
      return await this.read(`debug_traceTransaction ${hash}`, async () => {
        const frame = (await this.provider.send("debug_traceTransaction", [hash, { tracer: "callTracer" }])) as unknown;
        if (typeof frame !== "object" || frame === null) throw new WatchtowerError("CHAIN_DATA", "the trace is not a call frame");
        return frame;
      });
    } catch (error) {
      if (error instanceof WatchtowerError && error.code === "RPC_FAILED" && !isTransient(error)) return null;
      if (error instanceof WatchtowerError && error.code === "CHAIN_DATA") return null;
      throw error;
    }
  }

  /** Whether the gateway's code is there at `block` (a start block taken before the deployment is not). */
  async gatewayExistsAt(block: bigint): Promise<boolean> {
    if (this.codeSeenAt !== null && block >= this.codeSeenAt) return true;
    const code = await this.read(`eth_getCode at ${block}`, () => this.provider.getCode(this.config.gateway, block));
    if (code === "0x") return false;
    this.codeSeenAt = block;
    return true;
  }

  /** The gateway's `accounting()` at `blockTag`, by field name. */
  async accounting(blockTag: bigint): Promise<Record<string, bigint | undefined>> {
    return this.read(
      `accounting() at ${blockTag}`,
      async () => ((await this.gateway.getFunction("accounting")({ blockTag })) as Result).toObject() as Record<string, bigint | undefined>,
    );
  }

  async paused(): Promise<boolean> {
    return this.read("status()", async () => Boolean(((await this.gateway.getFunction("status")()) as Result).toObject().paused));
  }

  close(): void {
    this.provider.destroy();
  }
}

/** Whether a given-up read failed for a reason that may pass (the node was unreachable), as opposed to a refusal. */
function isTransient(error: WatchtowerError): boolean {
  const decision = classifyRpcError(error.cause);
  return decision.retryable;
}
