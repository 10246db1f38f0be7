// The watch stage's parts for one chain, built from the chain's adapters: its transfer watcher, the
// observer of deliveries reaching it, their cursors, its lease and its loop; and a TRON chain's burn loop.
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { DeliveryLog, ObservedTransfer, SourceChain } from "../chains/adapter.ts";
import type { RelayerMetrics } from "../metrics.ts";
import { DeliveryObserver, deliveryCursorChain } from "../observe/delivery-observer.ts";
import { ChainCursor } from "../store/chain-cursor.ts";
import type { TransferStore } from "../store/transfer-store.ts";
import { BurnLoop, type BurnLoopOptions } from "./burn-loop.ts";
import { ChainWatchLoop } from "./chain-watch-loop.ts";
import { TransferWatcher } from "./transfer-watcher.ts";
import { WatchLease } from "./watch-lease.ts";

/** What every chain's watch shares: the node's Redis, prefix and store, and who holds its leases. */
export interface WatchContext {
  redis: Redis;
  prefix: string;
  store: TransferStore;
  /** Who holds a lease: this node, this process. */
  owner: string;
  leaseMs: number;
  metrics: RelayerMetrics;
  log: Logger;
}

/** The part of a chain's config its watch reads. */
export interface WatchedChain {
  name: string;
  startBlock: bigint;
  maxBlockRange: number;
  pollIntervalMs: number;
}

/** How often a standby tries to take a lease: well within its lifetime. */
function standbyPollMs(leaseMs: number): number {
  return Math.max(100, Math.floor(leaseMs / 3));
}

function lease(context: WatchContext, name: string): WatchLease {
  return new WatchLease(context.redis, context.prefix, name, context.owner, context.leaseMs);
}

/** The watch loop of `chain`: transfers leaving it (handed to `onFinalized` once final) and, on a
 * destination, the deliveries reaching it. */
export function chainWatchLoop(
  context: WatchContext,
  chain: WatchedChain,
  source: SourceChain,
  onFinalized: (transfers: ObservedTransfer[]) => Promise<void>,
  deliveryLog?: DeliveryLog,
): ChainWatchLoop {
  const { redis, prefix, store } = context;
  const maxBlocksPerTick = BigInt(chain.maxBlockRange) * 10n;
  const watcher = new TransferWatcher({
    source,
    store,
    cursor: new ChainCursor(redis, prefix, chain.name),
    startBlock: chain.startBlock,
    maxBlocksPerTick,
    onFinalized,
    log: context.log.child({ chain: chain.name }),
  });
  const deliveries =
    deliveryLog &&
    new DeliveryObserver({
      deliveries: deliveryLog,
      store,
      cursor: new ChainCursor(redis, prefix, deliveryCursorChain(chain.name)),
      startBlock: chain.startBlock,
      maxBlocksPerTick,
      log: context.log.child({ chain: chain.name, stage: "deliveries" }),
    });
  return new ChainWatchLoop({
    name: chain.name,
    watcher,
    ...(deliveries ? { deliveries } : {}),
    pollIntervalMs: chain.pollIntervalMs,
    lease: lease(context, chain.name),
    standbyPollMs: standbyPollMs(context.leaseMs),
    metrics: context.metrics,
    log: context.log,
  });
}

/** The burn loop of TRON chain `name`, under its own lease (`<chain>:burn`). */
export function burnLoop(context: WatchContext, name: string, forwarder: BurnLoopOptions["forwarder"], intervalMs: number): BurnLoop {
  return new BurnLoop({
    name,
    forwarder,
    intervalMs,
    lease: lease(context, `${name}:burn`),
    standbyPollMs: standbyPollMs(context.leaseMs),
    log: context.log,
  });
}
