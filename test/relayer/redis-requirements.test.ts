// A node refuses a Redis that may evict its queues and records, and warns when its Redis keeps nothing on
// disk (relayer/redis-requirements.ts), each against a real redis-server started with those settings.
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { pino } from "pino";
import { RelayerError } from "../../relayer/errors.ts";
import { checkRedis } from "../../relayer/redis-requirements.ts";
import { startOwnRedis } from "../../testkit/redis-server.ts";

/** A logger whose warnings the test reads. */
function capturingLog() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString("utf8")) as { level: number; msg: string });
      done();
    },
  });
  return { log: pino({ level: "info" }, stream), warnings: () => lines.filter((l) => l.level === 40).map((l) => l.msg) };
}

describe("what a node needs of its Redis", () => {
  it("refuses a Redis whose maxmemory-policy evicts, naming the policy and the setting to use", async () => {
    const server = await startOwnRedis(["--maxmemory-policy", "allkeys-lru", "--appendonly", "yes"]);
    try {
      await assert.rejects(checkRedis(server.redis, capturingLog().log), (error: unknown) => {
        assert.ok(error instanceof RelayerError);
        assert.equal(error.code, "REDIS_EVICTS");
        assert.equal(error.retryable, false);
        assert.match(error.message, /maxmemory-policy allkeys-lru/);
        assert.match(error.message, /noeviction/);
        return true;
      });
    } finally {
      await server.stop();
    }
  });

  it("accepts noeviction with the append-only file on, without a warning", async () => {
    const server = await startOwnRedis(["--maxmemory-policy", "noeviction", "--appendonly", "yes", "--save", ""]);
    try {
      const { log, warnings } = capturingLog();
      const settings = await checkRedis(server.redis, log);
      assert.deepEqual(settings, { maxmemoryPolicy: "noeviction", aof: true, rdbSave: "" });
      assert.deepEqual(warnings(), []);
    } finally {
      await server.stop();
    }
  });

  it("accepts a Redis that keeps nothing on disk, with a warning that says what a restart costs", async () => {
    const server = await startOwnRedis(["--maxmemory-policy", "noeviction", "--appendonly", "no", "--save", ""]);
    try {
      const { log, warnings } = capturingLog();
      await checkRedis(server.redis, log);
      assert.equal(warnings().length, 1);
      assert.match(warnings()[0]!, /keeps nothing on disk/);
    } finally {
      await server.stop();
    }
  });

  it("counts RDB snapshots as persistence", async () => {
    const server = await startOwnRedis(["--maxmemory-policy", "noeviction", "--appendonly", "no", "--save", "900 1"]);
    try {
      const { log, warnings } = capturingLog();
      const settings = await checkRedis(server.redis, log);
      assert.equal(settings.rdbSave, "900 1");
      assert.deepEqual(warnings(), []);
    } finally {
      await server.stop();
    }
  });
});
