// A Redis server of a test's own, on a free port, with the settings the test names (maxmemory-policy,
// persistence): for checks of how a node treats a Redis it must refuse or warn about, without touching
// the machine's shared Redis.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { sleep } from "../common/async.ts";
import { freePort } from "./hardhat-node.ts";

export interface OwnRedis {
  url: string;
  redis: Redis;
  stop(): Promise<void>;
}

/** Starts `redis-server` with `args` (e.g. ["--maxmemory-policy", "allkeys-lru"]) and connects to it. */
export async function startOwnRedis(args: readonly string[]): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "bttb-redis-"));
  const child: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, ...args], {
    stdio: "ignore",
  });
  const url = `redis://127.0.0.1:${port}`;
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on("error", () => undefined); // refused while the server starts: the loop below tries again
  for (let i = 0; ; i++) {
    try {
      await redis.connect();
      break;
    } catch (error) {
      if (i >= 100 || child.exitCode !== null) throw error;
      await sleep(50);
    }
  }
  return {
    url,
    redis,
    async stop() {
      redis.disconnect();
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
