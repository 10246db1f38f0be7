// What every component reads: the runtime configuration, the API client and the EVM chains.
import { createContext, useContext } from "react";
import type { ApiClient } from "./api/client.ts";
import type { RuntimeConfig } from "./config.ts";
import type { EvmChainEntry } from "./wallet/evm-chains.ts";

export interface AppContextValue {
  config: RuntimeConfig;
  api: ApiClient;
  evmChains: EvmChainEntry[];
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error("useApp outside AppContext");
  return value;
}
