// What the page says about each chain and its tokens: display names, the token each side holds.
import type { EvmChainName } from "./config.ts";

export type ChainName = EvmChainName | "tron";

export const CHAIN_LABELS: Record<ChainName, string> = {
  bttc: "BTTC",
  ethereum: "Ethereum",
  bsc: "BNB Chain",
  tron: "TRON",
};

export function chainLabel(name: string | null | undefined): string {
  return name && Object.hasOwn(CHAIN_LABELS, name) ? CHAIN_LABELS[name as ChainName] : (name ?? "unknown chain");
}

/** The token standard of a chain's fungible tokens (BSC's ERC-20 is called BEP-20). */
export function tokenStandard(chain: string): string {
  if (chain === "tron") return "TRC-10";
  if (chain === "bsc") return "BEP-20";
  return "ERC-20";
}

/** BTT as held on `chain`: native on BTTC, the bridged token elsewhere. */
export function bttName(chain: string): string {
  return chain === "bttc" ? "BTT" : `BTT (${tokenStandard(chain)})`;
}

export const BTT_DECIMALS = 18;
export const TRC10_BTTOLD_ID = "1002000";
export const TRC10_BTTOLD_DECIMALS = 6;
