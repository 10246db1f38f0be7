// A relayer node's record of every transfer it has seen: status, timeline and the indexes the API reads
// (by source transaction, by address). Everything lives under the node's own key prefix, so several
// nodes can share one Redis. Status changes are atomic (one Lua script each) and only move along the
// lifecycle of spec §4, so a stale or repeated update can never move a transfer backwards.
import type { ClientContext, Redis, Result } from "ioredis";
import type { ObservedTransfer } from "../chains/adapter.ts";
import { routeKey } from "../pipeline/routing.ts";
import { decodeObserved, encodeObserved } from "./codec.ts";

export const TRANSFER_STATUSES = [
  "pending",
  "finalized",
  "attested",
  "submitted",
  "completed",
  "dropped",
  "rejected",
  "delayed",
] as const;
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

export interface TransitionResult {
  changed: boolean;
  /** The status before (null: the transfer was new). */
  previous: TransferStatus | null;
}

/** Statuses in which a transfer waits to be delivered: indexed per route, so a batch is found in O(batch). */
export const READY_STATUSES: readonly TransferStatus[] = ["finalized", "delayed"];

// KEYS: 1 record hash, 2 timeline list. ARGV: 1 prefix, 2 id, 3 new status, 4 allowed-from (comma
// separated, "" for none), 5 timeline entry JSON, 6 now (ms), 7 record JSON ("" to keep it), 8 srcTx,
// 9 sender, 10 recipient, 11 route ("" to keep it). The ready index mirrors READY_STATUSES.
const TRANSITION_SCRIPT = `
local current = redis.call('HGET', KEYS[1], 'status')
local target = ARGV[3]
if current == target then return {0, current} end
if current then
  if not string.find(',' .. ARGV[4] .. ',', ',' .. current .. ',', 1, true) then return {0, current} end
  redis.call('SREM', ARGV[1] .. 'status:' .. current, ARGV[2])
elseif ARGV[7] == '' then
  return {0, false}
end
if ARGV[7] ~= '' then redis.call('HSET', KEYS[1], 'record', ARGV[7], 'route', ARGV[11]) end
local route = redis.call('HGET', KEYS[1], 'route')
local ready = {${READY_STATUSES.map((status) => `${status} = true`).join(", ")}}
if current and ready[current] then redis.call('ZREM', ARGV[1] .. 'ready:' .. route, ARGV[2]) end
if ready[target] then redis.call('ZADD', ARGV[1] .. 'ready:' .. route, ARGV[6], ARGV[2]) end
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

  /** Moves a known transfer to `status` if the lifecycle allows it from where it is. */
  async transition(
    id: string,
    status: TransferStatus,
    details: { at?: number; txHash?: string; detail?: string } = {},
  ): Promise<TransitionResult> {
    return this.move(id, status, { at: details.at ?? Date.now(), ...details });
  }

  private async move(
    id: string,
    status: TransferStatus,
    details: { at: number; record?: ObservedTransfer; txHash?: string; detail?: string },
  ): Promise<TransitionResult> {
    const entry: TimelineEntry = { status, at: details.at };
    if (details.txHash) entry.txHash = details.txHash;
    if (details.detail) entry.detail = details.detail;
    const record = details.record;
    const [changed, previous] = (await this.redis.transition(
      this.key("transfer", id),
      this.key("timeline", id),
      this.prefix,
      id,
      status,
      ENTERED_FROM[status].join(","),
      JSON.stringify(entry),
      String(details.at),
      record ? encodeObserved(record) : "",
      record ? record.srcTxHash.toLowerCase() : "",
      record ? record.sender.toLowerCase() : "",
      record ? record.transfer.recipient.toLowerCase() : "",
      record ? routeKey(record.transfer) : "",
    ));
    return { changed: changed === 1, previous: (previous as TransferStatus | null) ?? null };
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

  async statusOf(id: string): Promise<TransferStatus | null> {
    return ((await this.redis.hget(this.key("transfer", id), "status")) as TransferStatus | null) ?? null;
  }

  /** Up to `count` ids waiting for delivery on `route` (see routeKey), longest waiting first. */
  async readyOnRoute(route: string, count: number): Promise<string[]> {
    return this.redis.zrange(this.key("ready", route), 0, count - 1);
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

  /** Several records at once, in one round trip (null where there is none). For the API. */
  async getMany(ids: readonly string[]): Promise<(TransferRecord | null)[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.key("transfer", id)).lrange(this.key("timeline", id), 0, -1);
    const answers = (await pipeline.exec()) ?? [];
    return ids.map((_, i) => {
      const [fieldsError, fields] = answers[2 * i] ?? [];
      const [timelineError, timeline] = answers[2 * i + 1] ?? [];
      if (fieldsError) throw fieldsError;
      if (timelineError) throw timelineError;
      const f = fields as Record<string, string>;
      if (!f.record || !f.status) return null;
      return {
        observed: decodeObserved(f.record),
        status: f.status as TransferStatus,
        updatedAt: Number(f.updatedAt),
        timeline: (timeline as string[]).map((t) => JSON.parse(t) as TimelineEntry),
      };
    });
  }

  /**
   * A page of the transfers sent by or to `address`, newest first (ordered by first-seen time, then id,
   * both descending), starting after `after` (the last entry of the previous page). Stable while new
   * transfers arrive, unlike an offset. For the API's history.
   */
  async pageByAddress(
    address: string,
    after: { at: number; id: string } | null,
    count: number,
  ): Promise<{ id: string; at: number }[]> {
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

declare module "ioredis" {
  interface RedisCommander<Context extends ClientContext = { type: "default" }> {
    transition(...args: [string, string, ...string[]]): Result<[number, string | null], Context>;
  }
}
