// The stages after a transfer is final at its source, on BullMQ queues under the node's own prefix:
//
//   deliver  (job per transfer, id `deliver-<transferId>`): the route's designated node — or, after its
//            fallback delay, the next one — gathers the route's final, undelivered transfers into one
//            batch, has it signed by a threshold (its own key and its peers'), and submits it;
//   confirm  (job per transaction, id `confirm-<txHash>`): follows the transaction until final and
//            records each transfer completed, or sends it back to `deliver` (skipped over a limit,
//            transaction failed or vanished).
//
// Exactly once: the gateway delivers a transfer at most once, whoever submits it; this pipeline makes
// sure it is submitted at least once. Enqueueing is idempotent (job ids from transfer ids and tx hashes),
// a batch is built under a per-route lock (several processes of one node may run workers), and a
// transfer already delivered on chain is recorded completed instead of being sent again.
import { Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { toDeliveryArgs, type CompactSignature, type Transfer } from "../../common/transfer.ts";
import type { DestinationChain, ObservedTransfer } from "../chains/adapter.ts";
import { DeliveryRevertError, DeliveryTxUnknownError } from "../chains/evm/destination.ts";
import { RelayerError } from "../errors.ts";
import type { TransferRecord, TransferStore } from "../store/transfer-store.ts";
import { rankFor, routeKey } from "./routing.ts";

/** Produces at least `threshold` signatures over a batch, ordered by signer, or throws (retryable). */
export interface BatchSigner {
  sign(destination: DestinationChain, transfers: readonly Transfer[]): Promise<CompactSignature[]>;
}

export interface DeliveryPipelineOptions {
  nodeId: string;
  /** Every node of the bridge (this one included), by id: the order of designated deliverers. */
  nodeIds: readonly string[];
  connection: ConnectionOptions;
  /** BullMQ key prefix: the node's own. */
  prefix: string;
  redis: Redis;
  store: TransferStore;
  destinations: ReadonlyMap<bigint, DestinationChain>;
  signer: BatchSigner;
  maxBatch: number;
  /** How long each node in the order waits for the ones before it. */
  fallbackMs: number;
  /** How often a submitted transaction is checked for finality. */
  confirmPollMs: number;
  /** How long a transfer over a limit waits before it is tried again. */
  retryLaterMs: number;
  concurrency?: number;
  log: Logger;
  /** Told of each transfer this node's own delivery completed, with its record (for latency metrics). */
  onCompleted?(record: TransferRecord): void;
}

interface DeliverJob {
  id: string;
}

interface ConfirmJob {
  dstChainId: string;
  txHash: string;
  ids: string[];
}

class NotFinalYet extends RelayerError {
  constructor(txHash: string) {
    super("NOT_FINAL_YET", `${txHash} is not final yet`, true);
  }
}

class RouteBusy extends RelayerError {
  constructor(route: string) {
    super("ROUTE_BUSY", `another worker is building a batch for ${route}`, true);
  }
}

const ROUTE_LOCK_MS = 120_000;

/**
 * The one place that decides retry or give up: an error that says it is not retryable fails the job
 * at once (it lands in the dead-letter view); anything else is retried with the queue's backoff.
 */
async function retryDecision(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof RelayerError && !error.retryable) throw new UnrecoverableError(`${error.code}: ${error.message}`);
    throw error;
  }
}

export class DeliveryPipeline {
  private readonly o: DeliveryPipelineOptions;
  private readonly deliverQueue: Queue<DeliverJob>;
  private readonly confirmQueue: Queue<ConfirmJob>;
  private workers: Worker[] = [];

  constructor(options: DeliveryPipelineOptions) {
    this.o = options;
    const common = { connection: options.connection, prefix: options.prefix + "q" };
    this.deliverQueue = new Queue<DeliverJob>("deliver", {
      ...common,
      defaultJobOptions: {
        attempts: 50,
        backoff: { type: "exponential", delay: 500 },
        removeOnComplete: true,
        removeOnFail: false, // failed jobs stay: the dead-letter view
      },
    });
    this.confirmQueue = new Queue<ConfirmJob>("confirm", {
      ...common,
      defaultJobOptions: {
        attempts: 10_000,
        backoff: { type: "fixed", delay: options.confirmPollMs },
        removeOnComplete: true,
        removeOnFail: false,
      },
    });
  }

  /** Starts the workers of both stages. */
  start(): void {
    const common = { connection: this.o.connection, prefix: this.o.prefix + "q", concurrency: this.o.concurrency ?? 4 };
    this.workers = [
      new Worker<DeliverJob>("deliver", (job) => retryDecision(() => this.deliver(job)), common),
      new Worker<ConfirmJob>("confirm", (job) => retryDecision(() => this.confirm(job)), common),
    ];
    for (const worker of this.workers) {
      worker.on("failed", (job, error) =>
        this.o.log.warn({ job: job?.id, attempt: job?.attemptsMade, err: error.message }, "job failed"),
      );
      // Errors outside a job's own outcome (Redis trouble, a job's keys gone): into the node's log, not
      // to stderr, which is where BullMQ writes an error nobody listens for.
      worker.on("error", (error) => this.o.log.warn({ queue: worker.name, err: error.message }, "queue worker error"));
    }
  }

  /** Queues newly final transfers, each after this node's fallback delay for its route. */
  async enqueue(transfers: readonly ObservedTransfer[]): Promise<void> {
    const jobs = transfers
      .filter((o) => this.o.destinations.has(o.transfer.dstChainId))
      .map((o) => ({
        name: "deliver",
        data: { id: o.id },
        opts: { jobId: `deliver-${o.id}`, delay: this.delayFor(o.transfer) },
      }));
    if (jobs.length > 0) await this.deliverQueue.addBulk(jobs);
  }

  private delayFor(t: Transfer, extra = 0): number {
    return rankFor(routeKey(t), this.o.nodeId, this.o.nodeIds) * this.o.fallbackMs + extra;
  }

  /** Jobs that failed for good: the dead-letter view. */
  async deadLetters(): Promise<{ queue: string; id: string | undefined; reason: string; attempts: number }[]> {
    const failed = [...(await this.deliverQueue.getFailed()), ...(await this.confirmQueue.getFailed())];
    return failed.map((j) => ({ queue: j.queueName, id: j.id, reason: j.failedReason, attempts: j.attemptsMade }));
  }

  async queueDepth(): Promise<Record<string, number>> {
    const [deliver, confirm] = await Promise.all([
      this.deliverQueue.getJobCounts("waiting", "delayed", "active"),
      this.confirmQueue.getJobCounts("waiting", "delayed", "active"),
    ]);
    const sum = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
    return { deliver: sum(deliver), confirm: sum(confirm) };
  }

  // ----- deliver -----

  private async deliver(job: Job<DeliverJob>): Promise<void> {
    const { store } = this.o;
    const record = await store.get(job.data.id);
    if (!record || (record.status !== "finalized" && record.status !== "delayed")) return; // handled
    const head = record.observed.transfer;
    const destination = this.o.destinations.get(head.dstChainId);
    if (!destination) return;
    // Delivered already (by another node, or before a restart): nothing to send. The delivery watcher
    // records it completed once that delivery is final — or, if it read the delivery before this node
    // had the transfer at all, it left a note to complete it by here.
    if (await destination.isDelivered(head)) {
      const note = await store.deliveredUnseen(job.data.id);
      if (note !== null) await store.transition(job.data.id, "completed", { detail: note });
      return;
    }

    const route = routeKey(head);
    const lockKey = `${this.o.prefix}lock:route:${route}`;
    const token = `${this.o.nodeId}:${job.id}:${Date.now()}`;
    if ((await this.o.redis.set(lockKey, token, "PX", ROUTE_LOCK_MS, "NX")) !== "OK") throw new RouteBusy(route);
    try {
      const batch = await this.gatherBatch(route, job.data.id);
      if (batch.length === 0) return;
      const transfers = batch.map((o) => o.transfer);
      const signatures = await this.o.signer.sign(destination, transfers);
      for (const o of batch) await store.transition(o.id, "attested", { detail: `${signatures.length} signatures` });

      const { srcChainId, srcGateway, items } = toDeliveryArgs(transfers);
      let txHash: string;
      try {
        txHash = (await destination.submit({ srcChainId, srcGateway }, items, signatures)).txHash;
      } catch (error) {
        if (await this.onSubmitRefused(batch, error)) return;
        throw error;
      }
      for (const o of batch) await store.transition(o.id, "submitted", { txHash });
      await this.confirmQueue.add(
        "confirm",
        { dstChainId: destination.chainId.toString(), txHash, ids: batch.map((o) => o.id) },
        { jobId: `confirm-${txHash}` },
      );
    } finally {
      // Release the lock only if it is still ours.
      if ((await this.o.redis.get(lockKey)) === token) await this.o.redis.del(lockKey);
    }
  }

  /** The route's transfers ready for delivery (the job's own first), longest waiting first, at most maxBatch. */
  private async gatherBatch(route: string, firstId: string): Promise<ObservedTransfer[]> {
    const { store } = this.o;
    const waiting = await store.readyOnRoute(route, this.o.maxBatch);
    const ids = [firstId, ...waiting.filter((id) => id !== firstId)].slice(0, this.o.maxBatch);
    const ready: ObservedTransfer[] = [];
    for (const id of ids) {
      const record = await store.get(id);
      if (!record || (record.status !== "finalized" && record.status !== "delayed")) continue;
      if (routeKey(record.observed.transfer) !== route) continue;
      ready.push(record.observed);
    }
    return ready;
  }

  /**
   * A delivery the gateway would refuse was not sent: the batch goes back to where it was, `delayed` if
   * the refusal passes with time (a limit, a pause). Returns true when there is nothing left to do: the
   * transfer is delivered already (the delivery watcher records it completed once that is final).
   */
  private async onSubmitRefused(batch: readonly ObservedTransfer[], error: unknown): Promise<boolean> {
    const { store } = this.o;
    const detail = error instanceof Error ? error.message : String(error);
    const alreadyDelivered = error instanceof DeliveryRevertError && error.errorName === "AlreadyDelivered";
    const later = !alreadyDelivered && error instanceof RelayerError && error.retryable;
    for (const o of batch) await store.transition(o.id, later ? "delayed" : "finalized", { detail: `not sent: ${detail}` });
    return alreadyDelivered;
  }

  // ----- confirm -----

  private async confirm(job: Job<ConfirmJob>): Promise<void> {
    const { store } = this.o;
    const destination = this.o.destinations.get(BigInt(job.data.dstChainId));
    if (!destination) return;
    let receipt;
    try {
      receipt = await destination.finalReceipt(job.data.txHash);
    } catch (error) {
      if (!(error instanceof DeliveryTxUnknownError)) throw error;
      await this.settleUnknown(job.data.ids, destination);
      return;
    }
    if (!receipt) throw new NotFinalYet(job.data.txHash);

    const delivered = new Set(receipt.delivered);
    const retry: ObservedTransfer[] = [];
    for (const id of job.data.ids) {
      const record = await store.get(id);
      if (!record) continue;
      if (delivered.has(id)) {
        const { changed } = await store.transition(id, "completed", { txHash: receipt.txHash });
        if (changed && this.o.onCompleted) {
          const done = await store.get(id);
          if (done) this.o.onCompleted(done);
        }
        continue;
      }
      const skip = receipt.skipped.find((s) => s.id === id);
      if (skip?.reason === 0) {
        // The gateway had it delivered at a final block: by an earlier transaction, final too.
        await store.transition(id, "completed", { detail: "delivered by another transaction" });
      } else if (skip) {
        await store.transition(id, "delayed", { txHash: receipt.txHash, detail: `skipped (reason ${skip.reason})` });
        retry.push(record.observed);
      } else if (!(await destination.isDelivered(record.observed.transfer))) {
        await store.transition(id, "finalized", { txHash: receipt.txHash, detail: "transaction failed" });
        retry.push(record.observed);
      } // else: delivered by someone else since; the delivery watcher records it once final
    }
    await this.requeue(retry);
  }

  private async settleUnknown(ids: readonly string[], destination: DestinationChain): Promise<void> {
    const retry: ObservedTransfer[] = [];
    for (const id of ids) {
      const record = await this.o.store.get(id);
      if (!record) continue;
      if (await destination.isDelivered(record.observed.transfer)) {
        await this.o.store.transition(id, "completed", { detail: "delivered (transaction replaced)" });
      } else {
        await this.o.store.transition(id, "finalized", { detail: "transaction vanished" });
        retry.push(record.observed);
      }
    }
    await this.requeue(retry);
  }

  /** Sends transfers back to `deliver`, after a pause (limits refill, pauses end). */
  private async requeue(transfers: readonly ObservedTransfer[]): Promise<void> {
    for (const o of transfers) {
      // The transfer's earlier job was removed on completion, so its id is free again.
      await this.deliverQueue.add("deliver", { id: o.id }, { jobId: `deliver-${o.id}`, delay: this.o.retryLaterMs });
    }
  }

  /** After a restart: sends back to `deliver` what was left mid-way, and re-follows what was submitted. */
  async recover(): Promise<void> {
    const { store } = this.o;
    for (const id of await store.idsWithStatus("attested")) {
      await store.transition(id, "finalized", { detail: "resumed after a restart" });
    }
    const ready = [...(await store.idsWithStatus("finalized")), ...(await store.idsWithStatus("delayed"))];
    const records = (await Promise.all(ready.map((id) => store.get(id)))).filter((r) => r !== null);
    await this.enqueue(records.map((r) => r.observed));
    for (const id of await store.idsWithStatus("submitted")) {
      const record = await store.get(id);
      const submitted = record?.timeline.findLast((e) => e.status === "submitted");
      if (!record || !submitted?.txHash) continue;
      await this.confirmQueue.add(
        "confirm",
        { dstChainId: record.observed.transfer.dstChainId.toString(), txHash: submitted.txHash, ids: [id] },
        { jobId: `confirm-${submitted.txHash}-${id}` },
      );
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all([this.deliverQueue.close(), this.confirmQueue.close()]);
  }
}
