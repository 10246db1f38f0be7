// The stages after a transfer is final at its source, on BullMQ queues under the node's own prefix:
// deliver (deliver/deliver-stage.ts: drain a route, batch, sign, submit) and confirm (confirm/confirm-stage.ts:
// follow a delivery to finality), with the recovery of what a dead drain or process left half-way.
// Enqueueing is idempotent (job ids from transfer ids and tx hashes).
import type { Worker } from "bullmq";
import { ConfirmStage } from "../confirm/confirm-stage.ts";
import { DeliverStage } from "../deliver/deliver-stage.ts";
import { Designation } from "../deliver/designation.ts";
import { Recovery } from "../deliver/recovery.ts";
import type { ObservedTransfer } from "../chains/adapter.ts";
import type { DeliveryPipelineOptions, FollowDelivery } from "./options.ts";

export type { DeliveryPipelineOptions } from "./options.ts";

export class DeliveryPipeline {
  private readonly deliverStage: DeliverStage;
  private readonly confirmStage: ConfirmStage;
  private readonly recovery: Recovery;
  private workers: Worker[] = [];

  constructor(options: DeliveryPipelineOptions) {
    const designation = new Designation(options);
    const follow: FollowDelivery = (...args) => this.confirmStage.follow(...args);
    this.deliverStage = new DeliverStage(options, designation, follow);
    this.confirmStage = new ConfirmStage(
      options,
      (...args) => this.deliverStage.requeue(...args),
      (route) => this.deliverStage.followUp(route),
    );
    this.recovery = new Recovery(options, this.deliverStage, designation, follow);
  }

  /** Starts the workers of both stages, and the periodic sweep of transfers left attested. */
  start(): void {
    this.workers = [this.deliverStage.startWorker(), this.confirmStage.startWorker()];
    this.recovery.startSweeping();
  }

  /** Queues newly final transfers: one job per route, after this node's fallback delay for the route. */
  enqueue(transfers: readonly ObservedTransfer[]): Promise<void> {
    return this.deliverStage.enqueue(transfers);
  }

  /** Jobs that failed for good: the dead-letter view. */
  async deadLetters(): Promise<{ queue: string; id: string | undefined; reason: string; attempts: number }[]> {
    const failed = [...(await this.deliverStage.queue.getFailed()), ...(await this.confirmStage.queue.getFailed())];
    return failed.map((j) => ({ queue: j.queueName, id: j.id, reason: j.failedReason, attempts: j.attemptsMade }));
  }

  async queueDepth(): Promise<Record<string, number>> {
    const [deliver, confirm] = await Promise.all([
      this.deliverStage.queue.getJobCounts("waiting", "delayed", "active"),
      this.confirmStage.queue.getJobCounts("waiting", "delayed", "active"),
    ]);
    const sum = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
    return { deliver: sum(deliver), confirm: sum(confirm) };
  }

  /** Recovery.resetOrphans: transfers left `attested` by a drain that is gone go back to `deliver`. */
  resetOrphans(detail: string, olderThan?: number): Promise<number> {
    return this.recovery.resetOrphans(detail, olderThan);
  }

  /** Recovery.sweepAttested: what has been attested for longer than attestedTimeoutMs goes back. */
  sweepAttested(now?: number): Promise<number> {
    return this.recovery.sweepAttested(now);
  }

  /** After a (re)start: sends back to `deliver` what was left mid-way, and re-follows what was submitted. */
  recover(): Promise<void> {
    return this.recovery.recover();
  }

  async close(): Promise<void> {
    await this.recovery.stopSweeping();
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all([this.deliverStage.queue.close(), this.confirmStage.queue.close()]);
  }
}
