// Read-only access to a relayer node's transfer records: one by id, several in one round trip, the ids
// in a status, those of a source transaction, an address's history page by page. The API reads records
// through this alone (it never writes them); the relayer's store (relayer/store) builds its writes on it.
// Keys come from NodeKeys under the node's prefix, the same the store writes.
import type { Redis } from "ioredis";
import { NodeKeys } from "../redis-keys.ts";
import { decodeAttestation, type StoredAttestation } from "./attestation.ts";
import { decodeObserved } from "./codec.ts";
import { pipelineReplies } from "./pipeline-replies.ts";
import type { TimelineEntry, TransferRecord, TransferState, TransferStatus } from "./transfer-record.ts";

/** A position in an address's history: the first-seen time (ms) and id of the last entry read. */
export interface HistoryPosition {
  at: number;
  id: string;
}

export class TransferRecordReader {
  protected readonly redis: Redis;
  readonly prefix: string;
  readonly keys: NodeKeys;

  constructor(redis: Redis, prefix: string) {
    this.redis = redis;
    this.prefix = prefix;
    this.keys = new NodeKeys(prefix);
  }

  async get(id: string): Promise<TransferRecord | null> {
    const [fields, timeline] = await Promise.all([
      this.redis.hgetall(this.keys.transfer(id)),
      this.redis.lrange(this.keys.timeline(id), 0, -1),
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
    for (const id of ids) pipeline.hmget(this.keys.transfer(id), "record", "status", "updatedAt");
    return pipelineReplies(await pipeline.exec()).map((reply) => {
      const [record, status, updatedAt] = reply as (string | null)[];
      if (!record || !status) return null;
      return { observed: decodeObserved(record), status: status as TransferStatus, updatedAt: Number(updatedAt) };
    });
  }

  /** Several records with their timelines, in one round trip; null for an id not recorded. */
  async getManyWithTimelines(ids: readonly string[]): Promise<(TransferRecord | null)[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(this.keys.transfer(id), "record", "status", "updatedAt").lrange(this.keys.timeline(id), 0, -1);
    const replies = pipelineReplies(await pipeline.exec());
    return ids.map((_, i) => {
      const [record, status, updatedAt] = replies[2 * i] as (string | null)[];
      if (!record || !status) return null;
      const timeline = (replies[2 * i + 1] as string[]).map((t) => JSON.parse(t) as TimelineEntry);
      return { observed: decodeObserved(record), status: status as TransferStatus, updatedAt: Number(updatedAt), timeline };
    });
  }

  async statusOf(id: string): Promise<TransferStatus | null> {
    return ((await this.redis.hget(this.keys.transfer(id), "status")) as TransferStatus | null) ?? null;
  }

  /** Ids currently in `status`. */
  async idsWithStatus(status: TransferStatus): Promise<string[]> {
    return this.redis.smembers(this.keys.status(status));
  }

  async idsBySourceTx(txHash: string): Promise<string[]> {
    return this.redis.smembers(this.keys.bySrcTx(txHash));
  }

  /** Ids of transfers sent by or to `address`, newest first. */
  async idsByAddress(address: string, offset = 0, count = 50): Promise<string[]> {
    return this.redis.zrevrange(this.keys.byAddress(address), offset, offset + count - 1);
  }

  /**
   * A page of the transfers sent by or to `address`, newest first (ordered by first-seen time, then id,
   * both descending), starting after `after` (the last entry of the previous page). Stable while new
   * transfers arrive, unlike an offset. For the API's history.
   */
  async pageByAddress(address: string, after: HistoryPosition | null, count: number): Promise<HistoryPosition[]> {
    const key = this.keys.byAddress(address);
    const rows: HistoryPosition[] = [];
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

  /** Transfers taken out of the ready set as stuck, with why. */
  async stuck(): Promise<Record<string, string>> {
    return this.redis.hgetall(this.keys.stuck);
  }

  /** The note the relayer left for `id` when a destination delivered it before the node had its record, if any. */
  async deliveredUnseen(id: string): Promise<string | null> {
    return this.redis.hget(this.keys.deliveredUnseen, id);
  }

  /** `deliveredUnseen` for several ids, in their order. */
  async deliveredUnseenMany(ids: readonly string[]): Promise<(string | null)[]> {
    if (ids.length === 0) return [];
    return this.redis.hmget(this.keys.deliveredUnseen, ...ids);
  }

  /** The last signed batch holding `id` this node stored (./attestation.ts), or null. */
  async attestationOf(id: string): Promise<StoredAttestation | null> {
    const digest = await this.redis.get(this.keys.attestation(id));
    if (!digest) return null;
    const text = await this.redis.get(this.keys.attestedBatch(digest));
    return text ? decodeAttestation(text) : null;
  }

  /** Why the node parked `id` as stuck (or lists it as failing alone), or null. */
  async stuckReason(id: string): Promise<string | null> {
    return this.redis.hget(this.keys.stuck, id);
  }
}
