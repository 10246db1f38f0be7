// The watchtower's configuration file (docs/operations.md, "Watchtower"): every EVM chain with its
// gateway, TRON where swaps come from, what to do on an alarm, the guardian key, where to report and
// where to keep its state. Parsed once at start-up by one strict schema; a bad value stops start-up with
// a message naming it.
import { statSync } from "node:fs";
import { z } from "zod";
import { chainNameSchema, evmFinalitySchema, feeTypeSchema, tronAddressSchema } from "../common/chains/config.ts";
import { BTTOLD_TRC10_ID } from "../common/redenomination.ts";
import { ConfigError, addressSchema, loadJsonWith, parseWith, uintSchema } from "../common/schema.ts";

const evmChainSchema = z
  .object({
    name: chainNameSchema,
    chainId: uintSchema,
    rpcUrl: z.url(),
    gateway: addressSchema,
    /** BTTC holds the locked BTT and the reserve; every other chain mints bridged BTT. */
    kind: z.enum(["bttc", "remote"]),
    /** When a block counts as final: `confirmations` deep, or the node's `finalized` tag. */
    finality: evmFinalitySchema.default({ confirmations: 2 }),
    /** First block to read (the gateway's deployment block): every source event must be at or after it. */
    startBlock: uintSchema.default(0n),
    /** Largest block range per log query. */
    maxBlockRange: z.number().int().min(1).max(100_000).default(2_000),
    /** How the guardian's pause transaction pays for gas here (BTTC: legacy). */
    fees: z
      .object({ type: feeTypeSchema.default("auto") })
      .strict()
      .default({ type: "auto" }),
  })
  .strict();

const tronSchema = z
  .object({
    name: chainNameSchema.default("tron"),
    /** The id this bridge gives TRON: every TRON swap's srcChainId. */
    chainId: uintSchema,
    /** The node's HTTP API (java-tron full node, TronGrid, the development node). */
    fullHost: z.url(),
    /** Where `walletsolidity/*` is served, if not at fullHost. */
    solidityHost: z.url().optional(),
    /** The redenomination deposit address (T…). */
    depositAddress: tronAddressSchema,
    /** Blocks the solidified block trails the head by: a deposit counts as final only that deep. */
    solidityDepth: z.number().int().min(0).max(10_000).default(19),
    tokenId: z
      .string()
      .regex(/^[1-9]\d*$/, "a TRC-10 token id")
      .default(BTTOLD_TRC10_ID),
    /** Smallest deposit swapped, in TRC-10 base units: a smaller one delivered is an alarm. */
    minimumUnits: uintSchema.default(1n),
  })
  .strict();

export const watchtowerConfigSchema = z
  .object({
    /** `alert`: log, count, call the webhook. `pause`: and pause every gateway with the guardian key. */
    mode: z.enum(["alert", "pause"]),
    chains: z.array(evmChainSchema).min(2),
    tron: tronSchema.optional(),
    /** A file holding the guardian's private key, readable by its owner only (as the relayer keeps keys). */
    guardianKey: z
      .object({ file: z.string().min(1) })
      .strict()
      .optional(),
    /** Where each alarm is POSTed as JSON (retried in the background; never holds the checks up). */
    webhookUrl: z.url().optional(),
    http: z.object({ host: z.string().min(1).default("127.0.0.1"), port: z.number().int().min(0).max(65_535) }).strict(),
    /** Where the watchtower keeps its cursors, alarms and pauses (state.json, written atomically). */
    stateDir: z.string().min(1),
    /** Between two rounds. */
    pollIntervalMs: z.number().int().min(50).max(600_000).default(1_000),
    /** Per RPC request. */
    requestTimeoutMs: z.number().int().min(100).max(300_000).default(10_000),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.mode === "pause" && !c.guardianKey)
      ctx.addIssue({ code: "custom", path: ["guardianKey"], message: "pause mode needs the guardian key" });
    const bttc = c.chains.filter((x) => x.kind === "bttc");
    if (bttc.length !== 1)
      ctx.addIssue({ code: "custom", path: ["chains"], message: `exactly one chain of kind "bttc", got ${bttc.length}` });
    const names = new Set<string>();
    const ids = new Set<bigint>();
    for (const [i, chain] of c.chains.entries()) {
      if (names.has(chain.name)) ctx.addIssue({ code: "custom", path: ["chains", i, "name"], message: `${chain.name} is named twice` });
      if (ids.has(chain.chainId))
        ctx.addIssue({ code: "custom", path: ["chains", i, "chainId"], message: `${chain.chainId} is used twice` });
      names.add(chain.name);
      ids.add(chain.chainId);
    }
    if (c.tron && (ids.has(c.tron.chainId) || names.has(c.tron.name))) {
      ctx.addIssue({ code: "custom", path: ["tron"], message: "TRON's name and chain id must differ from every EVM chain's" });
    }
  });

export type WatchtowerConfig = z.infer<typeof watchtowerConfigSchema>;
export type WatchtowerChainConfig = WatchtowerConfig["chains"][number];
export type WatchtowerTronConfig = NonNullable<WatchtowerConfig["tron"]>;

export function parseWatchtowerConfig(raw: unknown, origin = "watchtower configuration"): WatchtowerConfig {
  return parseWith(watchtowerConfigSchema, raw, origin);
}

export function loadWatchtowerConfig(path: string): WatchtowerConfig {
  return loadJsonWith(watchtowerConfigSchema, path, "watchtower configuration");
}

/**
 * The guardian key file must be readable by its owner only (mode 0600 or stricter), as the devnet and
 * the relayer's deployments keep keys: a key others can read is refused rather than used.
 */
export function assertOwnerOnly(file: string): void {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (cause) {
    throw new ConfigError(`cannot read the guardian key file ${file}: ${(cause as Error).message}`);
  }
  if ((mode & 0o077) !== 0) {
    throw new ConfigError(`the guardian key file ${file} is readable by others (mode ${(mode & 0o777).toString(8)}): chmod 600 it`);
  }
}
