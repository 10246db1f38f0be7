// A relayer node's configuration: one JSON file (or object), parsed once at start-up by this schema. A
// missing value takes its default; a present but invalid one stops start-up with a message naming it.
// Keys are not in the file itself: it says where they are (an environment variable or a file).
import { z } from "zod";
import {
  addressSchema as address,
  keySourceSchema as keySource,
  loadJsonWith,
  parseWith,
  uintSchema as uint,
} from "../common/schema.ts";

/** When a block counts as final: `confirmations` blocks deep, or the node's `finalized` tag. */
const finality = z.union([
  z.object({ confirmations: z.number().int().min(0).max(10_000) }).strict(),
  z.object({ tag: z.literal("finalized") }).strict(),
]);

export const evmChainSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]*$/, "a lower-case name"),
    family: z.literal("evm").default("evm"),
    chainId: uint,
    rpcUrl: z.url(),
    gateway: address,
    finality: finality.default({ confirmations: 2 }),
    /** First block to scan on a node with no cursor (e.g. the gateway's deployment block). */
    startBlock: uint.default(0n),
    /** Largest block range per log query. */
    maxBlockRange: z.number().int().min(1).max(100_000).default(2_000),
    pollIntervalMs: z.number().int().min(10).max(600_000).default(1_000),
    /** Most this node pays per gas for deliveries here (wei). */
    maxFeePerGas: uint.default(500_000_000_000n),
  })
  .strict();

export const relayerConfigSchema = z
  .object({
    /** This node's name, unique among the peers; its Redis keys live under `keyPrefix` (default `bttb:<id>:`). */
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "lower-case letters, digits and dashes"),
    redisUrl: z.string().default("redis://127.0.0.1:6379"),
    keyPrefix: z.string().optional(),
    /** Signs attestations (EIP-712); kept apart from the key that pays for transactions. */
    attestationKey: keySource,
    /** Pays for delivery transactions on every destination chain. */
    payerKey: keySource,
    http: z
      .object({ host: z.string().default("127.0.0.1"), port: z.number().int().min(0).max(65_535).default(7001) })
      .strict()
      .default({ host: "127.0.0.1", port: 7001 }),
    /** The other nodes: where to ask for co-signatures, and the address their signatures must recover to. */
    peers: z
      .array(z.object({ id: z.string().min(1), url: z.url(), signer: address }).strict())
      .default([]),
    chains: z.array(evmChainSchema).min(2),
    batch: z
      .object({ maxTransfers: z.number().int().min(1).max(512).default(64) })
      .strict()
      .default({ maxTransfers: 64 }),
    delivery: z
      .object({
        /** How long each node in a route's order waits for the ones before it to deliver. */
        fallbackMs: z.number().int().min(0).max(3_600_000).default(5_000),
        /** How often a submitted delivery is checked for finality. */
        confirmPollMs: z.number().int().min(10).max(60_000).default(500),
        /** How long a transfer over a limit, or refused for now, waits before it is tried again. */
        retryLaterMs: z.number().int().min(10).max(3_600_000).default(30_000),
        /** How long a peer has to co-sign. */
        peerTimeoutMs: z.number().int().min(10).max(60_000).default(3_000),
        /** Deliver/confirm jobs processed at once by this process. */
        concurrency: z.number().int().min(1).max(64).default(4),
      })
      .strict()
      .default({ fallbackMs: 5_000, confirmPollMs: 500, retryLaterMs: 30_000, peerTimeoutMs: 3_000, concurrency: 4 }),
  })
  .strict()
  .superRefine((c, ctx) => {
    const names = new Set<string>();
    const ids = new Set<bigint>();
    c.chains.forEach((chain, i) => {
      if (names.has(chain.name)) ctx.addIssue({ code: "custom", path: ["chains", i, "name"], message: `duplicate chain name ${chain.name}` });
      if (ids.has(chain.chainId)) ctx.addIssue({ code: "custom", path: ["chains", i, "chainId"], message: `duplicate chain id ${chain.chainId}` });
      names.add(chain.name);
      ids.add(chain.chainId);
    });
  });

export type RelayerConfig = z.infer<typeof relayerConfigSchema>;
export type EvmChainConfig = z.infer<typeof evmChainSchema>;
export function parseRelayerConfig(raw: unknown, origin = "relayer configuration"): RelayerConfig {
  return parseWith(relayerConfigSchema, raw, origin);
}

export function loadRelayerConfig(path: string): RelayerConfig {
  return loadJsonWith(relayerConfigSchema, path, "relayer configuration");
}

export function keyPrefixOf(config: RelayerConfig): string {
  return config.keyPrefix ?? `bttb:${config.id}:`;
}
