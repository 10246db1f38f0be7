// A lease in Redis on watching one chain for one node: of several `watch` processes of a node, the one
// holding a chain's lease scans it, and the others stand by, trying to take it now and then. The holder
// renews it while it lives (RedisLock does); one killed with SIGKILL loses it within `ttlMs`, and a
// standby takes over. Scanning twice would be harmless (every write is idempotent) but wasteful.
import type { Redis } from "ioredis";
import { NodeKeys } from "../../common/redis-keys.ts";
import { RedisLock } from "../coordination/redis-lock.ts";

export class WatchLease {
  private readonly redis: Redis;
  readonly key: string;
  private readonly owner: string;
  private readonly ttlMs: number;
  private lock: RedisLock | null = null;

  constructor(redis: Redis, prefix: string, chain: string, owner: string, ttlMs: number) {
    this.redis = redis;
    this.key = new NodeKeys(prefix).watchLease(chain);
    this.owner = owner;
    this.ttlMs = ttlMs;
  }

  /** Whether this process holds the lease now, taking it if it is free (or was lost and is free again). */
  async hold(): Promise<boolean> {
    if (this.lock?.held) return true;
    if (this.lock) {
      await this.lock.release(); // lost (expired): stops renewing; deletes nothing another holder owns
      this.lock = null;
    }
    this.lock = await RedisLock.acquire(this.redis, this.key, this.owner, this.ttlMs);
    return this.lock !== null;
  }

  get held(): boolean {
    return this.lock?.held ?? false;
  }

  /** Gives the lease up at once (a clean stop), so that a standby need not wait for it to expire. */
  async release(): Promise<void> {
    const lock = this.lock;
    this.lock = null;
    await lock?.release();
  }
}
