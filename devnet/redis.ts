// Redis for the devnet (docs/operations.md, "Devnet"): the REDIS_URL given; else 127.0.0.1:6379 if it answers; else a
// redis-server of its own on 6379 if one is installed; else a message saying what to install.
import { spawnSync } from "node:child_process";
import { Redis } from "ioredis";
import type { ProcessGroup } from "./processes.ts";
import { DevnetError } from "./errors.ts";

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

async function answers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_500 });
  redis.on("error", () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

function redisServerInstalled(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

export interface DevnetRedis {
  url: string;
  /** True when the devnet started this Redis (and stops it with everything else). */
  own: boolean;
}

export async function ensureRedis(
  given: string | undefined,
  group: ProcessGroup,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<DevnetRedis> {
  if (given) {
    if (await answers(given)) return { url: given, own: false };
    throw new DevnetError(
      "REDIS_UNAVAILABLE",
      `Redis at ${given} (REDIS_URL) does not answer: start it, or unset REDIS_URL to use 127.0.0.1:6379`,
    );
  }
  if (await answers(DEFAULT_REDIS_URL)) return { url: DEFAULT_REDIS_URL, own: false };
  if (!redisServerInstalled()) {
    throw new DevnetError(
      "REDIS_UNAVAILABLE",
      "no Redis answers on 127.0.0.1:6379 and redis-server is not installed: install Redis " +
        "(Debian/Ubuntu: apt install redis-server; macOS: brew install redis), or point REDIS_URL at one",
    );
  }
  const part = group.start(
    "redis",
    "redis-server",
    ["--port", "6379", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    env,
    cwd,
  );
  await group.waitReady(part, () => answers(DEFAULT_REDIS_URL), 10_000);
  return { url: DEFAULT_REDIS_URL, own: true };
}

/** Removes the devnet's own keys (and only those): its chains start empty, so yesterday's state is wrong. */
export async function wipePrefix(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let removed = 0;
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) removed += await redis.unlink(...keys);
    } while (cursor !== "0");
    return removed;
  } finally {
    redis.disconnect();
  }
}
