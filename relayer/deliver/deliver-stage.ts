// The deliver stage on its BullMQ queue `deliver` (job per route and hand-on, id `deliver-<route tag>-<last
// transfer id>`): the route's designated node — or, after its fallback delay, the next one — takes the
// route's lock and drains the route's ready transfers (route-drain.ts) until none is left.
//
// Why one job per route rather than per transfer: a transfer's own job had to wait for the route's lock
// while another job's batch held it, and thousands of them did so at once under load (retrying with
// backoff, each with its own Redis reads and an RPC call), while the batches stayed small. A job now
// stands for "this route has work", and whoever holds the lock takes all of it.
import { DelayedError, Queue, Worker, type Job } from "bullmq";
import { destinationOfRoute, routeKey, routeTag } from "../../common/routes.ts";
import type { ObservedTransfer } from "../chains/adapter.ts";
import type { Designation } from "./designation.ts";
import { queueOptions, type DeliveryPipelineOptions, type FollowDelivery } from "../queues/options.ts";
import { logWorkerEvents, retryDecision } from "../queues/job-outcome.ts";
import { BUSY_RETRY_MS, routeJobBackoff } from "./backoff.ts";
import { RouteDrain } from "./route-drain.ts";
import { lockRoute } from "./route-lock.ts";

interface DeliverJob {
  /** The route (routeKey) with work. */
  route: string;
}

export class DeliverStage {
  readonly queue: Queue<DeliverJob>;
  private readonly o: DeliveryPipelineOptions;
  private readonly designation: Designation;
  private readonly drainer: RouteDrain;

  constructor(options: DeliveryPipelineOptions, designation: Designation, follow: FollowDelivery) {
    this.o = options;
    this.designation = designation;
    this.drainer = new RouteDrain(options, { follow, requeue: (...args) => this.requeue(...args) });
    this.queue = new Queue<DeliverJob>("deliver", {
      ...queueOptions(options),
      defaultJobOptions: {
        attempts: 50,
        // Exponential from 500 ms, but never more than MAX_RETRY_MS apart (a route must not wait hours).
        backoff: { type: "custom" },
        removeOnComplete: true,
        removeOnFail: false, // failed jobs stay: the dead-letter view
      },
    });
  }

  /** The stage's worker (closed by its owner). */
  startWorker(): Worker<DeliverJob> {
    const worker = new Worker<DeliverJob>("deliver", (job, token) => retryDecision(() => this.deliver(job, token)), {
      ...queueOptions(this.o),
      concurrency: this.o.concurrency ?? 4,
      settings: { backoffStrategy: routeJobBackoff },
    });
    logWorkerEvents(worker, this.o.log);
    return worker;
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
      opts: { jobId: `deliver-${routeTag(route)}-${lastId}`, delay: this.designation.delayFor(route) },
    }));
    if (jobs.length > 0) await this.queue.addBulk(jobs);
  }

  /** A route job `delayMs` from now (`why` makes its id). */
  async schedule(route: string, delayMs: number, why: string): Promise<void> {
    await this.queue.add("deliver", { route }, { jobId: `deliver-${routeTag(route)}-${why}`, delay: Math.max(0, delayMs) });
  }

  /**
   * A route job for when the route's next waiting transfer may be tried (by this node: after its
   * fallback delay), if one waits. Every drain ends with this, however it ended — done, failed, lock
   * lost — so no transfer left ready waits for a new one to come along.
   */
  async followUp(route: string): Promise<void> {
    const next = await this.o.store.nextReadyAt(route);
    if (next === null) return;
    const at = Math.max(next + this.designation.delayFor(route), Date.now() + BUSY_RETRY_MS);
    await this.schedule(route, at - Date.now(), `next-${at}`);
  }

  /** Sends transfers back to `deliver` as `status`, to be tried after a pause (limits refill, pauses end). */
  async requeue(route: string, ids: readonly string[], status: "finalized" | "delayed", detail: string, txHash?: string): Promise<void> {
    if (ids.length === 0) return;
    const readyAt = Date.now() + this.o.retryLaterMs;
    await this.o.store.transitionMany(ids, status, { detail, readyAt, ...(txHash ? { txHash } : {}) });
    await this.schedule(route, this.o.retryLaterMs + this.designation.delayFor(route), `later-${ids[0]}-${readyAt}`);
  }

  private async deliver(job: Job<DeliverJob>, token: string | undefined): Promise<void> {
    const { route } = job.data;
    const destination = this.o.destinations.get(destinationOfRoute(route));
    if (!destination) return;
    // Read again if old: a node rotated out of the destination's set leaves the route to its members (it
    // says so in /health); one rotated in takes its place among them.
    const set = await this.o.validatorSets?.current(destination);
    if (set && !set.member) return;
    const rank = this.designation.rank(route);
    const later = async (ms: number): Promise<never> => {
      await job.moveToDelayed(Date.now() + ms, token);
      throw new DelayedError(); // not a failure: the job waits, its attempts untouched
    };

    if (rank > 0) {
      // What this job stands for has waited this node's delay by now; if none of it is still waiting,
      // the nodes before it delivered it, and there is nothing to take over.
      const waited = await this.o.store.readyOnRoute(route, 1, Date.now() - rank * this.o.fallbackMs);
      if (waited.length === 0) return;
      if (await this.designation.designatedIsDelivering(route, rank)) await later(this.o.fallbackMs);
    }
    const lock = await lockRoute(this.o.redis, this.o.prefix, route, this.o.nodeId);
    if (!lock) await later(BUSY_RETRY_MS);
    try {
      await this.drainer.drain(route, destination, rank, lock!);
    } finally {
      await lock!.release().catch(() => undefined); // it expires by itself
      await this.followUp(route);
    }
  }
}
