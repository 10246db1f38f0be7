// The confirm stage on its BullMQ queue `confirm` (job per transaction, id `confirm-<txHash>`): follows a
// delivery transaction until final and records each of its transfers completed, or sends it back to
// `deliver` (skipped over a limit, transaction failed or vanished).
import { Queue, Worker, type Job } from "bullmq";
import { groupBy } from "../../common/group-by.ts";
import { routeKey } from "../../common/routes.ts";
import { SkipReason, type DestinationChain, type ObservedTransfer } from "../chains/adapter.ts";
import { DeliveryTxUnknownError } from "../chains/delivery-errors.ts";
import { RelayerError } from "../errors.ts";
import { queueOptions, type DeliveryPipelineOptions, type Requeue } from "../queues/options.ts";
import { logWorkerEvents, retryDecision } from "../queues/job-outcome.ts";
import { recordFailingAlone } from "../deliver/failing.ts";

interface ConfirmJob {
  dstChainId: string;
  txHash: string;
  ids: string[];
}

/** A confirm job polls by failing until its transaction is final: expected, so not a warning. */
class NotFinalYet extends RelayerError {
  constructor(txHash: string) {
    super("NOT_FINAL_YET", `${txHash} is not final yet`, true);
  }
}

export class ConfirmStage {
  readonly queue: Queue<ConfirmJob>;
  private readonly o: DeliveryPipelineOptions;
  private readonly requeue: Requeue;
  /** Schedules a route job for when its next waiting transfer may be tried (DeliverStage.followUp). */
  private readonly followUp: (route: string) => Promise<void>;

  constructor(options: DeliveryPipelineOptions, requeue: Requeue, followUp: (route: string) => Promise<void>) {
    this.o = options;
    this.requeue = requeue;
    this.followUp = followUp;
    this.queue = new Queue<ConfirmJob>("confirm", {
      ...queueOptions(options),
      defaultJobOptions: {
        attempts: 10_000,
        backoff: { type: "fixed", delay: options.confirmPollMs },
        removeOnComplete: true,
        removeOnFail: false,
      },
    });
  }

  /** The stage's worker (closed by its owner). */
  startWorker(): Worker<ConfirmJob> {
    const worker = new Worker<ConfirmJob>("confirm", (job) => retryDecision(() => this.confirm(job)), {
      ...queueOptions(this.o),
      concurrency: this.o.concurrency ?? 4,
    });
    logWorkerEvents(worker, this.o.log, (error) => error instanceof NotFinalYet);
    return worker;
  }

  /** Follows the delivery `txHash` of `ids` to `dstChainId` (one job per transaction unless `jobId`). */
  async follow(dstChainId: bigint, txHash: string, ids: readonly string[], jobId = `confirm-${txHash}`): Promise<void> {
    await this.queue.add("confirm", { dstChainId: dstChainId.toString(), txHash, ids: [...ids] }, { jobId });
  }

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
    await store.forgetFailing(completed);
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
      if (skip?.reason === SkipReason.AlreadyDelivered) {
        // The gateway had it delivered at a final block: by an earlier transaction, final too.
        await store.transition(id, "completed", { detail: "delivered by another transaction" });
      } else if (skip) {
        delay.push(id);
      } else if (!(await destination.isDelivered(observedOf.get(id)!.transfer))) {
        again.push(id);
      } // else: delivered by someone else since; the delivery observer records it once final
    }
    for (const [route, onRoute] of groupBy(delay, (id) => routeKey(observedOf.get(id)!.transfer))) {
      await this.requeue(route, onRoute, "delayed", `skipped (tx ${receipt.txHash})`, receipt.txHash);
    }
    for (const [route, onRoute] of groupBy(again, (id) => routeKey(observedOf.get(id)!.transfer))) {
      await this.onFailed(route, onRoute, job.data.ids.length, receipt.txHash);
    }
  }

  /**
   * A delivery transaction failed on chain, `ids` of its `size` transfers on `route` not delivered. Sent
   * together, each goes alone next time (one of them may be why: docs/architecture.md, "A transfer that
   * fails alone"); sent alone, it failed alone: it waits, visible, and is tried again later.
   */
  private async onFailed(route: string, ids: readonly string[], size: number, txHash: string): Promise<void> {
    if (size > 1) {
      await this.o.store.markSuspect(ids);
      await this.requeue(route, ids, "finalized", `transaction failed (tx ${txHash}); each of its transfers is tried alone next`, txHash);
      return;
    }
    await recordFailingAlone(this.o, route, ids, `transaction ${txHash} failed on chain`, "submitted", txHash);
    await this.followUp(route);
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
}
