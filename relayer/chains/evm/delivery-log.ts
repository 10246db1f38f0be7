// An EVM gateway's inbound log, read as a destination: which transfers it delivered (TransfersDelivered,
// one event per delivery transaction, listing ids in order) and which it skipped and why
// (TransferSkipped), whoever sent the transaction. Heads come by the chain's finality rule, exactly as
// EvmSource reads them; logs in maxBlockRange chunks; every RPC call goes through withRpcRetry.
import { getAddress, toQuantity } from "ethers";
import type { JsonRpcProvider, Log } from "ethers";
import { contractInterface } from "../../../common/contracts/artifacts.ts";
import type { EvmChainConfig } from "../../config.ts";
import { ChainDataError, InvalidRequestError } from "../../errors.ts";
import type { ChainHeads, DeliveryLog, DeliveryLogEntries, DeliveredEntry, SkippedEntry } from "../adapter.ts";
import { EventDecoder } from "./events.ts";
import { DEFAULT_RETRY, type RetryOptions } from "../../../common/rpc/retry.ts";
import { withRpcRetry } from "./rpc.ts";
import { EvmSource } from "./source.ts";

export interface EvmDeliveryLogOptions {
  retry?: RetryOptions;
}

type DeliveryLogConfig = Pick<EvmChainConfig, "name" | "chainId" | "gateway" | "finality" | "maxBlockRange">;

// Both events are declared by the core (IBridgeGateway), so RemoteGateway's ABI reads BttcGateway's
// logs too. Loaded on first use (it reads the artifacts).
let events: EventDecoder | undefined;
function deliveryEvents(): EventDecoder {
  events ??= new EventDecoder(contractInterface("RemoteGateway"), ["TransfersDelivered", "TransferSkipped"], "the RemoteGateway ABI");
  return events;
}

export class EvmDeliveryLog implements DeliveryLog {
  readonly name: string;
  readonly chainId: bigint;
  readonly gateway: string;
  private readonly config: DeliveryLogConfig;
  private readonly provider: JsonRpcProvider;
  private readonly retry: RetryOptions;
  /** Heads by the same finality rule as the chain's source side: one definition of "final". */
  private readonly source: EvmSource;

  constructor(config: DeliveryLogConfig, provider: JsonRpcProvider, options: EvmDeliveryLogOptions = {}) {
    this.name = config.name;
    this.chainId = config.chainId;
    this.gateway = getAddress(config.gateway);
    this.config = config;
    this.provider = provider;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.source = new EvmSource(config, provider, { retry: this.retry });
  }

  heads(): Promise<ChainHeads> {
    return this.source.heads();
  }

  /** Deliveries and skips whose events lie in blocks [from, to], each list in chain order. */
  async deliveriesIn(from: bigint, to: bigint): Promise<DeliveryLogEntries> {
    if (from < 0n || to < from) {
      throw new InvalidRequestError(`${this.name}: invalid block range ${from}..${to}`);
    }
    const step = BigInt(this.config.maxBlockRange);
    const logs: Log[] = [];
    for (let start = from; start <= to; start += step) {
      const end = start + step - 1n < to ? start + step - 1n : to;
      const found = await this.call(`eth_getLogs ${start}..${end}`, () =>
        this.provider.getLogs({
          address: this.gateway,
          topics: [deliveryEvents().topics],
          fromBlock: toQuantity(start),
          toBlock: toQuantity(end),
        }),
      );
      for (const log of found) {
        if (log.removed) continue;
        const block = BigInt(log.blockNumber);
        // A node that answers outside the range asked is not trusted with it (as in EvmSource).
        if (block < start || block > end) continue;
        logs.push(log);
      }
    }
    logs.sort((a, b) => (a.blockNumber === b.blockNumber ? a.index - b.index : a.blockNumber - b.blockNumber));

    const result: DeliveryLogEntries = { delivered: [], skipped: [] };
    for (const log of logs) {
      if (getAddress(log.address) !== this.gateway) {
        throw new ChainDataError(`${this.name}: log from ${log.address} in a query for gateway ${this.gateway}`);
      }
      const event = deliveryEvents().decode(log);
      const blockNumber = BigInt(log.blockNumber);
      if (event?.name === "TransfersDelivered") {
        for (const id of event.args.getValue("transferIds") as string[]) {
          result.delivered.push({ id, txHash: log.transactionHash, blockNumber, logIndex: log.index } satisfies DeliveredEntry);
        }
      } else if (event?.name === "TransferSkipped") {
        result.skipped.push({
          id: event.args.getValue("transferId") as string,
          reason: Number(event.args.getValue("reason") as bigint),
          txHash: log.transactionHash,
          blockNumber,
          logIndex: log.index,
        } satisfies SkippedEntry);
      } else {
        throw new ChainDataError(`${this.name}: unexpected log ${log.topics[0]} in tx ${log.transactionHash}`);
      }
    }
    return result;
  }

  private call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return withRpcRetry(fn, { ...this.retry, chain: this.name, operation });
  }
}
