// What the API remembers of final deliveries, and of the transactions behind them: in memory, in LRUs of
// a configured size (`deliveryCacheSize`), rather than in Redis. The API only reads the relayer node's
// Redis (it is that node's store, not the API's), every API process reads the chains itself anyway, and
// what an LRU forgets — deliveries long final — the node's own record has by then (it completes every
// delivery it sees, whoever made it). So memory stays bounded and nothing needs expiring or cleaning up.
import { Lru } from "./lru.ts";
import type { ChainDelivery } from "./destination-watcher.ts";

export class DeliveryCache {
  private readonly deliveries: Lru<string, ChainDelivery>;

  constructor(size: number) {
    this.deliveries = new Lru(size);
  }

  get(id: string): ChainDelivery | undefined {
    return this.deliveries.get(id);
  }

  set(id: string, delivery: ChainDelivery): void {
    this.deliveries.set(id, delivery);
  }

  get size(): number {
    return this.deliveries.size;
  }
}
