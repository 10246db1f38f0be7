// A per-route lock: while one worker (of any process of this node) builds and sends batches for a route,
// no other does, so no transfer is put in two of this node's batches. A RedisLock on the route's key.
import type { Redis } from "ioredis";
import { NodeKeys } from "../../common/redis-keys.ts";
import { RedisLock } from "../coordination/redis-lock.ts";

/** The route lock's lifetime unless its holder renews it (it does, while it works). */
export const ROUTE_LOCK_MS = 10_000;

/** Takes the lock of `route` for `owner` (a node id), or returns null if a drain holds it. */
export function lockRoute(redis: Redis, prefix: string, route: string, owner: string): Promise<RedisLock | null> {
  return RedisLock.acquire(redis, new NodeKeys(prefix).routeLock(route), owner, ROUTE_LOCK_MS);
}
