// GET /health: is this API ready to serve — can it read each chain, the followed node's Redis, and do
// the relayer nodes report themselves healthy. Each check is bounded by the request timeout, so a dead
// dependency makes /health say so (503) rather than hang.
import type { Redis } from "ioredis";
import { EvmChain, shortReason } from "./chains/evm-chain.ts";
import type { ChainRegistry } from "./chains/registry.ts";
import type { ApiConfig } from "./config.ts";

export interface Check {
  ok: boolean;
  detail: string;
}

export interface HealthReport {
  ok: boolean;
  redis: Check;
  chains: Record<string, Check>;
  relayers: Record<string, Check>;
}

export async function checkHealth(config: ApiConfig, chains: ChainRegistry, redis: Redis): Promise<HealthReport> {
  const timeout = config.requestTimeoutMs;
  const [redisCheck, chainChecks, relayerChecks] = await Promise.all([
    check(timeout, async () => `PING ${await redis.ping()}`),
    Promise.all(
      chains.all.map(async (chain) => [
        chain.name,
        await check(timeout, async () =>
          chain instanceof EvmChain ? `block ${await chain.provider.getBlockNumber()}` : `block ${await chain.headBlock()}`,
        ),
      ] as const),
    ),
    Promise.all(
      config.relayers.map(async (relayer) => [
        relayer.id,
        await check(timeout, async () => {
          const answer = await fetch(new URL("/health", relayer.url), { signal: AbortSignal.timeout(timeout) });
          if (!answer.ok) throw new Error(`/health answered ${answer.status}`);
          return "healthy";
        }),
      ] as const),
    ),
  ]);
  const report: HealthReport = {
    ok: false,
    redis: redisCheck,
    chains: Object.fromEntries(chainChecks),
    relayers: Object.fromEntries(relayerChecks),
  };
  report.ok = redisCheck.ok && [...chainChecks, ...relayerChecks].every(([, c]) => c.ok);
  return report;
}

async function check(timeoutMs: number, probe: () => Promise<string>): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    return { ok: true, detail: await Promise.race([probe(), timedOut]) };
  } catch (error) {
    return { ok: false, detail: shortReason(error) };
  } finally {
    clearTimeout(timer);
  }
}
