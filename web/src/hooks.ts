// Data the forms share: the chains as the API reports them, a legacy token's decimals (read from the
// token itself, so that an amount can be converted before the first quote), a debounced value.
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { erc20Abi, type Hex } from "viem";
import { useApp } from "./app-context.tsx";
import { TRC10_BTTOLD_DECIMALS } from "./chains.ts";

export function useChainsInfo() {
  const { api } = useApp();
  return useQuery({ queryKey: ["chains"], queryFn: () => api.chains(), staleTime: 30_000 });
}

/** BTTOLD's decimals on `chain`: 6 for the TRC-10 token; an ERC-20's own `decimals()` elsewhere. */
export function useLegacyDecimals(chain: string) {
  const { evmChains } = useApp();
  const chains = useChainsInfo();
  const token = chains.data?.chains.find((c) => c.name === chain)?.legacyToken ?? null;
  return useQuery({
    queryKey: ["legacyDecimals", chain, token],
    enabled: chain === "tron" || token !== null,
    staleTime: Infinity,
    queryFn: async () => {
      if (chain === "tron") return TRC10_BTTOLD_DECIMALS;
      const entry = evmChains.find((c) => c.name === chain);
      if (!entry) throw new Error(`config.json has no RPC URL for ${chain}`);
      return entry.client.readContract({ address: token as Hex, abi: erc20Abi, functionName: "decimals" });
    },
  });
}

export function useDebounced<T>(value: T, ms = 300): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}
