// Which token an amount is in, so that no amount is shown without its name (docs/api.md, "Tokens"):
// legacy BTTOLD (TRC-10 1002000 on TRON; the ERC-20/BEP-20 each remote gateway takes in, with its own
// decimals), BTT native on BTTC, and bridged BTT on a remote chain (an ERC-20/BEP-20: the remote gateway
// is the token itself).
import { z } from "zod";
import { BTT_DECIMALS, BTTOLD_TRC10_DECIMALS } from "../common/redenomination.ts";
import { EvmChain } from "./chains/evm-chain.ts";
import type { ChainRegistry } from "./chains/registry.ts";
import { TronChain } from "./chains/tron-chain.ts";

export interface TokenInfo {
  symbol: "BTTOLD" | "BTT";
  standard: "TRC-10" | "ERC-20" | "BEP-20" | "native";
  tokenId: string | null;
  address: string | null;
  decimals: number;
  chain: string;
}

export interface TokenPair {
  sent: TokenInfo;
  received: TokenInfo;
}

export const tokenInfoSchema = z
  .object({
    symbol: z.enum(["BTTOLD", "BTT"]),
    standard: z.enum(["TRC-10", "ERC-20", "BEP-20", "native"]),
    tokenId: z.string().nullable().meta({ description: "TRC-10 token id (TRON BTTOLD: 1002000)" }),
    address: z.string().nullable().meta({ description: "The token contract (null for a native coin or a TRC-10)" }),
    decimals: z.number().int(),
    chain: z.string(),
  })
  .meta({ id: "Token" });

export const tokenPairSchema = z
  .object({ sent: tokenInfoSchema, received: tokenInfoSchema })
  .meta({ id: "Tokens", description: "What the sender sends and what the recipient receives, by token" });

/** BTT on an EVM chain: native on BTTC, bridged (the gateway's ERC-20/BEP-20) on a remote chain. */
export function bttOn(chain: EvmChain): TokenInfo {
  return chain.config.role === "bttc"
    ? { symbol: "BTT", standard: "native", tokenId: null, address: null, decimals: BTT_DECIMALS, chain: chain.name }
    : {
        symbol: "BTT",
        standard: chain.tokenStandard,
        tokenId: null,
        address: chain.config.gateway,
        decimals: BTT_DECIMALS,
        chain: chain.name,
      };
}

/** Legacy BTTOLD on a source chain: TRON's TRC-10, or the remote gateway's legacy token (read from it). */
export async function bttoldOn(chain: EvmChain | TronChain): Promise<TokenInfo> {
  if (chain instanceof TronChain) {
    return {
      symbol: "BTTOLD",
      standard: "TRC-10",
      tokenId: chain.config.tokenId,
      address: null,
      decimals: BTTOLD_TRC10_DECIMALS,
      chain: chain.name,
    };
  }
  const rules = await chain.swapRules();
  return {
    symbol: "BTTOLD",
    standard: chain.tokenStandard,
    tokenId: null,
    address: rules?.legacyToken ?? chain.config.legacyToken ?? null,
    decimals: rules?.legacyDecimals ?? BTT_DECIMALS,
    chain: chain.name,
  };
}

/** The tokens of a transfer from `srcChainId` to `dstChainId`; null where a chain is not configured. */
export async function tokensOf(
  chains: ChainRegistry,
  kind: "bridge" | "swap",
  srcChainId: bigint,
  dstChainId: bigint,
): Promise<TokenPair | null> {
  const src = chains.byId(srcChainId);
  const dst = chains.byId(dstChainId);
  if (!src || !(dst instanceof EvmChain)) return null;
  if (kind === "swap") return { sent: await bttoldOn(src), received: bttOn(dst) };
  if (!(src instanceof EvmChain)) return null;
  return { sent: bttOn(src), received: bttOn(dst) };
}
