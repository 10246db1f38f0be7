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
import type { DestinationChain, ObservedTransfer } from "../chains/adapter.ts";
import { DeliveryRevertError, DeliveryTxUnknownError } from "../chains/evm/destination.ts";
import { RelayerError } from "../errors.ts";
import { READY_STATUSES, type TransferRecord, type TransferStore } from "../store/transfer-store.ts";
import { RouteLock } from "./route-lock.ts";
import { destinationOfRoute, rankFor, routeKey, routeTag } from "./routing.ts";

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
}

interface DeliverJob {
  /** The route (routeKey) with work. */
  route: string;
  /** For a job that proposes again what peers would not sign yet: how many such jobs came before. */
  again?: number;
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
/** How soon transfers a peer would not sign yet (not final there yet) are proposed again. */
const REFUSED_RETRY_MS = 400;
/** Batches of one route signed and submitted at once by one drain. */
const BATCHES_IN_FLIGHT = 3;
/** How often one drain proposes again a transfer that peers would not sign yet. */
const REFUSED_TRIES = 3;
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
      new Worker<DeliverJob>("deliver", (job, token) => retryDecision(() => this.deliver(job, token)), common),
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
  private async schedule(route: string, delayMs: number, why: string, again?: number): Promise<void> {
    const data: DeliverJob = again === undefined ? { route } : { route, again };
    await this.deliverQueue.add("deliver", data, { jobId: `deliver-${routeTag(route)}-${why}`, delay: delayMs });
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
    const lock = await RouteLock.acquire(this.o.redis, `${this.o.prefix}lock:route:${route}`, this.o.nodeId, ROUTE_LOCK_MS);
    if (!lock) await later(BUSY_RETRY_MS);
    try {
      await this.drain(route, destination, rank, lock!, job.data.again ?? 0);
    } finally {
      await lock!.release();
    }
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
   * for peers, for the chain), each transfer in one of them only; the payer orders their nonces.
   */
  private async drain(route: string, destination: DestinationChain, rank: number, lock: RouteLock, again: number): Promise<void> {
    // Transfers taken in this drain, and when each may be taken again: never while in a batch or when
    // found delivered; REFUSED_RETRY_MS after a peer would not sign it yet (it stays ready meanwhile),
    // up to REFUSED_TRIES times in one drain.
    const taken = new Map<string, number>();
    const refusals = new Map<string, number>();
    const inFlight = new Set<Promise<void>>();
    let failure: { error: unknown } | null = null;
    while (lock.held && failure === null) {
      if (inFlight.size >= BATCHES_IN_FLIGHT) {
        await Promise.race(inFlight);
        continue;
      }
      // A fallback node takes only what has waited its fallback delay; the rest is its betters' to send.
      const now = Date.now();
      const waiting = await this.o.store.readyOnRoute(route, this.o.maxBatch + taken.size, now - rank * this.o.fallbackMs);
      const ids = waiting.filter((id) => (taken.get(id) ?? 0) <= now).slice(0, this.o.maxBatch);
      if (ids.length === 0) {
        const retryAt = Math.min(...waiting.map((id) => taken.get(id)!).filter((at) => at > now && Number.isFinite(at)));
        if (inFlight.size === 0) {
          // Only transfers refused moments ago are left: try them again soon, here if nothing else is under way.
          if (!Number.isFinite(retryAt) || retryAt - now > REFUSED_RETRY_MS) break;
          await sleep(retryAt - now);
          continue;
        }
        await Promise.race(inFlight); // what those batches refuse may be ready again; and more may come
        continue;
      }
      for (const id of ids) taken.set(id, Number.POSITIVE_INFINITY);
      const batch: Promise<void> = this.deliverBatch(route, destination, rank, ids).then(
        (left) => {
          for (const id of left) {
            const times = (refusals.get(id) ?? 0) + 1;
            refusals.set(id, times);
            if (times < REFUSED_TRIES) taken.set(id, Date.now() + REFUSED_RETRY_MS);
          }
        },
        (error: unknown) => {
          failure ??= { error };
        },
      );
      inFlight.add(batch);
      void batch.finally(() => inFlight.delete(batch));
    }
    await Promise.all(inFlight);
    // Transfers a peer would not sign yet, still ready when the drain ended: propose them again soon,
    // and later each time it happens again (a transfer a peer never sees final must not spin).
    if (refusals.size > 0) {
      await this.schedule(route, REFUSED_RETRY_MS * 2 ** Math.min(again, 6), `again-${Date.now()}`, again + 1);
    }
    if (failure !== null) throw (failure as { error: unknown }).error;
  }

  /**
   * Signs and submits one batch of `ids` (those still ready). Returns the ids left ready for a later try
   * (peers have not seen them final yet).
   */
  private async deliverBatch(route: string, destination: DestinationChain, rank: number, ids: readonly string[]): Promise<string[]> {
    const { store } = this.o;
    const states = await store.getMany(ids);
    let batch = states.flatMap((s) => (s && READY.has(s.status) && routeKey(s.observed.transfer) === route ? [s.observed] : []));
    batch = await this.withoutDeliveredUnseen(batch);
    // Delivered already (by another node, or before a restart): nothing to send; the delivery watcher
    // records it completed once that delivery is final. A fallback node asks the chain first (it takes
    // over late, when the others may have delivered); the designated node asks only when a peer says so.
    if (rank > 0) batch = await this.withoutDelivered(batch, destination);
    if (batch.length === 0) return [];

    const signed = await this.signDropping(destination, batch);
    batch = signed.batch;
    if (batch.length === 0) return signed.left;
    const batchIds = batch.map((o) => o.id);
    await store.transitionMany(batchIds, "attested", { detail: `${signed.signatures.length} signatures` });

    const { srcChainId, srcGateway, items } = toDeliveryArgs(batch.map((o) => o.transfer));
    let txHash: string;
    try {
      txHash = (await destination.submit({ srcChainId, srcGateway }, items, signed.signatures)).txHash;
    } catch (error) {
      await this.onSubmitRefused(route, batchIds, error);
      return signed.left;
    }
    await store.transitionMany(batchIds, "submitted", { txHash });
    await this.confirmQueue.add("confirm", { dstChainId: destination.chainId.toString(), txHash, ids: batchIds }, { jobId: `confirm-${txHash}` });
    return signed.left;
  }

  /**
   * Signatures for `batch`, proposing it again without the transfers peers refused as delivered already
   * (all such, read from the chain) or not (yet) final where they are (that one and every later one,
   * newer still: left ready for the next try). Throws what signing threw when nothing can be dropped.
   */
  private async signDropping(
    destination: DestinationChain,
    proposed: readonly ObservedTransfer[],
  ): Promise<{ batch: ObservedTransfer[]; signatures: CompactSignature[]; left: string[] }> {
    let batch = [...proposed];
    const left: string[] = [];
    for (let round = 1; ; round++) {
      try {
        return { batch, signatures: await this.o.signer.sign(destination, batch.map((o) => o.transfer)), left };
      } catch (error) {
        if (!(error instanceof NotEnoughSignaturesError) || round >= MAX_SIGN_ROUNDS) throw error;
        const before = batch.length;
        const named = (reasons: readonly string[]) =>
          new Set(error.refusals.filter((r) => r.transferId && reasons.includes(r.reason)).map((r) => r.transferId!.toLowerCase()));
        if (named(["ALREADY_DELIVERED"]).size > 0) batch = await this.withoutDelivered(batch, destination);
        const notYet = named(["NOT_FINAL", "UNKNOWN_TRANSFER"]);
        const cut = batch.findIndex((o) => notYet.has(o.id.toLowerCase()));
        if (cut >= 0) {
          left.push(...batch.slice(cut).map((o) => o.id));
          batch = batch.slice(0, cut);
        }
        if (batch.length === before) throw error;
        this.o.log.info({ route: routeKey(proposed[0]!.transfer), proposed: before, now: batch.length, err: error.message }, "proposing the batch again without refused transfers");
        if (batch.length === 0) return { batch, signatures: [], left };
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
    await this.o.store.transitionMany(ids, "finalized", { detail });
    if (!alreadyDelivered) throw error;
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

    const states = await store.getMany(job.data.ids);
    const observedOf = new Map(states.flatMap((s) => (s ? [[s.observed.id, s.observed] as const] : [])));
    const known = job.data.ids.filter((id) => observedOf.has(id));
    const delivered = new Set(receipt.delivered);
    const completed = known.filter((id) => delivered.has(id));
    const results = await store.transitionMany(completed, "completed", { txHash: receipt.txHash });
    if (this.o.onCompleted) {
      const changed = completed.filter((_, i) => results[i]!.changed);
      for (const record of await store.getManyWithTimelines(changed)) if (record) this.o.onCompleted(record);
    }

    const delay: string[] = [];
    const again: string[] = [];
    for (const id of known) {
      if (delivered.has(id)) continue;
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
      await this.requeue(route, onRoute.map((o) => o.id), "finalized", "transaction vanished");
    }
  }

  /** Sends transfers back to `deliver` as `status`, to be tried after a pause (limits refill, pauses end). */
  private async requeue(route: string, ids: readonly string[], status: "finalized" | "delayed", detail: string, txHash?: string): Promise<void> {
    if (ids.length === 0) return;
    const readyAt = Date.now() + this.o.retryLaterMs;
    await this.o.store.transitionMany(ids, status, { detail, readyAt, ...(txHash ? { txHash } : {}) });
    await this.schedule(route, this.o.retryLaterMs + this.delayFor(route), `later-${ids[0]}-${readyAt}`);
  }

  /**
   * Sends back to `deliver` the transfers left `attested` by a drain that is gone (its process died):
   * a drain holds its route's lock from attesting a batch until it is submitted, so an attested transfer
   * on a route whose lock this process can take has no drain left. A route locked by a live drain (of
   * another process of this node) is left to it.
   */
  async resetOrphans(detail: string): Promise<void> {
    const { store } = this.o;
    const states = await store.getMany(await store.idsWithStatus("attested"));
    const byRoute = groupBy(
      states.flatMap((s) => (s?.status === "attested" ? [s.observed] : [])),
      (o) => routeKey(o.transfer),
    );
    for (const [route, observed] of byRoute) {
      const lock = await RouteLock.acquire(this.o.redis, `${this.o.prefix}lock:route:${route}`, this.o.nodeId, ROUTE_LOCK_MS);
      if (!lock) continue;
      try {
        // Read again under the lock: a drain may have submitted them and let go since the first read.
        const still = (await store.getMany(observed.map((o) => o.id))).flatMap((s) => (s?.status === "attested" ? [s.observed.id] : []));
        await store.transitionMany(still, "finalized", { detail });
      } finally {
        await lock.release();
      }
      if (this.o.destinations.has(destinationOfRoute(route))) await this.schedule(route, this.delayFor(route), `orphans-${Date.now()}`);
    }
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
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all([this.deliverQueue.close(), this.confirmQueue.close()]);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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
