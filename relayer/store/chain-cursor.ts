// How far a node has read one source chain: the last block scanned at the head (for `pending`), the last
// block scanned as final, and the last outbound sequence number seen final (for gap detection). Lost
// with the rest of Redis, it restarts from the configured start block: the chain is the source of truth.
// That holds even when Redis loses it in the middle of a tick: `load` stores the cursor (its defaults on
// a first start), and `save` writes only over a cursor that still exists, so a tick that read the cursor
// before the loss cannot put it back (claiming blocks read whose transfers went with the rest).
import type { Redis } from "ioredis";
import { NodeKeys } from "../../common/redis-keys.ts";

// KEYS: 1 the cursor hash. ARGV: field, value, field, value, ...
const SAVE_IF_STORED = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
`;

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
    const keys = new NodeKeys(prefix);
    this.key = keys.cursor(chain);
    this.pendingKey = keys.pendingBlocks(chain);
  }

  /** The cursor, stored with its defaults (just before `startBlock`) if there was none. */
  async load(startBlock: bigint): Promise<CursorState> {
    const before = startBlock - 1n;
    const results = await this.redis
      .multi()
      .hsetnx(this.key, "scannedHead", before.toString())
      .hsetnx(this.key, "finalizedUpTo", before.toString())
      .hgetall(this.key)
      .exec();
    const fields = (results?.[2]?.[1] ?? {}) as Record<string, string>;
    return {
      scannedHead: fields.scannedHead !== undefined ? BigInt(fields.scannedHead) : before,
      finalizedUpTo: fields.finalizedUpTo !== undefined ? BigInt(fields.finalizedUpTo) : before,
      lastSequence: fields.lastSequence !== undefined ? BigInt(fields.lastSequence) : null,
    };
  }

  /** Writes `state` over the stored cursor; returns false (writing nothing) if the cursor is gone. */
  async save(state: CursorState): Promise<boolean> {
    const fields = ["scannedHead", state.scannedHead.toString(), "finalizedUpTo", state.finalizedUpTo.toString()];
    if (state.lastSequence !== null) fields.push("lastSequence", state.lastSequence.toString());
    return (await this.redis.eval(SAVE_IF_STORED, 1, this.key, ...fields)) === 1;
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
