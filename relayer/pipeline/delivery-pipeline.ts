// The stages after a transfer is final at its source, on BullMQ queues under the node's own prefix:
//
//   deliver  (job per route and hand-on, id `deliver-<route tag>-<last transfer id>`): the route's
//            designated node — or, after its fallback delay, the next one — takes the route's lock and
//            drains the route's ready transfers: batches of at most maxBatch, each signed by a threshold
//            (its own key and its peers') and submitted, until none is left;
//   confirm  (job per transaction, id `confirm-<txHash>`): follows the transaction until final and
//            records each transfer completed, or sends it back to `deliver` (skipped over a limit,
//            transaction failed or vanished).
//
// Exactly once: the gateway delivers a transfer at most once, whoever submits it; this pipeline makes
// sure it is submitted at least once. Enqueueing is idempotent (job ids from transfer ids and tx hashes),
// batches are built under a per-route lock (several processes of one node may run workers), and a
// transfer already delivered on chain is recorded completed instead of being sent again.
//
// Why one job per route rather than per transfer: a transfer's own job had to wait for the route's lock
// while another job's batch held it, and thousands of them did so at once under load (retrying with
// backoff, each with its own Redis reads and an RPC call), while the batches stayed small. A job now
// stands for "this route has work", and whoever holds the lock takes all of it.
import { DelayedError, Queue, UnrecoverableError, Worker, type ConnectionOptions, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { toDeliveryArgs, type CompactSignature, type Transfer } from "../../common/transfer.ts";
import type { DestinationChain, ObservedTransfer, SourceChain } from "../chains/adapter.ts";
import { DeliveryRevertError, DeliveryTxUnknownError } from "../chains/evm/destination.ts";
import { RelayerError } from "../errors.ts";
import { READY_STATUSES, type TransferRecord, type TransferStore } from "../store/transfer-store.ts";
import { RouteLock } from "./route-lock.ts";
import { rankFor } from "./routing.ts";
import { destinationOfRoute, routeKey, routeTag } from "../../common/routes.ts";
import { sleep } from "../../common/async.ts";

/** Produces at least `threshold` signatures over a batch, ordered by signer, or throws (retryable);
 * NotEnoughSignaturesError when peers would not co-sign, naming what they refused. */
export interface BatchSigner {
  sign(destination: DestinationChain, transfers: readonly Transfer[]): Promise<CompactSignature[]>;
}

/** A peer's refusal of one transfer of a batch (cosigner REFUSAL_REASONS). */
export interface Refusal {
  peer: string;
  reason: string;
  transferId?: string;
}

export class NotEnoughSignaturesError extends RelayerError {
  readonly refusals: readonly Refusal[];

  constructor(destination: string, held: number, needed: number, failures: string, refusals: readonly Refusal[] = []) {
    super("NOT_ENOUGH_SIGNATURES", `${destination}: ${held} of ${needed} signatures (${failures})`, true);
    this.refusals = refusals;
  }
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
  /** After this many refusals by peers a transfer is checked at its source and, still there, taken out
   * of the ready set as stuck (it would hold back every batch it is in). Default 20. */
  maxRefusals?: number;
  /** The source chains, by chain id: where a transfer refused too often is checked again. */
  sources?: ReadonlyMap<bigint, SourceChain>;
  /** How often transfers left `attested` by a drain that died are looked for (default 10 s). */
  attestedSweepMs?: number;
  /** How long a transfer stays `attested` before a sweep may send it back, its route unlocked (default
   * 60 s: a drain killed after broadcasting but before recording `submitted` leaves a transaction that
   * may still be mined; the longer wait lets it be, rather than sending the batch again at once). */
  attestedTimeoutMs?: number;
}

interface DeliverJob {
  /** The route (routeKey) with work. */
  route: string;
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

/** The route lock's lifetime unless its holder renews it (it does, while it works). */
const ROUTE_LOCK_MS = 10_000;
/** How soon a route job that found the route locked looks again (the holder may finish before our work came in). */
const BUSY_RETRY_MS = 200;
/** How soon a transfer peers refused is proposed again the first time; doubled for each refusal since. */
const REFUSED_RETRY_MS = 400;
/** How soon the transfers of a batch that failed are tried again the first time; doubled each time. */
const FAILED_RETRY_MS = 1_000;
/** The longest a refused or failed transfer waits before its next try (and a route job's backoff). */
const MAX_RETRY_MS = 60_000;
/** Batches of one route signed and submitted at once by one drain. */
const BATCHES_IN_FLIGHT = 3;
/** Refusals of a transfer before it is checked at its source and parked as stuck. */
const MAX_REFUSALS = 20;
/** Rounds of signing one batch, each without what peers refused in the one before. */
const MAX_SIGN_ROUNDS = 4;
/** While the route's designated node is delivering, a fallback node takes over only transfers that have
 * waited this many times its own fallback delay (it still takes over if the route stands still). */
const TAKEOVER_PATIENCE = 3;

const READY = new Set(READY_STATUSES);

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
  private sweeper: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(options: DeliveryPipelineOptions) {
    this.o = options;
    const common = { connection: options.connection, prefix: options.prefix + "q" };
    this.deliverQueue = new Queue<DeliverJob>("deliver", {
      ...common,
      defaultJobOptions: {
        attempts: 50,
        // Exponential from 500 ms, but never more than MAX_RETRY_MS apart (a route must not wait hours).
        backoff: { type: "custom" },
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
      new Worker<DeliverJob>("deliver", (job, token) => retryDecision(() => this.deliver(job, token)), {
        ...common,
        settings: { backoffStrategy: (attemptsMade: number) => Math.min(MAX_RETRY_MS, 500 * 2 ** Math.max(0, attemptsMade - 1)) },
      }),
      new Worker<ConfirmJob>("confirm", (job) => retryDecision(() => this.confirm(job)), common),
    ];
    for (const worker of this.workers) {
      worker.on("failed", (job, error) => {
        // A confirm job polls by failing until its transaction is final: expected, so not a warning.
        const level = error instanceof NotFinalYet ? "debug" : "warn";
        this.o.log[level]({ job: job?.id, attempt: job?.attemptsMade, err: error.message }, "job failed");
      });
      // Errors outside a job's own outcome (Redis trouble, a job's keys gone): into the node's log, not
      // to stderr, which is where BullMQ writes an error nobody listens for.
      worker.on("error", (error) => this.o.log.warn({ queue: worker.name, err: error.message }, "queue worker error"));
    }
    this.sweeper = setInterval(() => {
      this.sweeping ??= this.sweepAttested()
        .then(() => undefined)
        .catch((error: unknown) => this.o.log.warn({ err: String(error) }, "sweep of attested transfers failed"))
        .finally(() => (this.sweeping = null));
    }, this.o.attestedSweepMs ?? 10_000);
    this.sweeper.unref();
  }

  /** Queues newly final transfers: one job per route, after this node's fallback delay for the route. */
  async enqueue(transfers: readonly ObservedTransfer[]): Promise<void> {
    const lastByRoute = new Map<string, string>();
    for (const o of transfers) {
      if (this.o.destinations.has(o.transfer.dstChainId)) lastByRoute.set(routeKey(o.transfer), o.id);
    }
    const jobs = [...lastByRoute].map(([route, lastId]) => ({
      name: "deliver",
      data: { route },
      // Handing the same transfers on again (a range read again) makes the same job: added once.
      opts: { jobId: `deliver-${routeTag(route)}-${lastId}`, delay: this.delayFor(route) },
    }));
    if (jobs.length > 0) await this.deliverQueue.addBulk(jobs);
  }

  private delayFor(route: string): number {
    return rankFor(route, this.o.nodeId, this.o.nodeIds) * this.o.fallbackMs;
  }

  /** A route job `delayMs` from now (`why` makes its id). */
  private async schedule(route: string, delayMs: number, why: string): Promise<void> {
    await this.deliverQueue.add("deliver", { route }, { jobId: `deliver-${routeTag(route)}-${why}`, delay: Math.max(0, delayMs) });
  }

  /**
   * A route job for when the route's next waiting transfer may be tried (by this node: after its
   * fallback delay), if one waits. Every drain ends with this, however it ended — done, failed, lock
   * lost — so no transfer left ready waits for a new one to come along.
   */
  private async followUp(route: string): Promise<void> {
    const next = await this.o.store.nextReadyAt(route);
    if (next === null) return;
    const at = Math.max(next + this.delayFor(route), Date.now() + BUSY_RETRY_MS);
    await this.schedule(route, at - Date.now(), `next-${at}`);
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

  private async deliver(job: Job<DeliverJob>, token: string | undefined): Promise<void> {
    const { route } = job.data;
    const destination = this.o.destinations.get(destinationOfRoute(route));
    if (!destination) return;
    const rank = rankFor(route, this.o.nodeId, this.o.nodeIds);
    const later = async (ms: number): Promise<never> => {
      await job.moveToDelayed(Date.now() + ms, token);
      throw new DelayedError(); // not a failure: the job waits, its attempts untouched
    };

    if (rank > 0) {
      // What this job stands for has waited this node's delay by now; if none of it is still waiting,
      // the nodes before it delivered it, and there is nothing to take over.
      const waited = await this.o.store.readyOnRoute(route, 1, Date.now() - rank * this.o.fallbackMs);
      if (waited.length === 0) return;
      if (await this.designatedIsDelivering(route, rank)) await later(this.o.fallbackMs);
    }
    const lock = await RouteLock.acquire(this.o.redis, this.lockKey(route), this.o.nodeId, ROUTE_LOCK_MS);
    if (!lock) await later(BUSY_RETRY_MS);
    try {
      await this.drain(route, destination, rank, lock!);
    } finally {
      await lock!.release().catch(() => undefined); // it expires by itself
      await this.followUp(route);
    }
  }

  private lockKey(route: string): string {
    return `${this.o.prefix}lock:route:${route}`;
  }

  /**
   * For a fallback node: whether to leave the route to the nodes before it for now. It does while the
   * route is moving — within the last fallback delay a transfer on it completed, or this node co-signed
   * a batch of it for a peer — and nothing has waited much longer than this node's own delay; it takes
   * over a route that stands still, or whose deliverer proposes without delivering.
   */
  private async designatedIsDelivering(route: string, rank: number): Promise<boolean> {
    const now = Date.now();
    const lastProgress = await this.o.store.lastProgressOn(route);
    if (lastProgress === null || lastProgress < now - this.o.fallbackMs) return false;
    const overdue = await this.o.store.readyOnRoute(route, 1, now - rank * this.o.fallbackMs * TAKEOVER_PATIENCE);
    return overdue.length === 0;
  }

  /**
   * Batches of the route's ready transfers (longest waiting first) until none is left, under the lock.
   * Up to BATCHES_IN_FLIGHT batches are signed and submitted at once (a batch's time is mostly waiting:
   * for peers, for the chain), each transfer in one of them only; the payer orders their nonces. A batch
   * that fails, or a transfer peers refuse, goes back to the ready set to be tried later (each time
   * later, up to MAX_RETRY_MS): it never stops the drain, so it never holds back the rest of the route.
   */
  private async drain(route: string, destination: DestinationChain, rank: number, lock: RouteLock): Promise<void> {
    // When each transfer was taken into a batch (Infinity while the batch is under way): a transfer is
    // taken again in this drain only if its batch gave it a new time to be tried (refused, failed).
    const taken = new Map<string, number>();
    const inFlight = new Set<Promise<void>>();
    while (lock.held) {
      if (inFlight.size >= BATCHES_IN_FLIGHT) {
        await Promise.race(inFlight);
        continue;
      }
      // A fallback node takes only what has waited its fallback delay; the rest is its betters' to send.
      const now = Date.now();
      const waiting = await this.o.store.readyOnRouteWithTimes(route, this.o.maxBatch + taken.size, now - rank * this.o.fallbackMs);
      const ids = waiting
        .filter((w) => w.readyAt > (taken.get(w.id) ?? -Infinity))
        .map((w) => w.id)
        .slice(0, this.o.maxBatch);
      if (ids.length === 0) {
        if (inFlight.size > 0) {
          await Promise.race(inFlight); // what those batches leave may be ready again; and more may come
          continue;
        }
        // Only transfers to be tried moments from now are left: wait for them here (the follow-up job
        // takes anything later, or anything this drain will not take again).
        const next = await this.o.store.nextReadyAt(route);
        const wait = next === null ? Infinity : next + rank * this.o.fallbackMs - Date.now();
        if (wait <= 0 || wait > REFUSED_RETRY_MS * 2) break;
        await sleep(Math.max(10, wait));
        continue;
      }
      for (const id of ids) taken.set(id, Number.POSITIVE_INFINITY);
      const takenAt = Date.now();
      const batch: Promise<void> = this.deliverBatch(route, destination, rank, ids)
        .catch((error: unknown) => this.onBatchFailed(route, ids, error))
        .catch((error: unknown) => {
          // Even putting them back failed (Redis away): they stay where they are; the attested sweep
          // and the follow-up job take them up again.
          this.o.log.warn({ route, err: String(error) }, "a failed batch could not be put back");
        })
        .finally(() => {
          for (const id of ids) taken.set(id, takenAt);
          inFlight.delete(batch);
        });
      inFlight.add(batch);
    }
    await Promise.all(inFlight);
  }

  /**
   * A batch failed (signing, or a submission the gateway would refuse, or Redis): its transfers still
   * to be delivered go back to the ready set, tried again later each time it happens — recorded in
   * their timelines — while the drain goes on with the rest.
   */
  private async onBatchFailed(route: string, ids: readonly string[], error: unknown): Promise<void> {
    const { store } = this.o;
    const message = error instanceof Error ? error.message : String(error);
    const states = await store.getMany(ids);
    const left = ids.filter((_, i) => {
      const status = states[i]?.status;
      return status === "attested" || (status !== undefined && READY.has(status));
    });
    if (left.length === 0) return;
    const failures = await store.countFailures(left);
    const backoff = Math.min(MAX_RETRY_MS, FAILED_RETRY_MS * 2 ** Math.min(16, Math.min(...failures) - 1));
    const readyAt = Date.now() + backoff;
    const detail = `batch failed, tried again in ${backoff} ms: ${message}`;
    const level = error instanceof RelayerError && error.retryable ? "warn" : "error";
    this.o.log[level](
      { route, transfers: left.length, err: message, retryInMs: backoff },
      "batch failed; its transfers are tried again later",
    );
    // attested → finalized, or a ready one stays ready: either way at `readyAt`, with the failure in its timeline.
    const statusOf = new Map(states.flatMap((s) => (s ? [[s.observed.id, s.status] as const] : [])));
    await store.transitionMany(
      left.filter((id) => statusOf.get(id) === "attested"),
      "finalized",
      { detail, readyAt, from: ["attested"] },
    );
    for (const status of READY_STATUSES) {
      await store.transitionMany(
        left.filter((id) => statusOf.get(id) === status),
        status,
        { detail, readyAt, again: true },
      );
    }
  }

  /**
   * Signs and submits one batch of `ids` (those still ready). Transfers peers refused, and transfers
   * found delivered already (left for the delivery watcher to record), stay ready with a later time.
   */
  private async deliverBatch(route: string, destination: DestinationChain, rank: number, ids: readonly string[]): Promise<void> {
    const { store } = this.o;
    const states = await store.getMany(ids);
    let batch = states.flatMap((s) => (s && READY.has(s.status) && routeKey(s.observed.transfer) === route ? [s.observed] : []));
    if (batch.length < ids.length) await store.unindexNotReady(route, ids);
    const statusOf = new Map(states.flatMap((s) => (s ? [[s.observed.id, s.status] as const] : [])));
    batch = await this.withoutDeliveredUnseen(batch);
    // Delivered already (by another node, or before a restart): nothing to send; the delivery watcher
    // records it completed once that delivery is final. A fallback node asks the chain first (it takes
    // over late, when the others may have delivered); the designated node asks only when a peer says so.
    const proposed = batch;
    let refused = new Map<string, unknown>();
    if (rank > 0) batch = await this.withoutDelivered(batch, destination);
    if (batch.length > 0) {
      const signed = await this.signDropping(destination, batch);
      refused = signed.refused;
      await this.onRefused(route, signed.refused, statusOf);
      batch = signed.batch;
      if (batch.length > 0) await this.submitSigned(route, destination, batch, signed.signatures);
    }
    // Found delivered by someone else: looked at again after a while (the watcher completes it meanwhile).
    const sent = new Set([...batch.map((o) => o.id), ...refused.keys()]);
    const delivered = proposed.filter((o) => !sent.has(o.id));
    const stillReady = (await store.getMany(delivered.map((o) => o.id))).flatMap((s) => (s && READY.has(s.status) ? [s] : []));
    for (const status of READY_STATUSES) {
      const inIt = stillReady.filter((s) => s.status === status).map((s) => s.observed.id);
      await store.transitionMany(inIt, status, {
        readyAt: Date.now() + this.o.retryLaterMs,
        again: true,
        detail: "delivered already; looked at again later",
      });
    }
  }

  private async submitSigned(
    route: string,
    destination: DestinationChain,
    batch: readonly ObservedTransfer[],
    signatures: CompactSignature[],
  ): Promise<void> {
    const { store } = this.o;
    const batchIds = batch.map((o) => o.id);
    // Only from a ready status: a drain that lost its route lock without knowing (renewals failing while
    // Redis was away) must not drag transfers another drain has since submitted back to `attested`.
    const moved = await store.transitionMany(batchIds, "attested", { detail: `${signatures.length} signatures`, from: READY_STATUSES });
    if (moved.some((r) => !r.changed)) {
      const taken = moved.flatMap((r, i) => (r.changed ? [batchIds[i]!] : []));
      await store.transitionMany(taken, "finalized", {
        detail: "batch given up: some of it was taken by another delivery",
        from: ["attested"],
      });
      this.o.log.warn({ route, transfers: batchIds.length }, "batch given up: some of its transfers were no longer waiting");
      return;
    }
    const { srcChainId, srcGateway, items } = toDeliveryArgs(batch.map((o) => o.transfer));
    let txHash: string;
    try {
      txHash = (await destination.submit({ srcChainId, srcGateway }, items, signatures)).txHash;
    } catch (error) {
      await this.onSubmitRefused(route, batchIds, error);
      return;
    }
    await store.transitionMany(batchIds, "submitted", { txHash });
    await this.confirmQueue.add(
      "confirm",
      { dstChainId: destination.chainId.toString(), txHash, ids: batchIds },
      { jobId: `confirm-${txHash}` },
    );
  }

  /**
   * Transfers peers refused (not final or unknown where they are, or refused outright): each stays ready,
   * proposed again later each time it is refused; after maxRefusals it is checked at its source and, as it
   * will likely never be signed, parked as stuck — out of the ready set, in the store's stuck list.
   */
  private async onRefused(
    route: string,
    refused: ReadonlyMap<string, { observed: ObservedTransfer; reason: string }>,
    statusOf: ReadonlyMap<string, string>,
  ): Promise<void> {
    if (refused.size === 0) return;
    const { store } = this.o;
    const ids = [...refused.keys()];
    const counts = await store.countRefusals(ids);
    const max = this.o.maxRefusals ?? MAX_REFUSALS;
    for (const [i, id] of ids.entries()) {
      const { observed, reason } = refused.get(id)!;
      const times = counts[i]!;
      if (times >= max) {
        const why = `refused ${times} times by peers (last: ${reason}); ${await this.sourceVerdict(observed)}`;
        if (await store.markStuck(id, why)) {
          await store.forgetRefusals([id]);
          this.o.log.error({ route, transferId: id, why }, "transfer parked as stuck: peers keep refusing it");
        }
        continue;
      }
      const status = statusOf.get(id);
      if (status !== "finalized" && status !== "delayed") continue;
      const wait = Math.min(MAX_RETRY_MS, REFUSED_RETRY_MS * 2 ** Math.min(16, times - 1));
      await store.transition(id, status, {
        readyAt: Date.now() + wait,
        again: true,
        detail: `refused by peers (${reason}); proposed again in ${wait} ms`,
      });
    }
  }

  /** What the transfer's source chain says of it now, for the stuck list. */
  private async sourceVerdict(observed: ObservedTransfer): Promise<string> {
    const source = this.o.sources?.get(observed.transfer.srcChainId);
    if (!source) return "its source is not checked by this node";
    try {
      const hash = await source.blockHash(observed.blockNumber);
      if (hash === null || hash.toLowerCase() !== observed.blockHash.toLowerCase()) {
        return `its source block ${observed.blockNumber} (${observed.blockHash}) is no longer in the chain: removed after finality`;
      }
      return `its source block ${observed.blockNumber} is still in the chain`;
    } catch (error) {
      return `its source could not be checked: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  /**
   * Signatures for `batch`, proposing it again without each transfer peers refused: delivered already
   * (all such, read from the chain), or any other refusal naming a transfer (only that one; returned in
   * `refused`). Throws what signing threw when nothing can be dropped.
   */
  private async signDropping(
    destination: DestinationChain,
    proposed: readonly ObservedTransfer[],
  ): Promise<{
    batch: ObservedTransfer[];
    signatures: CompactSignature[];
    refused: Map<string, { observed: ObservedTransfer; reason: string }>;
  }> {
    let batch = [...proposed];
    const refused = new Map<string, { observed: ObservedTransfer; reason: string }>();
    for (let round = 1; ; round++) {
      try {
        return {
          batch,
          signatures: await this.o.signer.sign(
            destination,
            batch.map((o) => o.transfer),
          ),
          refused,
        };
      } catch (error) {
        if (!(error instanceof NotEnoughSignaturesError) || round >= MAX_SIGN_ROUNDS) throw error;
        const before = batch.length;
        const named = (reasons: readonly string[] | null) =>
          new Map(
            error.refusals
              .filter((r) => r.transferId && (reasons === null ? r.reason !== "ALREADY_DELIVERED" : reasons.includes(r.reason)))
              .map((r) => [r.transferId!.toLowerCase(), r.reason] as const),
          );
        if (named(["ALREADY_DELIVERED"]).size > 0) batch = await this.withoutDelivered(batch, destination);
        const others = named(null);
        for (const o of batch) {
          const reason = others.get(o.id.toLowerCase());
          if (reason !== undefined) refused.set(o.id, { observed: o, reason });
        }
        batch = batch.filter((o) => !others.has(o.id.toLowerCase()));
        if (batch.length === before) throw error;
        this.o.log.info(
          { route: routeKey(proposed[0]!.transfer), proposed: before, now: batch.length, err: error.message },
          "proposing the batch again without refused transfers",
        );
        if (batch.length === 0) return { batch, signatures: [], refused };
      }
    }
  }

  /** `batch` without the transfers the destination has delivered already. */
  private async withoutDelivered(batch: readonly ObservedTransfer[], destination: DestinationChain): Promise<ObservedTransfer[]> {
    const delivered = await Promise.all(batch.map((o) => destination.isDelivered(o.transfer)));
    return batch.filter((_, i) => !delivered[i]);
  }

  /**
   * Completes the transfers of `batch` the delivery watcher saw delivered before this node had them
   * (its note: it has moved past that delivery since), and returns the rest.
   */
  private async withoutDeliveredUnseen(batch: readonly ObservedTransfer[]): Promise<ObservedTransfer[]> {
    const notes = await this.o.store.deliveredUnseenMany(batch.map((o) => o.id));
    await Promise.all(batch.flatMap((o, i) => (notes[i] ? [this.o.store.transition(o.id, "completed", { detail: notes[i] })] : [])));
    return batch.filter((_, i) => !notes[i]);
  }

  /**
   * A delivery the gateway would refuse was not sent: the batch goes back to where it was, `delayed` if
   * the refusal passes with time (a limit, a pause; tried again after retryLaterMs). A refusal because a
   * transfer is delivered already leaves it for the delivery watcher to record; anything else fails the
   * job (retried with backoff, or dead-lettered).
   */
  private async onSubmitRefused(route: string, ids: readonly string[], error: unknown): Promise<void> {
    const detail = `not sent: ${error instanceof Error ? error.message : String(error)}`;
    const alreadyDelivered = error instanceof DeliveryRevertError && error.errorName === "AlreadyDelivered";
    const later = !alreadyDelivered && error instanceof RelayerError && error.retryable;
    if (later) {
      await this.requeue(route, ids, "delayed", detail);
      return;
    }
    if (!alreadyDelivered) throw error; // onBatchFailed puts them back, to be tried later
    await this.o.store.transitionMany(ids, "finalized", { detail, readyAt: Date.now() + this.o.retryLaterMs, from: ["attested"] });
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
      await this.settleUnknown(await this.stillOn(job.data.ids, job.data.txHash), destination);
      return;
    }
    if (!receipt) throw new NotFinalYet(job.data.txHash);

    const states = await store.getMany(job.data.ids);
    const observedOf = new Map(states.flatMap((s) => (s ? [[s.observed.id, s.observed] as const] : [])));
    const known = job.data.ids.filter((id) => observedOf.has(id));
    const delivered = new Set(receipt.delivered);
    const completed = known.filter((id) => delivered.has(id));
    const results = await store.transitionMany(completed, "completed", { txHash: receipt.txHash, ownDelivery: true });
    await store.forgetRefusals(completed); // and failures
    if (this.o.onCompleted) {
      const changed = completed.filter((_, i) => results[i]!.changed);
      for (const record of await store.getManyWithTimelines(changed)) if (record) this.o.onCompleted(record);
    }

    const delay: string[] = [];
    const again: string[] = [];
    // A late or duplicate job of an older transaction must not move a transfer sent again since.
    const current = new Set(await this.stillOn(known, job.data.txHash));
    for (const id of known) {
      if (delivered.has(id) || !current.has(id)) continue;
      const skip = receipt.skipped.find((s) => s.id === id);
      if (skip?.reason === 0) {
        // The gateway had it delivered at a final block: by an earlier transaction, final too.
        await store.transition(id, "completed", { detail: "delivered by another transaction" });
      } else if (skip) {
        delay.push(id);
      } else if (!(await destination.isDelivered(observedOf.get(id)!.transfer))) {
        again.push(id);
      } // else: delivered by someone else since; the delivery watcher records it once final
    }
    for (const [ids, status, detail] of [
      [delay, "delayed", `skipped (tx ${receipt.txHash})`],
      [again, "finalized", `transaction failed (tx ${receipt.txHash})`],
    ] as const) {
      for (const [route, onRoute] of groupBy(ids, (id) => routeKey(observedOf.get(id)!.transfer))) {
        await this.requeue(route, onRoute, status, detail, receipt.txHash);
      }
    }
  }

  /**
   * Of `ids`, those whose delivery under way is still `txHash`: `submitted`, with that hash in their last
   * `submitted` entry. (A replacement keeps the first hash: the payer follows it under that one.)
   */
  private async stillOn(ids: readonly string[], txHash: string): Promise<string[]> {
    const records = await this.o.store.getManyWithTimelines(ids);
    return records.flatMap((r) => {
      if (!r || r.status !== "submitted") return [];
      const last = r.timeline.findLast((e) => e.status === "submitted");
      return last?.txHash?.toLowerCase() === txHash.toLowerCase() ? [r.observed.id] : [];
    });
  }

  private async settleUnknown(ids: readonly string[], destination: DestinationChain): Promise<void> {
    const states = await this.o.store.getMany(ids);
    const retry: ObservedTransfer[] = [];
    for (const state of states) {
      if (!state) continue;
      if (await destination.isDelivered(state.observed.transfer)) {
        await this.o.store.transition(state.observed.id, "completed", { detail: "delivered (transaction replaced)" });
      } else {
        retry.push(state.observed);
      }
    }
    for (const [route, onRoute] of groupBy(retry, (o) => routeKey(o.transfer))) {
      await this.requeue(
        route,
        onRoute.map((o) => o.id),
        "finalized",
        "transaction vanished",
      );
    }
  }

  /** Sends transfers back to `deliver` as `status`, to be tried after a pause (limits refill, pauses end). */
  private async requeue(
    route: string,
    ids: readonly string[],
    status: "finalized" | "delayed",
    detail: string,
    txHash?: string,
  ): Promise<void> {
    if (ids.length === 0) return;
    const readyAt = Date.now() + this.o.retryLaterMs;
    await this.o.store.transitionMany(ids, status, { detail, readyAt, ...(txHash ? { txHash } : {}) });
    await this.schedule(route, this.o.retryLaterMs + this.delayFor(route), `later-${ids[0]}-${readyAt}`);
  }

  /**
   * Sends back to `deliver` the transfers left `attested` by a drain that is gone (an error between the
   * attested and the submitted write, a process of this node that died). A drain holds its route's lock
   * from attesting a batch until the batch is submitted or put back, so an attested transfer on a route
   * whose lock this process can take has no drain left; a route locked by a live drain (of this or
   * another process of the node) is left to it. Only transfers attested before `olderThan` (ms) move.
   */
  async resetOrphans(detail: string, olderThan = Number.POSITIVE_INFINITY): Promise<number> {
    const { store } = this.o;
    const states = await store.getMany(await store.idsWithStatus("attested"));
    const byRoute = groupBy(
      states.flatMap((s) => (s?.status === "attested" && s.updatedAt < olderThan ? [s.observed] : [])),
      (o) => routeKey(o.transfer),
    );
    let moved = 0;
    for (const [route, observed] of byRoute) {
      const lock = await RouteLock.acquire(this.o.redis, this.lockKey(route), this.o.nodeId, ROUTE_LOCK_MS);
      if (!lock) continue;
      try {
        // Read again under the lock: a drain may have submitted them and let go since the first read.
        const still = (await store.getMany(observed.map((o) => o.id))).flatMap((s) => (s?.status === "attested" ? [s.observed.id] : []));
        const results = await store.transitionMany(still, "finalized", { detail, from: ["attested"] });
        moved += results.filter((r) => r.changed).length;
      } finally {
        await lock.release();
      }
      if (this.o.destinations.has(destinationOfRoute(route))) await this.followUp(route);
    }
    return moved;
  }

  /** The periodic form of resetOrphans: what has been attested for longer than attestedTimeoutMs. */
  async sweepAttested(now = Date.now()): Promise<number> {
    const moved = await this.resetOrphans(
      "left attested by a delivery that did not finish; tried again",
      now - (this.o.attestedTimeoutMs ?? 60_000),
    );
    if (moved > 0) this.o.log.warn({ transfers: moved }, "transfers left attested sent back to delivery");
    return moved;
  }

  /** After a (re)start: sends back to `deliver` what was left mid-way, and re-follows what was submitted. */
  async recover(): Promise<void> {
    const { store } = this.o;
    await this.resetOrphans("resumed after a restart");
    for (const route of await store.readyRoutes()) {
      if (this.o.destinations.has(destinationOfRoute(route))) await this.schedule(route, this.delayFor(route), `recover-${Date.now()}`);
    }
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
    if (this.sweeper) clearInterval(this.sweeper);
    await this.sweeping;
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all([this.deliverQueue.close(), this.confirmQueue.close()]);
  }
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
