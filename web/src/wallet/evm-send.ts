// An API-built EVM transaction as a viem/wagmi request: amounts stay bigint, a `type: 0` transaction
// (BTTC's Berlin rules take no EIP-1559) goes out as legacy with the API's gasPrice, others let the
// wallet pick EIP-1559 fees.
import type { Hex } from "viem";
import type { EvmTransaction } from "../api/types.ts";
import type { EvmChainEntry } from "./evm-chains.ts";

export function toViemRequest(t: EvmTransaction) {
  const base = { to: t.to as Hex, data: t.data as Hex, value: BigInt(t.value) };
  return t.type === 0 && t.gasPrice !== undefined ? { ...base, type: "legacy" as const, gasPrice: BigInt(t.gasPrice) } : base;
}

export function chainFor(chains: EvmChainEntry[], chainId: string): EvmChainEntry {
  const entry = chains.find((c) => String(c.chain.id) === chainId);
  if (!entry)
    throw new Error(`This page has no RPC for chain id ${chainId} (config.json lists ${chains.map((c) => c.chain.id).join(", ")}).`);
  return entry;
}
