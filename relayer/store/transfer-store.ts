// A relayer node's record of every transfer it has seen: status, timeline and the indexes the API reads
// (by source transaction, by address). Everything lives under the node's own key prefix, so several
// nodes can share one Redis. Status changes are atomic (one Lua script each, ./transition.ts) and only
// move along the lifecycle (docs/protocol.md, "Lifecycle"), so a stale or repeated update can never move a transfer backwards.
// The reads (and the record layout) are common/records', shared with the API; this adds the writes and
// the delivery bookkeeping only the relayer does: ready sets per route, refusals, stuck transfers.
import type { Redis } from "ioredis";
import type { ObservedTransfer } from "../../common/observed-transfer.ts";
import { pipelineReplies } from "../../common/records/pipeline-replies.ts";
import { TransferRecordReader } from "../../common/records/reader.ts";
import { READY_STATUSES, type TimelineEntry, type TransferStatus } from "../../common/records/transfer-record.ts";
import { routeKey } from "../../common/routes.ts";
import { ATTESTATION_TTL_SECONDS, encodeAttestation } from "../../common/records/attestation.ts";
import { batchDigest, gatewayDomain, toDeliveryArgs, transferId, type CompactSignature, type Transfer } from "../../common/transfer.ts";
import {
  defineTransition,
  toResult,
  transitionArgs,
  type TransitionDetails,
  type TransitionInput,
  type TransitionResult,
} from "./transition.ts";

export {
  READY_STATUSES,
  TRANSFER_STATUSES,
  type TimelineEntry,
  type TransferRecord,
  type TransferState,
  type TransferStatus,
} from "../../common/records/transfer-record.ts";
export type { TransitionDetails, TransitionResult } from "./transition.ts";

/** Most commands sent in one pipeline (bounded, so one reply does not grow without limit). */
const PIPELINE_CHUNK = 500;

export class TransferStore extends TransferRecordReader {
  constructor(redis: Redis, prefix: string) {
    super(redis, prefix);
    defineTransition(redis);
  }

  /**
   * Records a transfer seen at its source with `status` (pending or finalized, or rejected: final at
   * its source but never deliverable, the reason in its timeline), or moves a known one there
   * (refreshing where it was seen, which a reorg may have changed).
   */
  async observe(observed: ObservedTransfer, status: "pending" | "finalized" | "rejected", now = Date.now()): Promise<TransitionResult> {
    const detail = status === "rejected" && observed.rejection ? `${observed.rejection.reason}: ${observed.rejection.detail}` : undefined;
    return this.move(observed.id, status, { at: now, record: observed, txHash: observed.srcTxHash, ...(detail ? { detail } : {}) });
  }

  /**
   * `observe` for several transfers, in round trips of up to PIPELINE_CHUNK; results in their order. A
   * final transfer that carries a rejection (a TRON deposit with a bad memo) is recorded as `rejected`.
   */
  async observeMany(observed: readonly ObservedTransfer[], status: "pending" | "finalized", now = Date.now()): Promise<TransitionResult[]> {
    const results: TransitionResult[] = [];
    for (let i = 0; i < observed.length; i += PIPELINE_CHUNK) {
      const pipeline = this.redis.pipeline();
      for (const o of observed.slice(i, i + PIPELINE_CHUNK)) {
        const rejected = status === "finalized" && o.rejection !== undefined;
        const details = {
          at: now,
          record: o,
          txHash: o.srcTxHash,
          ...(rejected ? { detail: `${o.rejection!.reason}: ${o.rejection!.detail}` } : {}),
        };
        pipeline.transition(...transitionArgs(this.keys, o.id, rejected ? "rejected" : status, details));
      }
      for (const reply of pipelineReplies(await pipeline.exec())) results.push(toResult(reply as [number, string | null]));
    }
    return results;
  }

  /** Moves a known transfer to `status` if the lifecycle allows it from where it is. */
  async transition(id: string, status: TransferStatus, details: TransitionDetails = {}): Promise<TransitionResult> {
    return this.move(id, status, { at: details.at ?? Date.now(), ...details });
  }

  /**
   * `transition` for several transfers, in one round trip (a pipeline of the same atomic script: each
   * transfer's move is atomic, the group is not). Results in the order of `ids`.
   */
  async transitionMany(ids: readonly string[], status: TransferStatus, details: TransitionDetails = {}): Promise<TransitionResult[]> {
    if (ids.length === 0) return [];
    const at = details.at ?? Date.now();
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.transition(...transitionArgs(this.keys, id, status, { ...details, at }));
    return pipelineReplies(await pipeline.exec()).map((reply) => toResult(reply as [number, string | null]));
  }

  private async move(id: string, status: TransferStatus, details: TransitionInput): Promise<TransitionResult> {
    return toResult(await this.redis.transition(...transitionArgs(this.keys, id, status, details)));
  }

  /**
   * Keeps a batch this node collected a threshold of signatures for, and points each of its transfers at
   * it (both expire after ATTESTATION_TTL_SECONDS), so that the API can show who attested a transfer and
   * hand anyone the transaction that delivers it if no node does (docs/api.md, "Deliver it yourself").
   * Written right before the batch's `attested` transition; a later batch holding a transfer replaces
   * its pointer.
   */
  async recordAttestation(
    destination: { chainId: bigint; gateway: string },
    transfers: readonly Transfer[],
    signatures: readonly CompactSignature[],
    now = Date.now(),
  ): Promise<void> {
    if (transfers.length === 0) return;
    const { srcChainId, srcGateway, items } = toDeliveryArgs(transfers);
    const digest = batchDigest(gatewayDomain(destination.chainId, destination.gateway), transfers);
    const text = encodeAttestation({
      srcChainId,
      srcGateway,
      dstChainId: destination.chainId,
      items,
      signatures: [...signatures],
      at: now,
    });
    const write = this.redis.multi().set(this.keys.attestedBatch(digest), text, "EX", ATTESTATION_TTL_SECONDS);
    for (const t of transfers) write.set(this.keys.attestation(transferId(t)), digest.toLowerCase(), "EX", ATTESTATION_TTL_SECONDS);
    pipelineReplies(await write.exec());
  }

  /**
   * Remembers that a destination gateway delivered transfer `id` (in a final block) while this node had
   * no record of it yet — its source side lagging behind the chain it delivers to. The pipeline completes
   * the transfer by this note once the record comes (DeliveryPipeline), since the delivery watcher has
   * moved past that delivery by then.
   */
  async noteDeliveredUnseen(id: string, detail: string): Promise<void> {
    await this.redis.hset(this.keys.deliveredUnseen, id, detail);
  }

  /**
   * Up to `count` ids waiting for delivery on `route` (see routeKey), longest waiting first; with
   * `upTo`, only those that may be tried at that time (ms) — a delayed transfer waits for its time.
   */
  async readyOnRoute(route: string, count: number, upTo = Number.POSITIVE_INFINITY): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.ready(route), "-inf", Number.isFinite(upTo) ? upTo : "+inf", "LIMIT", 0, count);
  }

  /** `readyOnRoute` with when each may be tried (ms). */
  async readyOnRouteWithTimes(route: string, count: number, upTo = Number.POSITIVE_INFINITY): Promise<{ id: string; readyAt: number }[]> {
    const flat = await this.redis.zrangebyscore(
      this.keys.ready(route),
      "-inf",
      Number.isFinite(upTo) ? upTo : "+inf",
      "WITHSCORES",
      "LIMIT",
      0,
      count,
    );
    const rows: { id: string; readyAt: number }[] = [];
    for (let i = 0; i < flat.length; i += 2) rows.push({ id: flat[i]!, readyAt: Number(flat[i + 1]) });
    return rows;
  }

  /**
   * Takes out of `route`'s ready set those of `ids` that are not in a ready status there (the index
   * out of step with the record: it would be taken again and again, never sent).
   */
  async unindexNotReady(route: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const states = await this.getMany(ids);
    const stale = ids.filter((_, i) => {
      const s = states[i];
      return !s || !READY_STATUSES.includes(s.status) || routeKey(s.observed.transfer) !== route;
    });
    if (stale.length > 0) await this.redis.zrem(this.keys.ready(route), ...stale);
  }

  /** When the next transfer waiting on `route` may be tried (ms), or null if none waits. */
  async nextReadyAt(route: string): Promise<number | null> {
    const first = await this.redis.zrange(this.keys.ready(route), 0, 0, "WITHSCORES");
    return first.length === 2 ? Number(first[1]) : null;
  }

  /** Counts one more refusal (by peers, of a batch holding it) of each of `ids`; the counts, in order. */
  async countRefusals(ids: readonly string[]): Promise<number[]> {
    return this.countEach(this.keys.refusals, ids);
  }

  /** Counts one more failed batch holding each of `ids`; the counts, in order. */
  async countFailures(ids: readonly string[]): Promise<number[]> {
    return this.countEach(this.keys.failures, ids);
  }

  private async countEach(hash: string, ids: readonly string[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hincrby(hash, id, 1);
    return pipelineReplies(await pipeline.exec()).map(Number);
  }

  /** Forgets the refusals and failed batches counted for `ids` (delivered, or parked as stuck). */
  async forgetRefusals(ids: readonly string[]): Promise<void> {
    if (ids.length > 0)
      await this.redis
        .multi()
        .hdel(this.keys.refusals, ...ids)
        .hdel(this.keys.failures, ...ids)
        .exec();
  }

  /**
   * Takes `id` out of the ready set and lists it as stuck (`stuck` hash: id → why), where an operator
   * sees it: peers have refused it too often while its source still has it. It is no longer proposed
   * (so it stops holding back the transfers batched with it); `unstick` puts it back.
   */
  async markStuck(id: string, why: string, now = Date.now()): Promise<boolean> {
    const route = await this.redis.hget(this.keys.transfer(id), "route");
    if (!route) return false;
    const removed = await this.redis.zrem(this.keys.ready(route), id);
    if (removed === 0) return false;
    const entry: TimelineEntry = { status: (await this.statusOf(id)) ?? "finalized", at: now, detail: `stuck: ${why}` };
    await this.redis.multi().hset(this.keys.stuck, id, why).rpush(this.keys.timeline(id), JSON.stringify(entry)).exec();
    return true;
  }

  /**
   * Lists `id` in the stuck list with `why` while it stays in its ready set: a transfer that fails even
   * alone (the destination refuses it) is tried again later by itself, never holding back the route,
   * and the operator sees why meanwhile (docs/architecture.md, "A transfer that fails alone").
   */
  async markFailing(id: string, why: string): Promise<void> {
    await this.redis.hset(this.keys.stuck, id, why);
  }

  /**
   * The stuck list (id → why), without the transfers completed since — delivered by another node, seen
   * by the delivery observer — which leave it here.
   */
  override async stuck(): Promise<Record<string, string>> {
    const listed = await super.stuck();
    const ids = Object.keys(listed);
    if (ids.length === 0) return listed;
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.keys.transfer(id), "status");
    const statuses = pipelineReplies(await pipeline.exec());
    const done = ids.filter((_, i) => statuses[i] === "completed");
    if (done.length > 0) await this.forgetFailing(done);
    for (const id of done) delete listed[id];
    return listed;
  }

  /** Marks `ids` as to be delivered each alone next time (their batch failed on chain: one of them may be why). */
  async markSuspect(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hset(this.keys.transfer(id), "suspect", "1");
    await pipeline.exec();
  }

  /** Which of `ids` are marked suspect (markSuspect), in order. */
  async suspects(ids: readonly string[]): Promise<boolean[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.keys.transfer(id), "suspect");
    return pipelineReplies(await pipeline.exec()).map((v) => v === "1");
  }

  /** Forgets that `ids` failed (delivered now): out of the stuck list, no longer suspect. */
  async forgetFailing(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const pipeline = this.redis.pipeline().hdel(this.keys.stuck, ...ids);
    for (const id of ids) pipeline.hdel(this.keys.transfer(id), "suspect");
    await pipeline.exec();
  }

  /** Puts a stuck transfer back in its route's ready set (an operator has looked into it). */
  async unstick(id: string, now = Date.now()): Promise<boolean> {
    const [route, status] = await this.redis.hmget(this.keys.transfer(id), "route", "status");
    if (!route || !status || !READY_STATUSES.includes(status as TransferStatus)) return false;
    if ((await this.redis.hdel(this.keys.stuck, id)) === 0) return false;
    await this.redis.multi().zadd(this.keys.ready(route), now, id).hdel(this.keys.refusals, id).exec();
    return true;
  }

  /** Routes (see routeKey) with transfers waiting for delivery. */
  async readyRoutes(): Promise<string[]> {
    const ids = [...(await this.idsWithStatus("finalized")), ...(await this.idsWithStatus("delayed"))];
    const routes = new Set<string>();
    for (let i = 0; i < ids.length; i += PIPELINE_CHUNK) {
      const pipeline = this.redis.pipeline();
      for (const id of ids.slice(i, i + PIPELINE_CHUNK)) pipeline.hget(this.keys.transfer(id), "route");
      for (const route of pipelineReplies(await pipeline.exec())) if (typeof route === "string" && route) routes.add(route);
    }
    return [...routes];
  }

  /**
   * The last sign of a deliverer at work on `route` (ms), or null: a transfer on it completed in this
   * store, or this node co-signed a batch of it (noteProposal).
   */
  async lastProgressOn(route: string): Promise<number | null> {
    const [completed, proposed] = await this.redis.mget(this.keys.progress(route), this.keys.proposed(route));
    const at = Math.max(Number(completed ?? 0), Number(proposed ?? 0));
    return at > 0 ? at : null;
  }

  /** Notes that a peer proposed a batch on `route` which this node co-signed (at `now`, ms). */
  async noteProposal(route: string, now = Date.now()): Promise<void> {
    await this.redis.set(this.keys.proposed(route), String(now));
  }
}
