// GET /health: is this API ready to serve — can it read each chain, the followed node's Redis, and are
// enough relayer nodes healthy to sign. Each relayer's state is reported, but one node down does not
// stop the bridge: only fewer healthy nodes than the signature threshold (the configured
// `relayerThreshold`, else the BTTC gateway's) makes it 503, as does Redis or a chain down. Each check
// is bounded by the request timeout, so a dead dependency makes /health say so rather than hang.
import type { Redis } from "ioredis";
import { EvmChain, shortReason } from "./chains/evm-chain.ts";
import type { ChainRegistry } from "./chains/registry.ts";
import type { ApiConfig } from "./config.ts";

export interface Check {
  ok: boolean;
  detail: string;
}

export interface RelayerQuorum {
  ok: boolean;
  /** Relayer nodes that answered healthy. */
  healthy: number;
  /** Signatures a delivery needs; null when it could not be read, or no relayers are configured. */
  threshold: number | null;
  detail: string;
}

export interface HealthReport {
  ok: boolean;
  redis: Check;
  chains: Record<string, Check>;
  relayers: Record<string, Check>;
  relayerQuorum: RelayerQuorum;
}

export async function checkHealth(config: ApiConfig, chains: ChainRegistry, redis: Redis): Promise<HealthReport> {
  const timeout = config.requestTimeoutMs;
  const [redisCheck, chainChecks, relayerChecks, threshold] = await Promise.all([
    check(timeout, async () => `PING ${await redis.ping()}`),
    Promise.all(
      chains.all.map(
        async (chain) =>
          [
            chain.name,
            await check(timeout, async () => (chain instanceof EvmChain ? evmChainCheck(chain) : `block ${await chain.headBlock()}`)),
          ] as const,
      ),
    ),
    Promise.all(
      config.relayers.map(
        async (relayer) =>
          [
            relayer.id,
            await check(timeout, async () => {
              const answer = await fetch(new URL("/health", relayer.url), { signal: AbortSignal.timeout(timeout) });
              if (!answer.ok) throw new Error(`/health answered ${answer.status}`);
              return "healthy";
            }),
          ] as const,
      ),
    ),
    relayerThreshold(config, chains, timeout),
  ]);
  const quorum = relayerQuorum(config, relayerChecks.filter(([, c]) => c.ok).length, threshold);
  return {
    ok: redisCheck.ok && chainChecks.every(([, c]) => c.ok) && quorum.ok,
    redis: redisCheck,
    chains: Object.fromEntries(chainChecks),
    relayers: Object.fromEntries(relayerChecks),
    relayerQuorum: quorum,
  };
}

/** The configured threshold, else the BTTC gateway's; an error message when it cannot be read. */
async function relayerThreshold(config: ApiConfig, chains: ChainRegistry, timeoutMs: number): Promise<number | string> {
  if (config.relayerThreshold !== undefined) return config.relayerThreshold;
  if (config.relayers.length === 0) return 0;
  const read = await check(timeoutMs, async () => String((await chains.home.status()).threshold));
  return read.ok ? Number(read.detail) : `threshold unknown: ${read.detail}`;
}

function relayerQuorum(config: ApiConfig, healthy: number, threshold: number | string): RelayerQuorum {
  if (config.relayers.length === 0) return { ok: true, healthy: 0, threshold: null, detail: "no relayer nodes configured" };
  if (typeof threshold === "string") return { ok: false, healthy, threshold: null, detail: threshold };
  const ok = healthy >= threshold;
  return {
    ok,
    healthy,
    threshold,
    detail: `${healthy} of ${config.relayers.length} relayer nodes healthy, ${threshold} needed${ok ? "" : ": deliveries cannot be signed"}`,
  };
}

/** An EVM chain answers, and its gateway takes the legacy token the configuration names (if it names one). */
async function evmChainCheck(chain: EvmChain): Promise<string> {
  const [head] = await Promise.all([chain.provider.getBlockNumber(), chain.legacyToken()]);
  return `block ${head}`;
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
