// The API's watch over every EVM destination (./destination-watcher.ts): one loop per chain, asking the
// head a few times a block (`deliveryPollMs`, default a quarter of the chain's block time) and reading
// the logs once per new block, started with the server and stopped with
// it. A chain that does not answer is retried at the next tick; the rest go on.
import type { Logger } from "pino";
import type { ChainRegistry } from "../chains/registry.ts";
import type { EvmChain } from "../chains/evm-chain.ts";
import type { ApiConfig } from "../config.ts";
import { DeliveryCache } from "./delivery-cache.ts";
import { DeliveryDetailsReader, type DeliveryDetails } from "./delivery-details.ts";
import { DestinationWatcher, type ChainDelivery } from "./destination-watcher.ts";

export type { ChainDelivery } from "./destination-watcher.ts";
export type { DeliveryDetails } from "./delivery-details.ts";

export class Deliveries {
  private readonly watchers = new Map<bigint, DestinationWatcher>();
  private readonly details: DeliveryDetailsReader;
  private readonly timers = new Set<NodeJS.Timeout>();
  private running = false;

  constructor(chains: ChainRegistry, config: Pick<ApiConfig, "deliveryCacheSize" | "deliveryLookbackBlocks">) {
    const cache = new DeliveryCache(config.deliveryCacheSize);
    this.details = new DeliveryDetailsReader(Math.max(100, Math.floor(config.deliveryCacheSize / 4)));
    for (const chain of chains.evmChains()) {
      this.watchers.set(chain.chainId, new DestinationWatcher(chain, cache, { lookbackBlocks: config.deliveryLookbackBlocks }));
    }
  }

  /** Starts one loop per chain; the first tick of each is awaited (failures only logged). */
  async start(log: Pick<Logger, "warn">): Promise<void> {
    if (this.running) return;
    this.running = true;
    await Promise.all(
      [...this.watchers.values()].map(async (watcher) => {
        // The head a few times a block (its logs are read once per new block): a block is seen soon after it comes.
        const every = watcher.chain.config.deliveryPollMs ?? Math.max(50, Math.floor(watcher.chain.config.blockTimeMs / 4));
        const loop = async () => {
          try {
            await watcher.tick();
          } catch (error) {
            log.warn({ chain: watcher.chain.name, err: (error as Error).message }, "deliveries: reading the chain failed");
          }
        };
        await loop();
        // At a steady rate: the time a tick took counts towards the wait for the next.
        const next = (started: number) => {
          if (!this.running) return;
          const timer = setTimeout(
            () => {
              this.timers.delete(timer);
              const at = Date.now();
              void loop().finally(() => next(at));
            },
            Math.max(0, started + every - Date.now()),
          );
          this.timers.add(timer);
        };
        next(Date.now());
      }),
    );
  }

  stop(): void {
    this.running = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** The delivery of `id` on chain `dstChainId`, as the API last read the chain; null if none known. */
  find(dstChainId: bigint, id: string): ChainDelivery | null {
    return this.watchers.get(dstChainId)?.find(id.toLowerCase()) ?? null;
  }

  /** Who signed the delivery and when it was mined (read once per transaction). */
  detailsOf(chain: EvmChain, delivery: ChainDelivery): Promise<DeliveryDetails> {
    return this.details.details(chain, delivery);
  }

  /** The block of a delivery transaction the node's record names. */
  receiptOf(chain: EvmChain, txHash: string): Promise<{ blockNumber: bigint } | null> {
    return this.details.receipt(chain, txHash);
  }
}
