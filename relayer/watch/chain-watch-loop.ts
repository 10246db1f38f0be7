// The watch loop of one chain: while this process holds the chain's watch lease, each poll reads the
// deliveries that reached the chain (observe) and the transfers leaving it (watch), and keeps the
// chain's head, finalized and lag gauges; without the lease it stands by. A failed tick is logged and
// counted, and the next poll tries again (everything it writes is idempotent).
import type { Logger } from "pino";
import { sleep } from "../../common/async.ts";
import { isRetryable } from "../../common/errors.ts";
import type { HealthReport } from "../http/server.ts";
import type { RelayerMetrics } from "../metrics.ts";
import type { DeliveryObserver } from "../observe/delivery-observer.ts";
import type { TransferWatcher } from "./transfer-watcher.ts";
import type { WatchLease } from "./watch-lease.ts";

/** A chain whose last successful tick is older than this many poll intervals counts as unhealthy. */
const STALE_AFTER_POLLS = 10;

export interface ChainWatchLoopOptions {
  name: string;
  watcher: TransferWatcher;
  /** Deliveries reaching this chain (EVM chains; TRON is a source only). */
  deliveries?: DeliveryObserver;
  pollIntervalMs: number;
  /** Held by the one `watch` process of the node that scans this chain now. */
  lease: WatchLease;
  /** How often a standby tries to take the lease. */
  standbyPollMs: number;
  metrics: RelayerMetrics;
  log: Logger;
}

export type ChainHealth = HealthReport["chains"][string];

export class ChainWatchLoop {
  readonly name: string;
  private readonly o: ChainWatchLoopOptions;
  private head: bigint | null = null;
  private finalizedUpTo: bigint | null = null;
  private lastTickAt: number | null = null;
  private lastError: string | undefined;
  private running: Promise<void> | null = null;

  constructor(options: ChainWatchLoopOptions) {
    this.o = options;
    this.name = options.name;
  }

  /** Runs until `stop` aborts (ending a wait at once, finishing a tick under way), then gives the lease up. */
  start(stop: AbortSignal): void {
    this.running = this.run(stop);
  }

  /** Resolves once the loop has ended (at once if it never started). */
  async stopped(): Promise<void> {
    await this.running;
  }

  health(now: number): ChainHealth {
    if (!this.o.lease.held) {
      // A standby: another process of this node watches the chain (its own /health says how).
      return { ok: true, head: null, finalizedUpTo: null, lastTickAgeMs: null, standby: true };
    }
    const age = this.lastTickAt === null ? null : now - this.lastTickAt;
    const ok = age !== null && age < this.o.pollIntervalMs * STALE_AFTER_POLLS + 5_000;
    return {
      ok,
      head: this.head?.toString() ?? null,
      finalizedUpTo: this.finalizedUpTo?.toString() ?? null,
      lastTickAgeMs: age,
      ...(this.lastError ? { error: this.lastError } : {}),
    };
  }

  private async run(stop: AbortSignal): Promise<void> {
    const { lease, metrics, log, name } = this.o;
    let wasHolder = false;
    while (!stop.aborted) {
      try {
        if (!(await lease.hold())) {
          // Another `watch` process of this node scans this chain: stand by.
          if (wasHolder) log.warn({ chain: name }, "watch lease lost; standing by");
          wasHolder = false;
          await sleep(this.o.standbyPollMs, stop);
          continue;
        }
        if (!wasHolder) log.info({ chain: name, lease: lease.key }, "watching (lease taken)");
        wasHolder = true;
        await this.o.deliveries?.tick();
        const result = await this.o.watcher.tick();
        this.head = result.head;
        this.finalizedUpTo = result.finalizedUpTo;
        this.lastTickAt = Date.now();
        this.lastError = undefined;
        metrics.chainHead.set({ chain: name }, Number(result.head));
        metrics.chainFinalizedScanned.set({ chain: name }, Number(result.finalizedUpTo));
        metrics.chainLagBlocks.set({ chain: name }, Number(result.head - result.finalizedUpTo));
      } catch (error) {
        const retryable = isRetryable(error);
        this.lastError = error instanceof Error ? error.message : String(error);
        metrics.rpcErrors.inc({ chain: name, retryable: String(retryable) });
        log.warn({ chain: name, err: this.lastError, retryable }, "watch tick failed");
      }
      await sleep(this.o.pollIntervalMs, stop);
    }
    await lease.release().catch(() => undefined);
  }
}
