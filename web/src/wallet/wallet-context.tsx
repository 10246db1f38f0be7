// The connected wallets, one per family: an EVM wallet (a browser wallet through wagmi, or a demo
// account) and a TRON wallet (TronLink, or the same demo account). Choosing a demo account makes it both.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { useConfig, useConnection, useDisconnect } from "wagmi";
import { useApp } from "../app-context.tsx";
import { demoEvmWallet, demoTronWallet } from "./demo.ts";
import { injectedEvmWallet } from "./injected.ts";
import { connectTronLink, disconnectTronLink, tronLinkWallet } from "./tronlink.ts";
import type { EvmWallet, TronWallet } from "./types.ts";

export interface Wallets {
  evm: EvmWallet | null;
  tron: TronWallet | null;
  demoIndex: number | null;
  chooseDemo(index: number | null): void;
  connectTron(): Promise<void>;
  disconnectTron(): Promise<void>;
  disconnectEvm(): void;
}

const WalletContext = createContext<Wallets | null>(null);

export function WalletProvider({ children }: { children: ReactNode }) {
  const { config, evmChains } = useApp();
  const wagmiConfig = useConfig();
  const connection = useConnection();
  const { mutate: disconnect } = useDisconnect();
  const [demoIndex, setDemoIndex] = useState<number | null>(null);
  const [tronLinkAddress, setTronLinkAddress] = useState<string | null>(null);

  const demo = demoIndex === null ? undefined : config.demoAccounts.find((a) => a.index === demoIndex);
  const injectedAddress = connection.status === "connected" ? connection.address : undefined;
  const injectedName = connection.connector?.name ?? "Browser wallet";

  const evm = useMemo<EvmWallet | null>(() => {
    if (demo) return demoEvmWallet(demo, evmChains);
    if (injectedAddress) return injectedEvmWallet(wagmiConfig, evmChains, injectedAddress, injectedName);
    return null;
  }, [demo, injectedAddress, injectedName, evmChains, wagmiConfig]);

  const tron = useMemo<TronWallet | null>(() => {
    if (demo) return demoTronWallet(demo);
    if (tronLinkAddress) return tronLinkWallet(tronLinkAddress);
    return null;
  }, [demo, tronLinkAddress]);

  const connectTron = useCallback(async () => {
    const wallet = await connectTronLink(setTronLinkAddress);
    setDemoIndex(null);
    setTronLinkAddress(wallet.address);
  }, []);

  const value: Wallets = {
    evm,
    tron,
    demoIndex,
    chooseDemo: setDemoIndex,
    connectTron,
    disconnectTron: async () => {
      setTronLinkAddress(null);
      await disconnectTronLink();
    },
    disconnectEvm: () => disconnect({}),
  };
  return <WalletContext.Provider value={value}>{children}</WalletContext.Provider>;
}

export function useWallets(): Wallets {
  const value = useContext(WalletContext);
  if (!value) throw new Error("useWallets outside WalletProvider");
  return value;
}
