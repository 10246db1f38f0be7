// A lock in Redis owned by a token: whoever took it (a worker of any process of this node) holds it until
// it releases it or lets it expire. It lives only `ttlMs` unless renewed, and its holder renews it while it
// works, so a holder that dies (SIGKILL) blocks the others for at most `ttlMs`, however long its work would
// have taken. Built on by the route lock (deliver), the watch lease (watch) and the payer's ledger.
import type { ClientContext, Redis, Result } from "ioredis";

// Renews / releases only if the lock still holds the caller's token (it may have expired and been taken).
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export class RedisLock {
  private readonly redis: Redis;
  private readonly key: string;
  private readonly token: string;
  private readonly renewer: NodeJS.Timeout;
  private lost = false;

  private constructor(redis: Redis, key: string, token: string, ttlMs: number) {
    this.redis = redis;
    this.key = key;
    this.token = token;
    this.renewer = setInterval(
      () => {
        redis.renewRedisLock(key, token, String(ttlMs)).then(
          (renewed) => {
            if (renewed !== 1) this.lost = true;
          },
          () => undefined, // Redis away for a moment: the next renewal tries again, well inside the TTL
        );
      },
      Math.max(10, Math.floor(ttlMs / 3)),
    );
    this.renewer.unref();
  }

  /** Takes the lock `key` for `owner`, or returns null if someone holds it. */
  static async acquire(redis: Redis, key: string, owner: string, ttlMs: number): Promise<RedisLock | null> {
    if (!redis.renewRedisLock) {
      redis.defineCommand("renewRedisLock", { numberOfKeys: 1, lua: RENEW });
      redis.defineCommand("releaseRedisLock", { numberOfKeys: 1, lua: RELEASE });
    }
    const token = `${owner}:${Date.now()}:${Math.random().toString(36).slice(2)}`;
    if ((await redis.set(key, token, "PX", ttlMs, "NX")) !== "OK") return null;
    return new RedisLock(redis, key, token, ttlMs);
  }

  /** False once a renewal found the lock gone (expired and maybe taken): stop starting new work. */
  get held(): boolean {
    return !this.lost;
  }

  async release(): Promise<void> {
    clearInterval(this.renewer);
    await this.redis.releaseRedisLock(this.key, this.token);
  }
}

declare module "ioredis" {
  interface RedisCommander<Context extends ClientContext = { type: "default" }> {
    renewRedisLock(key: string, token: string, ttlMs: string): Result<number, Context>;
    releaseRedisLock(key: string, token: string): Result<number, Context>;
  }
}
