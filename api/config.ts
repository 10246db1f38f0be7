// The API's configuration: one JSON file, parsed once at start-up by this schema. A missing value takes
// its default; a present but invalid one stops start-up with a message naming it. The lead's devnet
// writes this file from the deployment's output (README, "HTTP API").
import { z } from "zod";
import { evmChainBaseSchema, tronChainBaseSchema } from "../common/chains/config.ts";
import { addressSchema as address, loadJsonWith, parseWith, uintSchema as uint } from "../common/schema.ts";

/** pino's levels. */
export const logLevelSchema = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

/** An EVM chain as the API quotes and builds transfers for it. */
const evmChain = evmChainBaseSchema.extend({
  /** `bttc`: BTT's home (native BTT, swaps deliver here); `remote`: bridged BTT (and maybe legacy BTTOLD). */
  role: z.enum(["bttc", "remote"]),
  /** Legacy BTTOLD on this chain (remote chains that have it). */
  legacyToken: address.optional(),
  /** Average block time, for expected times in quotes. */
  blockTimeMs: z.number().int().min(1).max(600_000).default(1_000),
  /** Seconds until the `finalized` tag passes a block (for quotes; tag finality only). */
  finalizedTagSeconds: z.number().int().min(0).max(86_400).default(900),
  /** The token standard of this chain's ERC-20s as its users name them (BNB Chain: BEP-20); default: by
   * the chain (BEP-20 on BNB Chain's ids and a chain named bsc, ERC-20 elsewhere). */
  tokenStandard: z.enum(["ERC-20", "BEP-20"]).optional(),
  /** How often the API asks this chain's head for new blocks to read deliveries in (default: a quarter of its block time). */
  deliveryPollMs: z.number().int().min(50).max(60_000).optional(),
});

/** TRON as the API builds swap deposits for it; `minimumUnits` must be the relayers'. */
const tronChain = tronChainBaseSchema.extend({
  /** What TRON charges for a memo, in sun (1 TRX at present). */
  memoFeeSun: uint.default(1_000_000n),
  /** How deep the solidified block lags the head, and the block time, for expected times in quotes. */
  solidityDepth: z.number().int().min(0).max(1_000).default(19),
  blockTimeMs: z.number().int().min(1).max(600_000).default(3_000),
});

export const apiConfigSchema = z
  .object({
    host: z.string().default("127.0.0.1"),
    port: z.number().int().min(0).max(65_535).default(8080),
    /** The Redis of the relayer node this API follows, and that node's key prefix (e.g. `bttb:n1:`). */
    redisUrl: z.string().default("redis://127.0.0.1:6379"),
    keyPrefix: z.string().min(1),
    chains: z.array(z.discriminatedUnion("family", [evmChain, tronChain])).min(2),
    /** Relayer nodes whose `/health` this API's `/health` reports. */
    relayers: z.array(z.object({ id: z.string().min(1), url: z.url() }).strict()).default([]),
    /** How many of them must be healthy for /health to say ready; default: the BTTC gateway's signature threshold. */
    relayerThreshold: z.number().int().min(1).max(1_000).optional(),
    /** Server-sent-event streams one client address may hold open at once (more: 429). */
    maxEventStreamsPerClient: z.number().int().min(1).max(10_000).default(20),
    logLevel: logLevelSchema.default("info"),
    /** Behind a reverse proxy: take the client address from X-Forwarded-For (for per-client rate limits). */
    trustProxy: z.boolean().default(false),
    /** Origins whose web pages may call the API ("*" for any); none by default. */
    corsOrigins: z.array(z.union([z.literal("*"), z.url()])).default([]),
    rateLimit: z
      .object({ max: z.number().int().min(1).default(600), timeWindow: z.number().int().min(1).default(60_000) })
      .strict()
      .default({ max: 600, timeWindow: 60_000 }),
    /** Seconds a relayer takes beyond finality (collecting signatures, sending), for quotes. */
    relayOverheadSeconds: z.number().int().min(0).max(3_600).default(5),
    /** How long chain reads behind quotes (routes, minimums, caps) are reused. */
    chainCacheMs: z.number().int().min(0).max(600_000).default(2_000),
    /** How often a server-sent-events stream looks for a status change. */
    eventsPollMs: z.number().int().min(10).max(60_000).default(500),
    /** Deliveries the API remembers (an LRU, in memory; api/deliveries/delivery-cache.ts). */
    deliveryCacheSize: z.number().int().min(100).max(10_000_000).default(100_000),
    /** How far back (blocks) the API reads each destination's deliveries when it starts. */
    deliveryLookbackBlocks: z.number().int().min(0).max(10_000_000).default(50_000),
    /** Per outbound HTTP request (chains, relayers). */
    requestTimeoutMs: z.number().int().min(100).max(120_000).default(5_000),
  })
  .strict()
  .superRefine((c, ctx) => {
    const names = new Set<string>();
    c.chains.forEach((chain, i) => {
      if (names.has(chain.name))
        ctx.addIssue({ code: "custom", path: ["chains", i, "name"], message: `duplicate chain name ${chain.name}` });
      names.add(chain.name);
    });
    const homes = c.chains.filter((chain) => chain.family === "evm" && chain.role === "bttc");
    if (homes.length !== 1) ctx.addIssue({ code: "custom", path: ["chains"], message: "exactly one chain must have role bttc" });
  });

export type ApiConfig = z.infer<typeof apiConfigSchema>;
export type ApiChainConfig = ApiConfig["chains"][number];
export type EvmChainConfig = Extract<ApiChainConfig, { family: "evm" }>;
export type TronChainConfig = Extract<ApiChainConfig, { family: "tron" }>;

export function parseApiConfig(raw: unknown, origin = "API configuration"): ApiConfig {
  return parseWith(apiConfigSchema, raw, origin);
}

export function loadApiConfig(path: string): ApiConfig {
  return loadJsonWith(apiConfigSchema, path, "API configuration");
}
