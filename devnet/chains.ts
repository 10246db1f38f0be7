// The local testnet's chains (docs/protocol.md, "Chains"): names, ids and roles, with the ports the options give.
import type { DevnetOptions } from "./options.ts";

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

export const TRON_CHAIN_ID = 1337728n;

export function devnetEvmChains(o: DevnetOptions): DevnetEvmChain[] {
  const url = (port: number) => `http://${o.host}:${port}`;
  return [
    { name: "bttc", label: "BitTorrent Chain", chainId: 1337199n, role: "bttc", port: o.bttcPort, rpcUrl: url(o.bttcPort) },
    {
      name: "ethereum",
      label: "Ethereum",
      chainId: 1337001n,
      role: "remote",
      port: o.ethereumPort,
      rpcUrl: url(o.ethereumPort),
      legacyDecimals: 6,
    },
    { name: "bsc", label: "BNB Chain", chainId: 1337056n, role: "remote", port: o.bscPort, rpcUrl: url(o.bscPort), legacyDecimals: 18 },
  ];
}
