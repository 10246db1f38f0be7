// The devnet's (or a deployment's) EVM chains as viem chains, built from config.json at run time, so
// that a wallet can be asked to switch to them — and to add them (wallet_addEthereumChain) with the
// RPC URL from the configuration when it does not know them yet.
import { createPublicClient, defineChain, http, type Chain, type PublicClient } from "viem";
import type { EvmChainName, RuntimeConfig } from "../config.ts";
import { CHAIN_LABELS } from "../chains.ts";

const NATIVE: Record<EvmChainName, { name: string; symbol: string }> = {
  bttc: { name: "BitTorrent", symbol: "BTT" },
  ethereum: { name: "Ether", symbol: "ETH" },
  bsc: { name: "BNB", symbol: "BNB" },
};

export interface EvmChainEntry {
  name: EvmChainName;
  chain: Chain;
  client: PublicClient;
}

export function evmChainsOf(config: RuntimeConfig): EvmChainEntry[] {
  const entries: EvmChainEntry[] = [];
  for (const name of ["bttc", "ethereum", "bsc"] as const) {
    const c = config.chains[name];
    if (!c) continue;
    const chain = defineChain({
      id: Number(c.chainId),
      name: c.name ?? `${CHAIN_LABELS[name]}${config.devnet ? " (devnet)" : ""}`,
      nativeCurrency: { ...NATIVE[name], decimals: 18 },
      rpcUrls: { default: { http: [c.rpcUrl] } },
    });
    entries.push({ name, chain, client: createPublicClient({ chain, transport: http(c.rpcUrl) }) });
  }
  return entries;
}
