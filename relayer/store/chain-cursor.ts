// How far a node has read one source chain: the last block scanned at the head (for `pending`), the last
// block scanned as final, and the last outbound sequence number seen final (for gap detection). Lost
// with the rest of Redis, it restarts from the configured start block: the chain is the source of truth.
import type { Redis } from "ioredis";

export interface CursorState {
  /** Highest block scanned at the head (not final yet). */
  scannedHead: bigint;
  /** Highest block scanned once final: everything at or below it is settled. */
  finalizedUpTo: bigint;
  /** Last source sequence number seen final (EVM gateways), if any. */
  lastSequence: bigint | null;
}

export class ChainCursor {
  private readonly redis: Redis;
  private readonly key: string;
  private readonly pendingKey: string;

  constructor(redis: Redis, prefix: string, chain: string) {
    this.redis = redis;
    this.key = `${prefix}cursor:${chain}`;
    this.pendingKey = `${prefix}pendingBlocks:${chain}`;
  }

  async load(startBlock: bigint): Promise<CursorState> {
    const fields = await this.redis.hgetall(this.key);
    const before = startBlock - 1n;
    return {
      scannedHead: fields.scannedHead !== undefined ? BigInt(fields.scannedHead) : before,
      finalizedUpTo: fields.finalizedUpTo !== undefined ? BigInt(fields.finalizedUpTo) : before,
      lastSequence: fields.lastSequence !== undefined ? BigInt(fields.lastSequence) : null,
    };
  }

  async save(state: CursorState): Promise<void> {
    const fields: Record<string, string> = {
      scannedHead: state.scannedHead.toString(),
      finalizedUpTo: state.finalizedUpTo.toString(),
    };
    if (state.lastSequence !== null) fields.lastSequence = state.lastSequence.toString();
    await this.redis.hset(this.key, fields);
  }

  /** Remembers that transfer `id`, not final yet, was seen in block `block`. */
  async notePending(id: string, block: bigint): Promise<void> {
    await this.redis.zadd(this.pendingKey, block.toString(), id);
  }

  /** Ids noted pending in blocks [from, to], forgetting them (the final scan settles them). */
  async takePending(from: bigint, to: bigint): Promise<string[]> {
    const [[, ids]] = (await this.redis
      .multi()
      .zrangebyscore(this.pendingKey, from.toString(), to.toString())
      .zremrangebyscore(this.pendingKey, from.toString(), to.toString())
      .exec()) as [[Error | null, string[]], [Error | null, number]];
    return ids;
  }
}
