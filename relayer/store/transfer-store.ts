// A relayer node's record of every transfer it has seen: status, timeline and the indexes the API reads
// (by source transaction, by address). Everything lives under the node's own key prefix, so several
// nodes can share one Redis. Status changes are atomic (one Lua script each) and only move along the
// lifecycle (docs/protocol.md, "Lifecycle"), so a stale or repeated update can never move a transfer backwards.
import type { ClientContext, Redis, Result } from "ioredis";
import type { ObservedTransfer } from "../chains/adapter.ts";
import { routeKey } from "../../common/routes.ts";
import { decodeObserved, encodeObserved } from "./codec.ts";

export const TRANSFER_STATUSES = ["pending", "finalized", "attested", "submitted", "completed", "dropped", "rejected", "delayed"] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

/** From which statuses each status may be entered. */
const ENTERED_FROM: Record<TransferStatus, readonly TransferStatus[]> = {
  pending: ["dropped"], // seen again at the head after a reorg had removed it
  finalized: ["pending", "dropped", "attested", "submitted", "delayed"], // attested/submitted/delayed: retry
  attested: ["finalized", "delayed", "submitted"],
  submitted: ["attested", "finalized", "delayed"],
  completed: ["pending", "finalized", "attested", "submitted", "delayed"],
  dropped: ["pending"],
  rejected: ["pending", "finalized"],
  delayed: ["finalized", "attested", "submitted"],
};

export interface TimelineEntry {
  status: TransferStatus;
  /** Milliseconds since the epoch. */
  at: number;
  txHash?: string;
  detail?: string;
}

export interface TransferRecord {
  observed: ObservedTransfer;
  status: TransferStatus;
  updatedAt: number;
  timeline: TimelineEntry[];
}

/** A record without its timeline: what the pipeline and the co-signer need, in one read. */
export type TransferState = Omit<TransferRecord, "timeline">;

export interface TransitionDetails {
  at?: number;
  txHash?: string;
  detail?: string;
  /** For a ready status (finalized, delayed): not to be tried before this time (ms; default: now). */
  readyAt?: number;
  /** Only from these statuses (default: every status the lifecycle allows it from). */
  from?: readonly TransferStatus[];
  /** A completion of this node's own delivery: not a sign, for this node as a fallback deliverer, that
   * another node is at work on the route (so `progress:<route>` is left as it is). */
  ownDelivery?: boolean;
  /** For a ready status: a transfer already in it stays there, tried again at `readyAt`, with the
   * timeline entry recorded all the same (a failed or refused try, and when the next one is). */
  again?: boolean;
}

export interface TransitionResult {
  changed: boolean;
  /** The status before (null: the transfer was new). */
  previous: TransferStatus | null;
}

/** Statuses in which a transfer waits to be delivered: indexed per route, so a batch is found in O(batch). */
export const READY_STATUSES: readonly TransferStatus[] = ["finalized", "delayed"];

// KEYS: 1 record hash, 2 timeline list. ARGV: 1 prefix, 2 id, 3 new status, 4 allowed-from (comma
// separated, "" for none), 5 timeline entry JSON, 6 now (ms), 7 record JSON ("" to keep it), 8 srcTx,
// 9 sender, 10 recipient, 11 route ("" to keep it), 12 when a ready transfer may be tried (ms; "" for
// now), 13 "1" for a completion of this node's own delivery, 14 "1" to try a transfer already ready again
// at ARGV[12]. The ready index mirrors READY_STATUSES, scored by that time; `progress:<route>` holds the
// last time a transfer on the route completed by another node's delivery (a fallback deliverer reads it:
// is the route moving?) — not one this node had submitted itself, whichever record of it comes first.
const TRANSITION_SCRIPT = `
local current = redis.call('HGET', KEYS[1], 'status')
local target = ARGV[3]
local ready = {${READY_STATUSES.map((status) => `${status} = true`).join(", ")}}
if current == target then
  if ARGV[14] == '1' and ready[target] and ARGV[12] ~= '' then
    redis.call('ZADD', ARGV[1] .. 'ready:' .. redis.call('HGET', KEYS[1], 'route'), ARGV[12], ARGV[2])
    redis.call('HSET', KEYS[1], 'updatedAt', ARGV[6])
    redis.call('RPUSH', KEYS[2], ARGV[5])
    return {1, current}
  end
  return {0, current}
end
if current then
  if not string.find(',' .. ARGV[4] .. ',', ',' .. current .. ',', 1, true) then return {0, current} end
  redis.call('SREM', ARGV[1] .. 'status:' .. current, ARGV[2])
elseif ARGV[7] == '' then
  return {0, false}
end
if ARGV[7] ~= '' then redis.call('HSET', KEYS[1], 'record', ARGV[7], 'route', ARGV[11]) end
local route = redis.call('HGET', KEYS[1], 'route')
if current and ready[current] then redis.call('ZREM', ARGV[1] .. 'ready:' .. route, ARGV[2]) end
if ready[target] then
  local readyAt = ARGV[12]
  if readyAt == nil or readyAt == '' then readyAt = ARGV[6] end
  redis.call('ZADD', ARGV[1] .. 'ready:' .. route, readyAt, ARGV[2])
end
if target == 'completed' and route and ARGV[13] ~= '1' and current ~= 'submitted' then redis.call('SET', ARGV[1] .. 'progress:' .. route, ARGV[6]) end
redis.call('HSET', KEYS[1], 'status', target, 'updatedAt', ARGV[6])
redis.call('SADD', ARGV[1] .. 'status:' .. target, ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[5])
if not current then
  redis.call('SADD', ARGV[1] .. 'bySrcTx:' .. ARGV[8], ARGV[2])
  redis.call('ZADD', ARGV[1] .. 'byAddress:' .. ARGV[9], ARGV[6], ARGV[2])
  redis.call('ZADD', ARGV[1] .. 'byAddress:' .. ARGV[10], ARGV[6], ARGV[2])
end
return {1, current}
`;

/** Most commands sent in one pipeline (bounded, so one reply does not grow without limit). */
const PIPELINE_CHUNK = 500;

export class TransferStore {
  private readonly redis: Redis;
  readonly prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.prefix = prefix;
    if (!redis.transition) redis.defineCommand("transition", { numberOfKeys: 2, lua: TRANSITION_SCRIPT });
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
        pipeline.transition(...this.transitionArgs(o.id, rejected ? "rejected" : status, details));
      }
      for (const reply of unwrap(await pipeline.exec())) results.push(toResult(reply as [number, string | null]));
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
    for (const id of ids) pipeline.transition(...this.transitionArgs(id, status, { ...details, at }));
    return unwrap(await pipeline.exec()).map((reply) => toResult(reply as [number, string | null]));
  }

  private async move(
    id: string,
    status: TransferStatus,
    details: TransitionDetails & { at: number; record?: ObservedTransfer },
  ): Promise<TransitionResult> {
    return toResult(await this.redis.transition(...this.transitionArgs(id, status, details)));
  }

  private transitionArgs(
    id: string,
    status: TransferStatus,
    details: TransitionDetails & { at: number; record?: ObservedTransfer },
  ): [string, string, ...string[]] {
    const entry: TimelineEntry = { status, at: details.at };
    if (details.txHash) entry.txHash = details.txHash;
    if (details.detail) entry.detail = details.detail;
    const record = details.record;
    return [
      this.key("transfer", id),
      this.key("timeline", id),
      this.prefix,
      id,
      status,
      (details.from ?? ENTERED_FROM[status]).filter((s) => ENTERED_FROM[status].includes(s)).join(","),
      JSON.stringify(entry),
      String(details.at),
      record ? encodeObserved(record) : "",
      record ? record.srcTxHash.toLowerCase() : "",
      record ? record.sender.toLowerCase() : "",
      record ? record.transfer.recipient.toLowerCase() : "",
      record ? routeKey(record.transfer) : "",
      details.readyAt !== undefined ? String(details.readyAt) : "",
      details.ownDelivery ? "1" : "",
      details.again ? "1" : "",
    ];
  }

  /**
   * Remembers that a destination gateway delivered transfer `id` (in a final block) while this node had
   * no record of it yet — its source side lagging behind the chain it delivers to. The pipeline completes
   * the transfer by this note once the record comes (DeliveryPipeline), since the delivery watcher has
   * moved past that delivery by then.
   */
  async noteDeliveredUnseen(id: string, detail: string): Promise<void> {
    await this.redis.hset(this.key("deliveredUnseen"), id, detail);
  }

  /** The note `noteDeliveredUnseen` left for `id`, if any. */
  async deliveredUnseen(id: string): Promise<string | null> {
    return this.redis.hget(this.key("deliveredUnseen"), id);
  }

  async get(id: string): Promise<TransferRecord | null> {
    const [fields, timeline] = await Promise.all([
      this.redis.hgetall(this.key("transfer", id)),
      this.redis.lrange(this.key("timeline", id), 0, -1),
    ]);
    if (!fields.record || !fields.status) return null;
    return {
      observed: decodeObserved(fields.record),
      status: fields.status as TransferStatus,
      updatedAt: Number(fields.updatedAt),
      timeline: timeline.map((t) => JSON.parse(t) as TimelineEntry),
    };
  }

  /** Several records without their timelines, in one round trip; null for an id not recorded. */
  async getMany(ids: readonly string[]): Promise<(TransferState | null)[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(this.key("transfer", id), "record", "status", "updatedAt");
    return unwrap(await pipeline.exec()).map((reply) => {
      const [record, status, updatedAt] = reply as (string | null)[];
      if (!record || !status) return null;
      return { observed: decodeObserved(record), status: status as TransferStatus, updatedAt: Number(updatedAt) };
    });
  }

  async statusOf(id: string): Promise<TransferStatus | null> {
    return ((await this.redis.hget(this.key("transfer", id), "status")) as TransferStatus | null) ?? null;
  }

  /**
   * Up to `count` ids waiting for delivery on `route` (see routeKey), longest waiting first; with
   * `upTo`, only those that may be tried at that time (ms) — a delayed transfer waits for its time.
   */
  async readyOnRoute(route: string, count: number, upTo = Number.POSITIVE_INFINITY): Promise<string[]> {
    return this.redis.zrangebyscore(this.key("ready", route), "-inf", Number.isFinite(upTo) ? upTo : "+inf", "LIMIT", 0, count);
  }

  /** `readyOnRoute` with when each may be tried (ms). */
  async readyOnRouteWithTimes(route: string, count: number, upTo = Number.POSITIVE_INFINITY): Promise<{ id: string; readyAt: number }[]> {
    const flat = await this.redis.zrangebyscore(
      this.key("ready", route),
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
    if (stale.length > 0) await this.redis.zrem(this.key("ready", route), ...stale);
  }

  /** When the next transfer waiting on `route` may be tried (ms), or null if none waits. */
  async nextReadyAt(route: string): Promise<number | null> {
    const first = await this.redis.zrange(this.key("ready", route), 0, 0, "WITHSCORES");
    return first.length === 2 ? Number(first[1]) : null;
  }

  /** Counts one more refusal (by peers, of a batch holding it) of each of `ids`; the counts, in order. */
  async countRefusals(ids: readonly string[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hincrby(this.key("refusals"), id, 1);
    return unwrap(await pipeline.exec()).map(Number);
  }

  /** Counts one more failed batch holding each of `ids`; the counts, in order. */
  async countFailures(ids: readonly string[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hincrby(this.key("failures"), id, 1);
    return unwrap(await pipeline.exec()).map(Number);
  }

  /** Forgets the refusals and failed batches counted for `ids` (delivered, or parked as stuck). */
  async forgetRefusals(ids: readonly string[]): Promise<void> {
    if (ids.length > 0)
      await this.redis
        .multi()
        .hdel(this.key("refusals"), ...ids)
        .hdel(this.key("failures"), ...ids)
        .exec();
  }

  /**
   * Takes `id` out of the ready set and lists it as stuck (`stuck` hash: id → why), where an operator
   * sees it: peers have refused it too often while its source still has it. It is no longer proposed
   * (so it stops holding back the transfers batched with it); `unstick` puts it back.
   */
  async markStuck(id: string, why: string, now = Date.now()): Promise<boolean> {
    const route = await this.redis.hget(this.key("transfer", id), "route");
    if (!route) return false;
    const removed = await this.redis.zrem(this.key("ready", route), id);
    if (removed === 0) return false;
    const entry: TimelineEntry = { status: (await this.statusOf(id)) ?? "finalized", at: now, detail: `stuck: ${why}` };
    await this.redis.multi().hset(this.key("stuck"), id, why).rpush(this.key("timeline", id), JSON.stringify(entry)).exec();
    return true;
  }

  /** Transfers taken out of the ready set as stuck, with why. */
  async stuck(): Promise<Record<string, string>> {
    return this.redis.hgetall(this.key("stuck"));
  }

  /** Puts a stuck transfer back in its route's ready set (an operator has looked into it). */
  async unstick(id: string, now = Date.now()): Promise<boolean> {
    const [route, status] = await this.redis.hmget(this.key("transfer", id), "route", "status");
    if (!route || !status || !READY_STATUSES.includes(status as TransferStatus)) return false;
    if ((await this.redis.hdel(this.key("stuck"), id)) === 0) return false;
    await this.redis.multi().zadd(this.key("ready", route), now, id).hdel(this.key("refusals"), id).exec();
    return true;
  }

  /** Routes (see routeKey) with transfers waiting for delivery. */
  async readyRoutes(): Promise<string[]> {
    const ids = [...(await this.idsWithStatus("finalized")), ...(await this.idsWithStatus("delayed"))];
    const routes = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const pipeline = this.redis.pipeline();
      for (const id of ids.slice(i, i + 500)) pipeline.hget(this.key("transfer", id), "route");
      for (const route of unwrap(await pipeline.exec())) if (typeof route === "string" && route) routes.add(route);
    }
    return [...routes];
  }

  /**
   * The last sign of a deliverer at work on `route` (ms), or null: a transfer on it completed in this
   * store, or this node co-signed a batch of it (noteProposal).
   */
  async lastProgressOn(route: string): Promise<number | null> {
    const [completed, proposed] = await this.redis.mget(this.key("progress", route), this.key("proposed", route));
    const at = Math.max(Number(completed ?? 0), Number(proposed ?? 0));
    return at > 0 ? at : null;
  }

  /** Notes that a peer proposed a batch on `route` which this node co-signed (at `now`, ms). */
  async noteProposal(route: string, now = Date.now()): Promise<void> {
    await this.redis.set(this.key("proposed", route), String(now));
  }

  /** Several records with their timelines, in one round trip; null for an id not recorded. */
  async getManyWithTimelines(ids: readonly string[]): Promise<(TransferRecord | null)[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(this.key("transfer", id), "record", "status", "updatedAt").lrange(this.key("timeline", id), 0, -1);
    const replies = unwrap(await pipeline.exec());
    return ids.map((_, i) => {
      const [record, status, updatedAt] = replies[2 * i] as (string | null)[];
      if (!record || !status) return null;
      const timeline = (replies[2 * i + 1] as string[]).map((t) => JSON.parse(t) as TimelineEntry);
      return { observed: decodeObserved(record), status: status as TransferStatus, updatedAt: Number(updatedAt), timeline };
    });
  }

  /** `deliveredUnseen` for several ids, in their order. */
  async deliveredUnseenMany(ids: readonly string[]): Promise<(string | null)[]> {
    if (ids.length === 0) return [];
    return this.redis.hmget(this.key("deliveredUnseen"), ...ids);
  }

  /** Ids currently in `status`. */
  async idsWithStatus(status: TransferStatus): Promise<string[]> {
    return this.redis.smembers(this.key("status", status));
  }

  async idsBySourceTx(txHash: string): Promise<string[]> {
    return this.redis.smembers(this.key("bySrcTx", txHash.toLowerCase()));
  }

  /** Ids of transfers sent by or to `address`, newest first. */
  async idsByAddress(address: string, offset = 0, count = 50): Promise<string[]> {
    return this.redis.zrevrange(this.key("byAddress", address.toLowerCase()), offset, offset + count - 1);
  }

  /**
   * A page of the transfers sent by or to `address`, newest first (ordered by first-seen time, then id,
   * both descending), starting after `after` (the last entry of the previous page). Stable while new
   * transfers arrive, unlike an offset. For the API's history.
   */
  async pageByAddress(address: string, after: { at: number; id: string } | null, count: number): Promise<{ id: string; at: number }[]> {
    const key = this.key("byAddress", address.toLowerCase());
    const rows: { id: string; at: number }[] = [];
    if (after) {
      // Entries with the same time as the cursor come in descending id order; keep those after it.
      const same = await this.redis.zrevrangebyscore(key, after.at, after.at);
      for (const id of same) if (id < after.id) rows.push({ id, at: after.at });
    }
    const max = after ? `(${after.at}` : "+inf";
    const flat = await this.redis.zrevrangebyscore(key, max, "-inf", "WITHSCORES", "LIMIT", 0, count);
    for (let i = 0; i < flat.length; i += 2) rows.push({ id: flat[i]!, at: Number(flat[i + 1]) });
    return rows.slice(0, count);
  }

  key(...parts: string[]): string {
    return this.prefix + parts.join(":");
  }
}

function toResult([changed, previous]: [number, string | null]): TransitionResult {
  return { changed: changed === 1, previous: (previous as TransferStatus | null) ?? null };
}

/** A pipeline's replies, or its first error. */
function unwrap(results: [Error | null, unknown][] | null): unknown[] {
  if (!results) throw new Error("the Redis pipeline was not run (connection closed)");
  return results.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}

declare module "ioredis" {
  interface RedisCommander<Context extends ClientContext = { type: "default" }> {
    transition(...args: [string, string, ...string[]]): Result<[number, string | null], Context>;
  }
}
