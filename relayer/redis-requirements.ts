// What a node needs of its Redis (docs/operations.md, "Redis"): BullMQ's queues and the node's records
// must never be evicted to make room — an evicted job or record is a transfer silently forgotten until
// the next rescan — so a Redis whose `maxmemory-policy` evicts is refused at start. A Redis that keeps
// nothing on disk loses everything on a restart: allowed (the chains are the source of truth and the
// node rescans them), but slow and worth a warning.
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { RelayerError } from "./errors.ts";

export interface RedisSettings {
  /** `maxmemory-policy` (from INFO memory). */
  maxmemoryPolicy: string | null;
  /** Whether the append-only file is on (INFO persistence). */
  aof: boolean;
  /** RDB snapshot rules (`CONFIG GET save`): "" when off; null when the server does not say (CONFIG refused). */
  rdbSave: string | null;
}

/** Reads what matters of the server's settings, through INFO (allowed where CONFIG is not) and CONFIG. */
export async function readRedisSettings(redis: Redis): Promise<RedisSettings> {
  const info = (await redis.info("memory")) + (await redis.info("persistence"));
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, "m").exec(info)?.[1]?.trim() ?? null;
  let rdbSave: string | null = null;
  try {
    const reply = (await redis.config("GET", "save")) as string[];
    rdbSave = reply[1] ?? null;
  } catch {
    rdbSave = null; // managed Redis often refuses CONFIG; its persistence is then the provider's to say
  }
  return { maxmemoryPolicy: field("maxmemory_policy"), aof: field("aof_enabled") === "1", rdbSave };
}

/** Refuses an evicting Redis (REDIS_EVICTS, not retryable); warns when nothing persists. */
export async function checkRedis(redis: Redis, log: Logger): Promise<RedisSettings> {
  const settings = await readRedisSettings(redis);
  if (settings.maxmemoryPolicy !== null && settings.maxmemoryPolicy !== "noeviction") {
    throw new RelayerError(
      "REDIS_EVICTS",
      `Redis runs with maxmemory-policy ${settings.maxmemoryPolicy}: it may evict queued jobs and transfer records; ` +
        'set maxmemory-policy noeviction (docs/operations.md, "Redis")',
      false,
    );
  }
  if (!settings.aof && settings.rdbSave === "") {
    log.warn(
      { aof: settings.aof, save: settings.rdbSave },
      'Redis keeps nothing on disk (appendonly no, save ""): a Redis restart loses this node\'s state and it rescans the chains; run with appendonly yes in production',
    );
  }
  return settings;
}
