// The black-hole forwarding of swapped TRON deposits, run like a chain's watch: one forwarder per node
// at a time, the process holding its lease; the others stand by.
import type { Logger } from "pino";
import { sleep } from "../../common/async.ts";
import type { WatchLease } from "./watch-lease.ts";

export interface BurnLoopOptions {
  name: string;
  /** TRON: BurnForwarder. */
  forwarder: { tick(signal?: AbortSignal): Promise<unknown> };
  intervalMs: number;
  lease: WatchLease;
  /** How often a standby tries to take the lease. */
  standbyPollMs: number;
  log: Logger;
}

export class BurnLoop {
  private readonly o: BurnLoopOptions;
  private running: Promise<void> | null = null;

  constructor(options: BurnLoopOptions) {
    this.o = options;
  }

  /** Runs until `stop` aborts; the abort also ends a burn's wait for its block early (the burn stays
   * noted in flight). */
  start(stop: AbortSignal): void {
    this.running = this.run(stop);
  }

  async stopped(): Promise<void> {
    await this.running;
  }

  private async run(stop: AbortSignal): Promise<void> {
    const { lease, forwarder } = this.o;
    while (!stop.aborted) {
      try {
        if (await lease.hold()) await forwarder.tick(stop);
      } catch (error) {
        if (stop.aborted) break; // the stop ended the tick's wait: nothing failed
        this.o.log.warn(
          { chain: this.o.name, err: error instanceof Error ? error.message : String(error) },
          "black-hole forwarding failed; trying again",
        );
      }
      await sleep(lease.held ? this.o.intervalMs : this.o.standbyPollMs, stop);
    }
    await lease.release().catch(() => undefined);
  }
}
