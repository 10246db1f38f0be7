// The local testnet's chains (docs/protocol.md, "Chains"): names, ids and roles, with the ports the options give.
import type { DevnetOptions } from "./options.ts";
import { CHAIN_LABELS, DEVNET_CHAIN_IDS } from "../common/chains/registry.ts";

export interface DevnetEvmChain {
  name: "bttc" | "ethereum" | "bsc";
  label: string;
  chainId: bigint;
  role: "bttc" | "remote";
  port: number;
  rpcUrl: string;
  /** Legacy BTTOLD mock decimals on remote chains: one 6-decimal and one 18-decimal token, so both
   * conversions (10^15 and 1,000 wei per base unit) are there to try. */
  legacyDecimals?: number;
}

export function devnetEvmChains(o: DevnetOptions): DevnetEvmChain[] {
  const url = (port: number) => `http://${o.host}:${port}`;
  return [
    {
      name: "bttc",
      label: CHAIN_LABELS.bttc,
      chainId: DEVNET_CHAIN_IDS.bttc,
      role: "bttc",
      port: o.bttcPort,
      rpcUrl: url(o.bttcPort),
    },
    {
      name: "ethereum",
      label: CHAIN_LABELS.ethereum,
      chainId: DEVNET_CHAIN_IDS.ethereum,
      role: "remote",
      port: o.ethereumPort,
      rpcUrl: url(o.ethereumPort),
      legacyDecimals: 6,
    },
    {
      name: "bsc",
      label: CHAIN_LABELS.bsc,
      chainId: DEVNET_CHAIN_IDS.bsc,
      role: "remote",
      port: o.bscPort,
      rpcUrl: url(o.bscPort),
      legacyDecimals: 18,
    },
  ];
}
