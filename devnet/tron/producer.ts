// Block production on a timer: one block per interval. Tests leave it off and call `mine()` instead.
import type { Logger } from "pino";

export class BlockProducer {
  readonly #produce: () => void;
  readonly #intervalMs: number;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;

  constructor(produce: () => void, intervalMs: number, logger: Logger) {
    this.#produce = produce;
    this.#intervalMs = intervalMs;
    this.#logger = logger;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      try {
        this.#produce();
      } catch (error) {
        this.#logger.error({ err: error }, "block production failed");
      }
    }, this.#intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
