// An EVM gateway as a source of transfers: the chain's head and final block by its finality rule, block
// hashes (to notice reorgs), and the gateway's TransferSent/SwapSent logs in bounded ranges, mapped to the
// transfer they attest (docs/protocol.md, "Transfer"). Every RPC call goes through withRpcRetry.
import { getAddress, toQuantity } from "ethers";
import type { JsonRpcProvider } from "ethers";
import { TransferKind, addressToBytes32, sequenceToRef, transferId, type Transfer } from "../../../common/transfer.ts";
import { contractInterface } from "../../../common/contracts/artifacts.ts";
import type { EvmChainConfig } from "../../config.ts";
import { ChainDataError, InvalidRequestError } from "../../errors.ts";
import type { ChainHeads, ObservedTransfer, SourceChain } from "../adapter.ts";
import { EventDecoder } from "./events.ts";
import { DEFAULT_RETRY, type RetryOptions } from "../../../common/rpc/retry.ts";
import { withRpcRetry } from "./rpc.ts";
import { decodeSentLog } from "./sent-log.ts";

export interface EvmSourceOptions {
  retry?: RetryOptions;
}

type SourceConfig = Pick<EvmChainConfig, "name" | "chainId" | "gateway" | "finality" | "maxBlockRange">;

// RemoteGateway declares both events; BttcGateway emits TransferSent with the same signature (and so the
// same topic), so one interface reads either gateway. Loaded on first use (it reads the artifacts). The
// logs themselves are decoded by sent-log.ts.
let events: EventDecoder | undefined;
function gatewayEvents(): EventDecoder {
  events ??= new EventDecoder(contractInterface("RemoteGateway"), ["TransferSent", "SwapSent"], "the RemoteGateway ABI");
  return events;
}

/** The fields of a gateway log this reads. */
interface SourceLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: number;
  blockHash: string;
  transactionHash: string;
  index: number;
  removed: boolean;
}

const HASH = /^0x[0-9a-fA-F]{64}$/;
const QUANTITY = /^0x[0-9a-fA-F]{1,16}$/;

/** Decoded logs kept (oldest dropped first): more than a few ticks' worth at full load. */
const DECODED_MEMORY = 20_000;

export class EvmSource implements SourceChain {
  readonly name: string;
  readonly chainId: bigint;
  readonly gateway: string;
  private readonly srcGateway: string;
  private readonly config: SourceConfig;
  private readonly provider: JsonRpcProvider;
  private readonly retry: RetryOptions;
  /**
   * Logs decoded lately, by block hash and log index (what a block holds never changes): a transfer is
   * read twice, at the head (pending) and once final, and decoding (ABI, checksums, id) is the larger
   * part of a watcher's CPU under load.
   */
  private readonly decoded = new Map<string, ObservedTransfer>();

  constructor(config: SourceConfig, provider: JsonRpcProvider, options: EvmSourceOptions = {}) {
    this.name = config.name;
    this.chainId = config.chainId;
    this.gateway = getAddress(config.gateway);
    this.srcGateway = addressToBytes32(this.gateway);
    this.config = config;
    this.provider = provider;
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  async heads(): Promise<ChainHeads> {
    const { finality } = this.config;
    if ("confirmations" in finality) {
      const head = await this.blockNumber();
      // Genesis is final by definition, so a chain younger than the depth still has block 0 final.
      const finalized = head - BigInt(finality.confirmations);
      return { head, finalized: finalized > 0n ? finalized : 0n };
    }
    // The final block first: read after it, the head cannot come out lower than it.
    const final = await this.call("eth_getBlockByNumber finalized", () => this.provider.getBlock("finalized"));
    if (!final) throw new ChainDataError(`${this.name}: the node has no "finalized" block; use a confirmation depth`);
    const head = await this.blockNumber();
    const finalized = BigInt(final.number);
    return { head: head > finalized ? head : finalized, finalized };
  }

  async blockHash(number: bigint): Promise<string | null> {
    if (number < 0n) throw new InvalidRequestError(`${this.name}: block number ${number} is negative`);
    const block = await this.call(`eth_getBlockByNumber ${number}`, () => this.provider.getBlock(toQuantity(number)));
    if (!block) return null;
    if (!block.hash) throw new ChainDataError(`${this.name}: block ${number} came without a hash`);
    return block.hash;
  }

  async transfersIn(from: bigint, to: bigint): Promise<ObservedTransfer[]> {
    if (from < 0n || to < from) {
      throw new InvalidRequestError(`${this.name}: invalid block range ${from}..${to}`);
    }
    const step = BigInt(this.config.maxBlockRange);
    const found: ObservedTransfer[] = [];
    for (let start = from; start <= to; start += step) {
      const end = start + step - 1n < to ? start + step - 1n : to;
      // Raw JSON-RPC: ethers' log formatting checksummed each log's address (a keccak256 per log, on
      // every node); rawLog checks the fields this reads instead.
      const answer = await this.call(
        `eth_getLogs ${start}..${end}`,
        () =>
          this.provider.send("eth_getLogs", [
            { address: this.gateway, topics: [gatewayEvents().topics], fromBlock: toQuantity(start), toBlock: toQuantity(end) },
          ]) as Promise<unknown>,
      );
      if (!Array.isArray(answer)) throw new ChainDataError(`${this.name}: eth_getLogs answered ${typeof answer}, not a list`);
      for (const log of answer.map((raw) => this.rawLog(raw))) {
        if (log.removed) continue;
        const block = BigInt(log.blockNumber);
        // A node that answers outside the range asked is not trusted with it; the range that holds the
        // log reads it again.
        if (block < start || block > end) continue;
        found.push(this.observe(log));
      }
    }
    return found.sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
  }

  /** A log of an eth_getLogs answer, with the fields this reads checked. */
  private rawLog(raw: unknown): SourceLog {
    const r = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    const hex = (field: string, pattern: RegExp): string => {
      const value = r[field];
      if (typeof value !== "string" || !pattern.test(value))
        throw new ChainDataError(`${this.name}: a log with a malformed ${field}: ${JSON.stringify(value)}`);
      return value;
    };
    const topics = r.topics;
    if (!Array.isArray(topics) || !topics.every((t) => typeof t === "string" && HASH.test(t))) {
      throw new ChainDataError(`${this.name}: a log with malformed topics`);
    }
    return {
      address: hex("address", /^0x[0-9a-fA-F]{40}$/),
      topics: topics as string[],
      data: hex("data", /^0x([0-9a-fA-F]{2})*$/),
      blockNumber: Number(BigInt(hex("blockNumber", QUANTITY))),
      blockHash: hex("blockHash", HASH),
      transactionHash: hex("transactionHash", HASH),
      index: Number(BigInt(hex("logIndex", QUANTITY))),
      removed: r.removed === true,
    };
  }

  private observe(log: SourceLog): ObservedTransfer {
    if (log.address.toLowerCase() !== this.gateway.toLowerCase()) {
      throw new ChainDataError(`${this.name}: log from ${log.address} in a query for gateway ${this.gateway}`);
    }
    const key = `${log.blockHash}:${log.index}`;
    const known = this.decoded.get(key);
    if (known && known.srcTxHash === log.transactionHash) return known;
    const observed = this.decode(log);
    this.decoded.set(key, observed);
    if (this.decoded.size > DECODED_MEMORY) this.decoded.delete(this.decoded.keys().next().value!);
    return observed;
  }

  private decode(log: SourceLog): ObservedTransfer {
    let event;
    try {
      event = decodeSentLog(log);
    } catch (error) {
      throw new ChainDataError(`${this.name}: ${(error as Error).message} in tx ${log.transactionHash}`);
    }
    if (!event) throw new ChainDataError(`${this.name}: unexpected log ${log.topics[0]} in tx ${log.transactionHash}`);
    const swap = event.name === "SwapSent";
    const transfer: Transfer = {
      srcChainId: this.chainId,
      srcGateway: this.srcGateway,
      srcRef: sequenceToRef(event.sequence),
      kind: swap ? TransferKind.Swap : TransferKind.Bridge,
      dstChainId: event.dstChainId,
      recipient: event.recipient,
      amount: event.amount,
    };
    const observed: ObservedTransfer = {
      id: transferId(transfer),
      transfer,
      sender: event.sender,
      fee: swap ? 0n : event.last,
      sequence: event.sequence,
      srcTxHash: log.transactionHash,
      blockNumber: BigInt(log.blockNumber),
      blockHash: log.blockHash,
      logIndex: log.index,
    };
    if (swap) observed.legacyAmount = event.last;
    return observed;
  }

  private async blockNumber(): Promise<bigint> {
    return BigInt(await this.call("eth_blockNumber", () => this.provider.getBlockNumber()));
  }

  private call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return withRpcRetry(fn, { ...this.retry, chain: this.name, operation });
  }
}
