// The chain entries of a configuration file, as far as every part reads them alike: the relayer's and the
// API's configurations `.extend` these with what only they need (relayer/config.ts, api/config.ts), so a
// chain is described the same way, checked the same way, in both files.
import { z } from "zod";
import { BTTOLD_TRC10_ID } from "../redenomination.ts";
import { addressSchema as address, uintSchema as uint } from "../schema.ts";
import { isTronAddress } from "../tron/address.ts";

/** A chain's configuration name ("bttc", "ethereum", …; see ./registry.ts). */
export const chainNameSchema = z.string().regex(/^[a-z][a-z0-9-]*$/, "a lower-case name");

/** When a block counts as final: `confirmations` blocks deep, or the node's `finalized` tag. */
export const evmFinalitySchema = z.union([
  z.object({ confirmations: z.number().int().min(0).max(10_000) }).strict(),
  z.object({ tag: z.literal("finalized") }).strict(),
]);

/**
 * How transactions sent on a chain pay for gas (docs/operations.md, "Fees"): `legacy` (a `gasPrice`, type 0:
 * BTTC, whose rules stop at Berlin), `eip1559` (type 2), or `auto`: legacy where the latest block carries
 * no base fee, EIP-1559 where it does.
 */
export const feeTypeSchema = z.enum(["auto", "legacy", "eip1559"]);
export type FeeType = z.infer<typeof feeTypeSchema>;
export const evmFeesSchema = z.object({ type: feeTypeSchema.default("auto") }).strict();

/** java-tron's base58check address (T…), checked for its checksum. */
export const tronAddressSchema = z.string().refine(isTronAddress, "a base58 TRON address (T…)");

/** An EVM chain with a gateway. */
export const evmChainBaseSchema = z
  .object({
    name: chainNameSchema,
    family: z.literal("evm"),
    chainId: uint,
    rpcUrl: z.url(),
    gateway: address,
    finality: evmFinalitySchema.default({ confirmations: 2 }),
    /** First block to scan for the gateway's logs (e.g. its deployment block). */
    startBlock: uint.default(0n),
    /** Largest block range per log query. */
    maxBlockRange: z.number().int().min(1).max(100_000).default(2_000),
    /** Which kind of transaction everything sending here uses (default: as the chain's blocks say). */
    fees: evmFeesSchema.default({ type: "auto" }),
  })
  .strict();

/**
 * TRON as a source of swaps (docs/protocol.md, "TRON swaps"): TRC-10 BTTOLD sent to `depositAddress` with a swap memo becomes
 * a swap delivered on BTTC.
 */
export const tronChainBaseSchema = z
  .object({
    name: chainNameSchema,
    family: z.literal("tron"),
    /** The id this bridge gives TRON (devnet 1337728, mainnet 728126428): every swap's srcChainId. */
    chainId: uint,
    /** The node's HTTP API: java-tron's full node (:8090), TronGrid, or the development node (:9090). */
    fullHost: z.url(),
    /** The redenomination deposit account, base58. */
    depositAddress: tronAddressSchema,
    /** The TRC-10 token swapped. */
    tokenId: z
      .string()
      .regex(/^[1-9]\d*$/, "a TRC-10 token id")
      .default(BTTOLD_TRC10_ID),
    /** Smallest deposit swapped, in TRC-10 base units (10^-6 BTTOLD); smaller ones are rejected (and refundable). */
    minimumUnits: uint.default(1n),
  })
  .strict();

export type EvmChainBase = z.infer<typeof evmChainBaseSchema>;
export type TronChainBase = z.infer<typeof tronChainBaseSchema>;
