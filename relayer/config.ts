// A relayer node's configuration: one JSON file (or object), parsed once at start-up by this schema. A
// missing value takes its default; a present but invalid one stops start-up with a message naming it.
// Keys are not in the file itself: it says where they are (an environment variable or a file).
import { z } from "zod";
import {
  ConfigError,
  addressSchema as address,
  keySourceSchema as keySource,
  loadJsonWith,
  parseWith,
  uintSchema as uint,
} from "../common/schema.ts";
import { evmChainBaseSchema, tronChainBaseSchema } from "../common/chains/config.ts";

/** An EVM chain as a relayer watches and delivers to it. */
export const evmChainSchema = evmChainBaseSchema.extend({
  /** Unlike the API's, a relayer's configuration may leave out an EVM chain's family. */
  family: z.literal("evm").default("evm"),
  pollIntervalMs: z.number().int().min(10).max(600_000).default(1_000),
  /** Most this node pays per gas for deliveries here (wei): the maxFeePerGas of an EIP-1559 transaction,
   * the gasPrice of a legacy one (`fees`; docs/operations.md, "Fees"). */
  maxFeePerGas: uint.default(500_000_000_000n),
});

/**
 * TRON as a relayer watches it: deposits become swaps delivered on the chain named `swapTo` (BTTC).
 * Final is TRON's solidified block; nothing else.
 */
export const tronChainSchema = tronChainBaseSchema.extend({
  /** Where `walletsolidity/*` is served, if not at fullHost (java-tron's solidity port, 8091). */
  solidityHost: z.url().optional(),
  /** Sent with every request, e.g. `{ "TRON-PRO-API-KEY": "…" }` for TronGrid. */
  headers: z.record(z.string(), z.string()).optional(),
  /** Holds the deposit account's key: refunds and black-hole forwarding need it (one operator only). */
  depositKey: keySource.optional(),
  /** Name of the EVM chain every swap is delivered on. */
  swapTo: z.string().default("bttc"),
  /** TRON's finality rule is its solidified block; written out so that a config says what it relies on. */
  finality: z
    .object({ tag: z.literal("solidified") })
    .strict()
    .default({ tag: "solidified" }),
  /** First block to scan on a node with no cursor (e.g. the block the deposit address opened in). */
  startBlock: uint.default(0n),
  /** Blocks per `getblockbylimitnext` (java-tron serves at most 100). */
  maxBlockRange: z.number().int().min(1).max(100).default(100),
  pollIntervalMs: z.number().int().min(10).max(600_000).default(3_000),
  /** Black-hole forwarding of the BTTOLD of delivered swaps (by the node holding depositKey). */
  burn: z
    .object({
      /** Deposits burned per TRON transaction (their ids go in its memo). */
      batchSize: z.number().int().min(1).max(100).default(20),
      intervalMs: z.number().int().min(10).max(86_400_000).default(30_000),
      /** How long a fresh start waits before its first burn: at least the lifetime of a TRON
       * transaction (TronWeb's 60 s), so that one sent before a loss of Redis data is in a block or dead. */
      settleMs: z.number().int().min(0).max(3_600_000).default(60_000),
    })
    .strict()
    .default({ batchSize: 20, intervalMs: 30_000, settleMs: 60_000 }),
});

const chainSchema = z.discriminatedUnion("family", [evmChainSchema, tronChainSchema]);

/**
 * What one process of a node runs (a node may run as several processes on one Redis, sharing this
 * configuration): `watch` the chains (transfers leaving them, deliveries reaching them; one process per
 * chain at a time, by a lease), `deliver` (the BullMQ deliver and confirm workers), `http` (/health,
 * /metrics and the attestation endpoint peers call).
 */
export const NODE_ROLES = ["watch", "deliver", "http"] as const;
export type NodeRole = (typeof NODE_ROLES)[number];
export const rolesSchema = z
  .array(z.enum(NODE_ROLES))
  .min(1)
  .transform((roles) => [...new Set(roles)]);

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
    /** The bearer token of the operator endpoint (POST /v1/operator/validator-set-approvals: this node
     * signs validator-set proposals for its operator); without it that endpoint is off. */
    operatorToken: keySource.optional(),
    /** How this node follows each destination gateway's validator set: its epoch polled every `pollMs`,
     * the whole set read again after `maxAgeMs` at most (and at once when a delivery or a peer says so). */
    validatorSets: z
      .object({
        pollMs: z.number().int().min(10).max(600_000).default(5_000),
        maxAgeMs: z.number().int().min(100).max(3_600_000).default(30_000),
      })
      .strict()
      .default({ pollMs: 5_000, maxAgeMs: 30_000 }),
    /** The other nodes: where to ask for co-signatures, and the address their signatures must recover to.
     * A node listed here co-signs for a destination only while its signer is in that gateway's set, so a
     * node to be added may be listed in advance. */
    peers: z.array(z.object({ id: z.string().min(1), url: z.url(), signer: address }).strict()).default([]),
    chains: z.array(chainSchema).min(2),
    /** What this process runs (default: everything); `--roles` on the command line overrides it. */
    roles: rolesSchema.default([...NODE_ROLES]),
    /** How long a `watch` process's lease on a chain outlives it (after a SIGKILL) before a standby takes over. */
    watchLeaseMs: z.number().int().min(300).max(600_000).default(5_000),
    batch: z
      .object({ maxTransfers: z.number().int().min(1).max(512).default(128) })
      .strict()
      .default({ maxTransfers: 128 }),
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
        /** Refusals by peers after which a transfer is checked at its source and parked as stuck. */
        maxRefusals: z.number().int().min(1).max(10_000).default(20),
      })
      .strict()
      .default({ fallbackMs: 5_000, confirmPollMs: 500, retryLaterMs: 30_000, peerTimeoutMs: 3_000, concurrency: 4, maxRefusals: 20 }),
  })
  .strict()
  .superRefine((c, ctx) => {
    const names = new Set<string>();
    const ids = new Set<bigint>();
    c.chains.forEach((chain, i) => {
      if (names.has(chain.name))
        ctx.addIssue({ code: "custom", path: ["chains", i, "name"], message: `duplicate chain name ${chain.name}` });
      if (ids.has(chain.chainId))
        ctx.addIssue({ code: "custom", path: ["chains", i, "chainId"], message: `duplicate chain id ${chain.chainId}` });
      names.add(chain.name);
      ids.add(chain.chainId);
    });
    const evmNames = new Set(c.chains.filter((chain) => chain.family === "evm").map((chain) => chain.name));
    if (evmNames.size < 1) ctx.addIssue({ code: "custom", path: ["chains"], message: "at least one EVM chain (BTTC)" });
    c.chains.forEach((chain, i) => {
      if (chain.family === "tron" && !evmNames.has(chain.swapTo)) {
        ctx.addIssue({ code: "custom", path: ["chains", i, "swapTo"], message: `no EVM chain named ${chain.swapTo} to deliver swaps on` });
      }
    });
  });

export type RelayerConfig = z.infer<typeof relayerConfigSchema>;
export type EvmChainConfig = z.infer<typeof evmChainSchema>;
export type TronChainConfig = z.infer<typeof tronChainSchema>;
export type ChainConfig = EvmChainConfig | TronChainConfig;

export function evmChains(config: RelayerConfig): EvmChainConfig[] {
  return config.chains.filter((chain): chain is EvmChainConfig => chain.family === "evm");
}

export function tronChains(config: RelayerConfig): TronChainConfig[] {
  return config.chains.filter((chain): chain is TronChainConfig => chain.family === "tron");
}

/**
 * The TRON chain named `name` (default: the first) and the EVM chain its swaps land on, for the operator
 * commands; `origin` (the file) names where it is missing. (The schema makes sure `swapTo` exists.)
 */
export function tronSwapRoute(
  config: RelayerConfig,
  name: string | undefined,
  origin: string,
): { chain: TronChainConfig; swapTo: EvmChainConfig } {
  const chains = tronChains(config);
  const chain = name ? chains.find((c) => c.name === name) : chains[0];
  if (!chain) throw new ConfigError(name ? `no TRON chain named ${name} in ${origin}` : `no TRON chain in ${origin}`);
  return { chain, swapTo: evmChains(config).find((c) => c.name === chain.swapTo)! };
}
export function parseRelayerConfig(raw: unknown, origin = "relayer configuration"): RelayerConfig {
  return parseWith(relayerConfigSchema, raw, origin);
}

export function loadRelayerConfig(path: string): RelayerConfig {
  return loadJsonWith(relayerConfigSchema, path, "relayer configuration");
}

export function keyPrefixOf(config: RelayerConfig): string {
  return config.keyPrefix ?? `bttb:${config.id}:`;
}
