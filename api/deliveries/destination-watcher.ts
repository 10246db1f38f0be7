// The API's own view of one EVM gateway's deliveries, whoever sent them: `TransfersDelivered` logs read at
// the chain's head once per new block (the head itself is asked a few times a block), so a delivery by any relayer node (or any wallet) shows as soon as
// it is mined, and as final once its block is final by the chain's finality rule (the one the relayers
// use: `confirmations` deep, or the `finalized` tag).
//
// Two windows each tick: the final part, read once in order from a cursor (on start-up from
// `lookbackBlocks` below the final block: the API keeps no state of its own, and older deliveries are in
// the relayer node's records); and the part above the final block, read again in full every tick and
// replacing what was read there before — so a delivery that a reorg takes out before it is final simply
// is no longer there. Final deliveries go into a bounded LRU (DeliveryCache), the part above the final
// block is a few blocks' worth.
import { getAddress, toQuantity, type JsonRpcProvider, type Log } from "ethers";
import { contractInterface } from "../../common/contracts/artifacts.ts";
import type { EvmChain } from "../chains/evm-chain.ts";
import type { DeliveryCache } from "./delivery-cache.ts";

/** One transfer delivered on a destination, as the chain has it now. */
export interface ChainDelivery {
  id: string;
  chain: string;
  chainId: bigint;
  txHash: string;
  blockNumber: bigint;
  blockHash: string;
  /** Final by the chain's rule. */
  final: boolean;
  /** When the API first saw it (ms): an upper bound on when it was mined, by the API's clock. */
  seenAt: number;
  /** When the API saw it final (ms), null while not. */
  finalSeenAt: number | null;
}

/** Log ranges read per tick while catching up (each at most the chain's maxBlockRange). */
const CATCH_UP_RANGES_PER_TICK = 10;

let deliveredTopic: string | undefined;
function transfersDeliveredTopic(): string {
  deliveredTopic ??= contractInterface("RemoteGateway").getEvent("TransfersDelivered")!.topicHash;
  return deliveredTopic;
}

export class DestinationWatcher {
  readonly chain: EvmChain;
  private readonly cache: DeliveryCache;
  private readonly lookbackBlocks: bigint;
  private readonly provider: JsonRpcProvider;
  private readonly gateway: string;
  /** Every block at or below this is read and final. */
  private finalUpTo: bigint | null = null;
  /** Deliveries above the final block, as last read. */
  private recent = new Map<string, ChainDelivery>();
  private head: bigint | null = null;
  private headHash: string | null = null;
  private caughtUp = false;

  constructor(chain: EvmChain, cache: DeliveryCache, options: { lookbackBlocks: number }) {
    this.chain = chain;
    this.cache = cache;
    this.lookbackBlocks = BigInt(options.lookbackBlocks);
    this.provider = chain.provider;
    this.gateway = getAddress(chain.config.gateway);
  }

  /** A delivery of `id` on this chain the API knows of: above the final block, or final. */
  find(id: string): ChainDelivery | null {
    return this.recent.get(id) ?? this.cache.get(id) ?? null;
  }

  /** The head block as last read (null before the first tick). */
  get lastHead(): bigint | null {
    return this.head;
  }

  /** Reads what changed since the last tick. Throws what the chain threw (the loop logs it and goes on). */
  async tick(now = Date.now()): Promise<void> {
    const latest = await this.provider.getBlock("latest");
    if (!latest) throw new Error(`${this.chain.name}: the node has no latest block`);
    // Nothing new at the head, and the final part read: nothing to read (the head is asked often, to
    // see a new block soon after it comes; the logs are read once per block).
    if (latest.hash === this.headHash && this.caughtUp) return;
    const { head, final } = await this.heads(BigInt(latest.number));
    this.head = head;
    this.headHash = latest.hash;
    let finalUpTo = this.finalUpTo;
    if (finalUpTo === null) {
      const start = this.chain.config.startBlock - 1n;
      const back = final - this.lookbackBlocks;
      finalUpTo = back > start ? back : start;
    }
    // The chain's final block is below what was read as final (a node behind the others, or a reorg deeper
    // than the finality rule allows, as a test chain's revert): read from there again.
    if (final < finalUpTo) finalUpTo = final;
    const step = BigInt(this.chain.config.maxBlockRange);
    // The final part, in order, a bounded number of ranges per tick.
    for (let i = 0; i < CATCH_UP_RANGES_PER_TICK && finalUpTo < final; i++) {
      const from: bigint = finalUpTo + 1n;
      const to: bigint = from + step - 1n < final ? from + step - 1n : final;
      for (const d of await this.read(from, to, now)) {
        const known = this.cache.get(d.id);
        const same = known && known.txHash === d.txHash ? known : null;
        const recent = this.recent.get(d.id);
        const seenAt = same?.seenAt ?? (recent?.txHash === d.txHash ? recent.seenAt : now);
        this.cache.set(d.id, { ...d, seenAt, final: true, finalSeenAt: same?.finalSeenAt ?? now });
      }
      finalUpTo = to;
      this.finalUpTo = finalUpTo;
    }
    this.finalUpTo = finalUpTo;
    this.caughtUp = finalUpTo >= final;
    // Above the final block: read again in full, replacing what was there (a reorg drops what it removed).
    const recent = new Map<string, ChainDelivery>();
    const from = (finalUpTo > final ? finalUpTo : final) + 1n;
    for (let start = from; start <= head; start += step) {
      const end = start + step - 1n < head ? start + step - 1n : head;
      for (const d of await this.read(start, end, now)) {
        const before = this.recent.get(d.id);
        recent.set(d.id, before?.txHash === d.txHash ? { ...d, seenAt: before.seenAt } : d);
      }
    }
    this.recent = recent;
  }

  /** The head and the newest final block, by the chain's finality rule. */
  private async heads(head: bigint): Promise<{ head: bigint; final: bigint }> {
    const finality = this.chain.config.finality;
    if ("confirmations" in finality) {
      const final = head - BigInt(finality.confirmations);
      return { head, final: final > 0n ? final : 0n };
    }
    const block = await this.provider.getBlock("finalized");
    if (!block) throw new Error(`${this.chain.name}: the node has no "finalized" block; configure a confirmation depth`);
    return { head, final: BigInt(block.number) };
  }

  private async read(from: bigint, to: bigint, now: number): Promise<ChainDelivery[]> {
    const logs: Log[] = await this.provider.getLogs({
      address: this.gateway,
      topics: [transfersDeliveredTopic()],
      fromBlock: toQuantity(from),
      toBlock: toQuantity(to),
    });
    const iface = contractInterface("RemoteGateway");
    const found: ChainDelivery[] = [];
    for (const log of logs) {
      const block = BigInt(log.blockNumber);
      // A node answering outside the range asked, or a log of another contract, is not trusted.
      if (log.removed || block < from || block > to || getAddress(log.address) !== this.gateway) continue;
      let ids: string[];
      try {
        ids = iface.decodeEventLog("TransfersDelivered", log.data, log.topics)[0] as string[];
      } catch {
        continue;
      }
      for (const id of ids) {
        found.push({
          id: id.toLowerCase(),
          chain: this.chain.name,
          chainId: this.chain.chainId,
          txHash: log.transactionHash,
          blockNumber: block,
          blockHash: log.blockHash,
          final: false,
          seenAt: now,
          finalSeenAt: null,
        });
      }
    }
    return found;
  }
}
