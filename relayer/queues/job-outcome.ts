// What a stage's job outcome means to its queue: the one place that decides retry or give up, and where
// worker events are logged. Both stages' workers (deliver, confirm) run their jobs through it.
import { UnrecoverableError, type Worker } from "bullmq";
import type { Logger } from "pino";
import { BridgeError } from "../../common/errors.ts";

/**
 * The one place that decides retry or give up: an error that says it is not retryable fails the job
 * at once (it lands in the dead-letter view); anything else is retried with the queue's backoff.
 */
export async function retryDecision(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof BridgeError && !error.retryable) throw new UnrecoverableError(`${error.code}: ${error.message}`);
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
