// When the deliver and confirm stages try again, and the one place that decides retry or give up.
import { UnrecoverableError, type Worker } from "bullmq";
import type { Logger } from "pino";
import { RelayerError } from "../errors.ts";

/** How soon a route job that found the route locked looks again (the holder may finish before our work came in). */
export const BUSY_RETRY_MS = 200;
/** How soon a transfer peers refused is proposed again the first time; doubled for each refusal since. */
export const REFUSED_RETRY_MS = 400;
/** How soon the transfers of a batch that failed are tried again the first time; doubled each time. */
const FAILED_RETRY_MS = 1_000;
/** The longest a refused or failed transfer waits before its next try (and a route job's backoff). */
const MAX_RETRY_MS = 60_000;

/** A route job's backoff: exponential from 500 ms, but never more than MAX_RETRY_MS apart (a route must
 * not wait hours). */
export function routeJobBackoff(attemptsMade: number): number {
  return Math.min(MAX_RETRY_MS, 500 * 2 ** Math.max(0, attemptsMade - 1));
}

/** How long a transfer peers refused `times` times waits before it is proposed again. */
export function refusedBackoff(times: number): number {
  return Math.min(MAX_RETRY_MS, REFUSED_RETRY_MS * 2 ** Math.min(16, times - 1));
}

/** How long the transfers of a batch that failed (the fewest failures among them: `failures`) wait. */
export function failedBackoff(failures: number): number {
  return Math.min(MAX_RETRY_MS, FAILED_RETRY_MS * 2 ** Math.min(16, failures - 1));
}

/**
 * The one place that decides retry or give up: an error that says it is not retryable fails the job
 * at once (it lands in the dead-letter view); anything else is retried with the queue's backoff.
 */
export async function retryDecision(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof RelayerError && !error.retryable) throw new UnrecoverableError(`${error.code}: ${error.message}`);
    throw error;
  }
}

/** Logs a stage worker's failed jobs (`expected` ones at debug level) and its errors. */
export function logWorkerEvents(worker: Worker, log: Logger, expected: (error: Error) => boolean = () => false): void {
  worker.on("failed", (job, error) => {
    const level = expected(error) ? "debug" : "warn";
    log[level]({ job: job?.id, attempt: job?.attemptsMade, err: error.message }, "job failed");
  });
  // Errors outside a job's own outcome (Redis trouble, a job's keys gone): into the node's log, not
  // to stderr, which is where BullMQ writes an error nobody listens for.
  worker.on("error", (error) => log.warn({ queue: worker.name, err: error.message }, "queue worker error"));
}
