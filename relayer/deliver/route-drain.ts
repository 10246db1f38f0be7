// Draining one route under its lock: batches of at most maxBatch of the route's ready transfers, each
// signed by a threshold (this node's key and its peers') and submitted, until none is left; the confirm
// stage then follows each transaction.
//
// Exactly once: the gateway delivers a transfer at most once, whoever submits it; the deliver stage makes
// sure it is submitted at least once. Batches are built under a per-route lock (several processes of one
// node may run workers), and a transfer already delivered on chain is recorded completed instead of being
// sent again.
import { routeKey } from "../../common/routes.ts";
import { toDeliveryArgs, type CompactSignature } from "../../common/transfer.ts";
import { sleep } from "../../common/async.ts";
import { signDropping, withoutDelivered } from "../attest/sign-dropping.ts";
import type { DestinationChain, ObservedTransfer } from "../chains/adapter.ts";
import { DeliveryRefusedError } from "../chains/delivery-errors.ts";
import type { RedisLock } from "../coordination/redis-lock.ts";
import { RelayerError } from "../errors.ts";
import { READY_STATUSES } from "../store/transfer-store.ts";
import type { DeliveryPipelineOptions, FollowDelivery, Requeue } from "../queues/options.ts";
import { recordRefusals } from "./refusals.ts";
import { halves, recordFailingAlone, refusedForGood } from "./failing.ts";
import { REFUSED_RETRY_MS, failedBackoff } from "./backoff.ts";

/** Batches of one route signed and submitted at once by one drain. */
const BATCHES_IN_FLIGHT = 3;

const READY = new Set(READY_STATUSES);

export class RouteDrain {
  private readonly o: DeliveryPipelineOptions;
  private readonly follow: FollowDelivery;
  private readonly requeue: Requeue;

  constructor(options: DeliveryPipelineOptions, stages: { follow: FollowDelivery; requeue: Requeue }) {
    this.o = options;
    this.follow = stages.follow;
    this.requeue = stages.requeue;
  }

  /**
   * Batches of the route's ready transfers (longest waiting first) until none is left, under the lock.
   * Up to BATCHES_IN_FLIGHT batches are signed and submitted at once (a batch's time is mostly waiting:
   * for peers, for the chain), each transfer in one of them only; the payer orders their nonces. A batch
   * that fails, or a transfer peers refuse, goes back to the ready set to be tried later (each time
   * later, up to MAX_RETRY_MS): it never stops the drain, so it never holds back the rest of the route.
   */
  async drain(route: string, destination: DestinationChain, rank: number, lock: RedisLock): Promise<void> {
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
    const backoff = failedBackoff(Math.min(...failures));
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
   * found delivered already (left for the delivery observer to record), stay ready with a later time.
   */
  private async deliverBatch(route: string, destination: DestinationChain, rank: number, ids: readonly string[]): Promise<void> {
    const { store } = this.o;
    const states = await store.getMany(ids);
    let batch = states.flatMap((s) => (s && READY.has(s.status) && routeKey(s.observed.transfer) === route ? [s.observed] : []));
    if (batch.length < ids.length) await store.unindexNotReady(route, ids);
    const statusOf = new Map(states.flatMap((s) => (s ? [[s.observed.id, s.status] as const] : [])));
    batch = await this.withoutDeliveredUnseen(batch);
    if (batch.length > 1) {
      // Transfers whose batch failed on chain go each alone (one of them may be why), the rest together.
      const suspect = await store.suspects(batch.map((o) => o.id));
      if (suspect.some(Boolean)) {
        const groups = [batch.filter((_, i) => !suspect[i]).map((o) => o.id), ...batch.filter((_, i) => suspect[i]).map((o) => [o.id])];
        await settleAll(groups.filter((g) => g.length > 0).map((g) => this.deliverBatch(route, destination, rank, g)));
        return;
      }
    }
    // Delivered already (by another node, or before a restart): nothing to send; the delivery observer
    // records it completed once that delivery is final. A fallback node asks the chain first (it takes
    // over late, when the others may have delivered); the designated node asks only when a peer says so.
    const proposed = batch;
    let refused = new Map<string, unknown>();
    if (rank > 0) batch = await withoutDelivered(batch, destination);
    if (batch.length > 0) {
      const signed = await signDropping(this.o.signer, destination, batch, this.o.log);
      refused = signed.refused;
      await recordRefusals(this.o, route, signed.refused, statusOf);
      batch = signed.batch;
      if (batch.length > 0) await this.submitSigned(route, destination, rank, batch, signed.signatures);
    }
    // Found delivered by someone else: looked at again after a while (the delivery observer completes it meanwhile).
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
    rank: number,
    batch: readonly ObservedTransfer[],
    signatures: CompactSignature[],
  ): Promise<void> {
    const { store } = this.o;
    const batchIds = batch.map((o) => o.id);
    // The signed batch first, so that whoever reads `attested` finds its signatures (the API's "deliver
    // it yourself"); kept even if the transition below gives the batch up: the signatures stay valid.
    await store.recordAttestation(
      destination,
      batch.map((o) => o.transfer),
      signatures,
    );
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
      if (refusedForGood(error)) await this.split(route, destination, rank, batchIds, error);
      else await this.onSubmitRefused(route, batchIds, error);
      return;
    }
    await store.transitionMany(batchIds, "submitted", { txHash });
    await this.follow(destination.chainId, txHash, batchIds);
  }

  /**
   * The destination refuses the batch `ids` for good (its simulation reverts): split in halves, each
   * signed and submitted again at once — what passes is delivered now, what fails is split again — until
   * the transfers that make it fail are alone; those wait, visible, and are tried again later
   * (./failing.ts). So a bad transfer costs its route a few simulations, never its other transfers.
   */
  private async split(
    route: string,
    destination: DestinationChain,
    rank: number,
    ids: readonly string[],
    error: DeliveryRefusedError,
  ): Promise<void> {
    if (ids.length === 1) {
      await recordFailingAlone(this.o, route, ids, `refused in simulation: ${error.message}`, "attested");
      return;
    }
    const moved = await this.o.store.transitionMany(ids, "finalized", {
      from: ["attested"],
      readyAt: Date.now(),
      detail: `batch of ${ids.length} refused in simulation (${error.message}); split to find the transfers that make it fail`,
    });
    const back = ids.filter((_, i) => moved[i]!.changed);
    this.o.log.warn(
      { route, transfers: ids.length, err: error.message },
      "batch refused in simulation; split to isolate the transfers that fail",
    );
    await settleAll(
      halves(back)
        .filter((h) => h.length > 0)
        .map((h) => this.deliverBatch(route, destination, rank, h)),
    );
  }

  /**
   * Completes the transfers of `batch` the delivery observer saw delivered before this node had them
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
   * transfer is delivered already leaves it for the delivery observer to record; anything else fails the
   * job (retried with backoff, or dead-lettered).
   */
  private async onSubmitRefused(route: string, ids: readonly string[], error: unknown): Promise<void> {
    const detail = `not sent: ${error instanceof Error ? error.message : String(error)}`;
    const alreadyDelivered = error instanceof DeliveryRefusedError && error.alreadyDelivered;
    const later = !alreadyDelivered && error instanceof RelayerError && error.retryable;
    if (later) {
      await this.requeue(route, ids, "delayed", detail);
      return;
    }
    if (!alreadyDelivered) throw error; // onBatchFailed puts them back, to be tried later
    await this.o.store.transitionMany(ids, "finalized", { detail, readyAt: Date.now() + this.o.retryLaterMs, from: ["attested"] });
  }
}

/** Waits for all of `work` (none is left running when a failure is handled), then throws the first failure. */
async function settleAll(work: readonly Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(work)).find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
}
