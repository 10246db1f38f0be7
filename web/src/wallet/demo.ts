// On a devnet only: the demo accounts (Hardhat's public development keys) as a wallet built into the
// page, signing with the key in the page — EVM transactions through a viem local account, TRON
// transactions by signing their id (sha256 of raw_data) with the same secp256k1 key, as TronWeb does.
import { createWalletClient, hexToBytes, http, serializeSignature, sha256, type Hex } from "viem";
import { privateKeyToAccount, sign } from "viem/accounts";
import type { EvmTransaction, TronTransaction } from "../api/types.ts";
import type { EvmChainEntry } from "./evm-chains.ts";
import type { EvmWallet, TronWallet } from "./types.ts";
import { toViemRequest, chainFor } from "./evm-send.ts";

export interface DemoAccount {
  index: number;
  address: string;
  tronAddress: string;
  privateKey: string;
}

export function demoEvmWallet(account: DemoAccount, chains: EvmChainEntry[]): EvmWallet {
  const local = privateKeyToAccount(account.privateKey as Hex);
  return {
    kind: "demo",
    label: `Demo account ${account.index}`,
    address: local.address,
    async send(transaction: EvmTransaction) {
      const entry = chainFor(chains, transaction.chainId);
      const client = createWalletClient({ account: local, chain: entry.chain, transport: http(entry.chain.rpcUrls.default.http[0]) });
      return client.sendTransaction({ ...toViemRequest(transaction), account: local, chain: entry.chain });
    },
  };
}

export function demoTronWallet(account: DemoAccount): TronWallet {
  return {
    kind: "demo",
    label: `Demo account ${account.index}`,
    address: account.tronAddress,
    async sign(transaction: TronTransaction) {
      // A TRON transaction's id is sha256 of its raw_data bytes: the id signed must be of the bytes sent.
      const id = sha256(hexToBytes(`0x${transaction.raw_data_hex}`)).slice(2);
      if (id !== transaction.txID.toLowerCase())
        throw new Error("The TRON transaction's id does not match its content; nothing was signed.");
      const signature = await sign({ hash: `0x${id}`, privateKey: account.privateKey as Hex });
      return { ...transaction, signature: [serializeSignature(signature).slice(2)] };
    },
  };
}
