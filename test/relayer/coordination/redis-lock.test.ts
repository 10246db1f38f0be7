// The per-route lock: one holder at a time, kept while its holder works (renewed), gone soon after a
// holder that died, and never released by anyone but its holder — against the machine's real Redis.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { RedisLock } from "../../../relayer/coordination/redis-lock.ts";
import { connectTestRedis, type TestRedis } from "../../../testkit/redis.ts";
import { sleep } from "../../../testkit/wait.ts";

describe("RedisLock", () => {
  let t: TestRedis;
  before(async () => {
    t = await connectTestRedis("route-lock");
  });
  after(async () => t.cleanup());

  it("has one holder at a time, renewed while held well past its lifetime, free once released", async () => {
    const key = `${t.prefix}lock:a`;
    const lock = await RedisLock.acquire(t.redis, key, "w1", 300);
    assert.ok(lock);
    assert.equal(await RedisLock.acquire(t.redis, key, "w2", 300), null);
    await sleep(1_000); // more than three lifetimes: only renewal keeps it
    assert.ok(lock.held);
    assert.equal(await RedisLock.acquire(t.redis, key, "w2", 300), null);
    await lock.release();
    const next = await RedisLock.acquire(t.redis, key, "w2", 300);
    assert.ok(next, "free after release");
    await next.release();
  });

  it("expires after its lifetime when its holder is gone, and a late release does not free another's lock", async () => {
    const key = `${t.prefix}lock:b`;
    // A holder that died: its token is in Redis, nobody renews it.
    await t.redis.set(key, "dead-holder", "PX", 300);
    assert.equal(await RedisLock.acquire(t.redis, key, "w1", 300), null);
    await sleep(400);
    const lock = await RedisLock.acquire(t.redis, key, "w1", 300);
    assert.ok(lock, "taken once the dead holder's lock expired");

    // This holder is stalled past its lifetime (renewal cannot reach Redis): another takes the lock.
    await lock.release(); // stops renewing; then pretend it still thinks it holds the key
    const other = await RedisLock.acquire(t.redis, key, "w2", 300);
    assert.ok(other);
    await lock.release();
    assert.equal(await RedisLock.acquire(t.redis, key, "w3", 300), null, "the stale holder's release left w2's lock alone");
    await other.release();
  });

  it("tells its holder when the lock was lost", async () => {
    const key = `${t.prefix}lock:c`;
    const lock = await RedisLock.acquire(t.redis, key, "w1", 150);
    assert.ok(lock);
    await t.redis.set(key, "someone-else", "PX", 5_000); // expired and taken meanwhile
    await sleep(200);
    assert.equal(lock.held, false);
    await lock.release();
    assert.equal(await t.redis.get(key), "someone-else");
  });
});
