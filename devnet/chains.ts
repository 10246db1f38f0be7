// The local testnet's chains (docs/protocol.md, "Chains"): names, ids and roles, with the ports the options give.
import type { DevnetOptions } from "./options.ts";
import { CHAIN_LABELS, DEVNET_CHAIN_IDS } from "../common/chains/registry.ts";

/** Each chain's rules on the devnet and in the tests: its mainnet's (docs/operations.md, "The devnet's chains"). */
export const EVM_HARDFORKS = { bttc: "berlin", ethereum: "prague", bsc: "cancun" } as const;
export type Hardfork = (typeof EVM_HARDFORKS)[keyof typeof EVM_HARDFORKS];

/** The `hardhat node` network (hardhat.config.ts) of each devnet chain: its hardfork and chain id. */
export const DEVNET_NETWORKS = { bttc: "devnetBttc", ethereum: "devnetEthereum", bsc: "devnetBsc" } as const;

/** The hardfork of the chain with this devnet id (BTTC Berlin, BSC Cancun, anything else Prague). */
export function hardforkOf(chainId: bigint): Hardfork {
  if (chainId === DEVNET_CHAIN_IDS.bttc) return EVM_HARDFORKS.bttc;
  if (chainId === DEVNET_CHAIN_IDS.bsc) return EVM_HARDFORKS.bsc;
  return EVM_HARDFORKS.ethereum;
}

export interface DevnetEvmChain {
  name: "bttc" | "ethereum" | "bsc";
  label: string;
  chainId: bigint;
  role: "bttc" | "remote";
  /** The hardhat.config.ts network its `hardhat node` runs (its rules and chain id). */
  network: string;
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
      network: DEVNET_NETWORKS.bttc,
      role: "bttc",
      port: o.bttcPort,
      rpcUrl: url(o.bttcPort),
    },
    {
      name: "ethereum",
      label: CHAIN_LABELS.ethereum,
      chainId: DEVNET_CHAIN_IDS.ethereum,
      network: DEVNET_NETWORKS.ethereum,
      role: "remote",
      port: o.ethereumPort,
      rpcUrl: url(o.ethereumPort),
      legacyDecimals: 6,
    },
    {
      name: "bsc",
      label: CHAIN_LABELS.bsc,
      chainId: DEVNET_CHAIN_IDS.bsc,
      network: DEVNET_NETWORKS.bsc,
      role: "remote",
      port: o.bscPort,
      rpcUrl: url(o.bscPort),
      legacyDecimals: 18,
    },
  ];
}
