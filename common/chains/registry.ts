// The chains the bridge knows (docs/protocol.md, "Chains"): their names, and the chain ids of the local
// testnet and of the public networks. Configuration names the ids of a real deployment; these constants
// are what the devnet, the tests and the defaults use, written once.

/** Every chain by its configuration name. */
export const CHAIN_NAMES = ["bttc", "ethereum", "bsc", "tron"] as const;
export type ChainName = (typeof CHAIN_NAMES)[number];

/** The EVM chains: BTTC (BTT's home) and the remote chains with bridged BTT. */
export const EVM_CHAIN_NAMES = ["bttc", "ethereum", "bsc"] as const;
export type EvmChainName = (typeof EVM_CHAIN_NAMES)[number];

/** Local testnet ids: unlike every public chain's, so a signature made on a devnet is worthless elsewhere. */
export const DEVNET_CHAIN_IDS = {
  bttc: 1337199n,
  ethereum: 1337001n,
  bsc: 1337056n,
  tron: 1337728n,
} as const satisfies Record<ChainName, bigint>;

/** The public networks' ids (TRON: its JSON-RPC id). */
export const MAINNET_CHAIN_IDS = {
  bttc: 199n,
  ethereum: 1n,
  bsc: 56n,
  tron: 728126428n,
} as const satisfies Record<ChainName, bigint>;

/** What each chain's display name is. */
export const CHAIN_LABELS = {
  bttc: "BitTorrent Chain",
  ethereum: "Ethereum",
  bsc: "BNB Chain",
  tron: "TRON",
} as const satisfies Record<ChainName, string>;
