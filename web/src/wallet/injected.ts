// A browser wallet (EIP-1193, found through EIP-6963 by wagmi's injected connectors): switched to the
// transaction's chain first — wagmi asks wallet_switchEthereumChain, and wallet_addEthereumChain with the
// chain from config.json when the wallet does not know it — then asked to send it.
import type { Config } from "wagmi";
import { getConnection, sendTransaction, switchChain } from "wagmi/actions";
import type { Hex } from "viem";
import type { EvmTransaction } from "../api/types.ts";
import type { EvmChainEntry } from "./evm-chains.ts";
import { chainFor, toViemRequest } from "./evm-send.ts";
import type { EvmWallet } from "./types.ts";

export function injectedEvmWallet(config: Config, chains: EvmChainEntry[], address: Hex, label: string): EvmWallet {
  return {
    kind: "injected",
    label,
    address,
    async send(transaction: EvmTransaction) {
      const entry = chainFor(chains, transaction.chainId);
      if (getConnection(config).chainId !== entry.chain.id) await switchChain(config, { chainId: entry.chain.id });
      return sendTransaction(config, { ...toViemRequest(transaction), account: address, chainId: entry.chain.id });
    },
  };
}
