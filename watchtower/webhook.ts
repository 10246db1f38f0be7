// Alarms POSTed as JSON to an operator's webhook, one after another in the background: a slow or broken
// endpoint never holds the checks or the pause up. Each POST is tried until it answers 2xx, with
// exponential backoff, up to `attempts` times; what still fails is logged (the alarm is in the log, the
// metrics and the state all the same).
import type { Logger } from "pino";
import { sleep } from "../common/async.ts";
import { messageOf } from "../common/errors.ts";

export interface WebhookOptions {
  attempts?: number;
  baseDelayMs?: number;
  timeoutMs?: number;
  onFailure?: () => void;
}

export class Webhook {
  private readonly url: string;
  private readonly log: Logger;
  private readonly options: Required<WebhookOptions>;
  private readonly queue: unknown[] = [];
  private running: Promise<void> | null = null;
  private closed = false;

  constructor(url: string, log: Logger, options: WebhookOptions = {}) {
    this.url = url;
    this.log = log;
    this.options = { attempts: 8, baseDelayMs: 500, timeoutMs: 5_000, onFailure: () => {}, ...options };
  }

  /** Queues `body` and returns at once. */
  send(body: unknown): void {
    if (this.closed) return;
    this.queue.push(body);
    this.running ??= this.drain().finally(() => (this.running = null));
  }

  /** Resolves once the queue is empty (tests; and a stop, which gives the last alarm a chance). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  close(): void {
    this.closed = true;
  }

  private async drain(): Promise<void> {
    for (let body = this.queue.shift(); body !== undefined; body = this.queue.shift()) {
      for (let attempt = 1; attempt <= this.options.attempts && !this.closed; attempt++) {
        try {
          const response = await fetch(this.url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(this.options.timeoutMs),
          });
          if (response.ok) break;
          throw new Error(`HTTP ${response.status}`);
        } catch (error) {
          this.options.onFailure();
          if (attempt === this.options.attempts) {
            this.log.error({ err: messageOf(error), attempts: attempt }, "webhook: gave up on an alarm");
            break;
          }
          this.log.warn({ err: messageOf(error), attempt }, "webhook: POST failed; trying again");
          await sleep(Math.min(30_000, this.options.baseDelayMs * 2 ** (attempt - 1)));
        }
      }
    }
  }
}
