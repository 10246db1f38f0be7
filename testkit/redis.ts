// Tests use the machine's Redis (REDIS_URL, else 127.0.0.1:6379), each under a key prefix of its own,
// and delete only their own keys afterwards.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";

export interface TestRedis {
  redis: Redis;
  prefix: string;
  /** Deletes every key under this test's prefix and closes the connection. */
  cleanup(): Promise<void>;
}

export function testRedisUrl(): string {
  // The one place tests read the environment: where CI's Redis is.
  return process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
}

export async function connectTestRedis(label: string): Promise<TestRedis> {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 3, lazyConnect: true });
  await redis.connect();
  const prefix = `bttb-test:${label}:${randomBytes(4).toString("hex")}:`;
  return {
    redis,
    prefix,
    async cleanup() {
      await deleteByPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}

export async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== "0");
}
