// Start-up: read config.json, then build the wagmi configuration (EIP-6963 discovery of browser
// wallets, the chains from config.json) and render the app. A bad or missing config.json is shown,
// not swallowed.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { http } from "viem";
import { createConfig, WagmiProvider, type CreateConfigParameters } from "wagmi";
import { ApiClient } from "./api/client.ts";
import { App } from "./App.tsx";
import { AppContext } from "./app-context.tsx";
import { loadConfig } from "./config.ts";
import { evmChainsOf } from "./wallet/evm-chains.ts";
import { WalletProvider } from "./wallet/wallet-context.tsx";
import "./styles.css";

async function start(root: HTMLElement): Promise<void> {
  const config = await loadConfig();
  const evmChains = evmChainsOf(config);
  if (evmChains.length === 0) throw new Error("config.json names no EVM chain (chains.bttc, chains.ethereum, chains.bsc)");
  const chains = evmChains.map((c) => c.chain) as unknown as CreateConfigParameters["chains"];
  const wagmiConfig = createConfig({
    chains,
    // No fixed connectors: every wallet the browser announces through EIP-6963 becomes one.
    connectors: [],
    multiInjectedProviderDiscovery: true,
    transports: Object.fromEntries(evmChains.map((c) => [c.chain.id, http(c.chain.rpcUrls.default.http[0])])),
  });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } } });
  createRoot(root).render(
    <StrictMode>
      <AppContext.Provider value={{ config, api: new ApiClient(config.apiUrl), evmChains }}>
        {/* A wallet connects when the user asks it to, never by itself on load (an authorized wallet would). */}
        <WagmiProvider config={wagmiConfig} reconnectOnMount={false}>
          <QueryClientProvider client={queryClient}>
            <WalletProvider>
              <App />
            </WalletProvider>
          </QueryClientProvider>
        </WagmiProvider>
      </AppContext.Provider>
    </StrictMode>,
  );
}

const root = document.getElementById("root")!;
start(root).catch((error: unknown) => {
  const box = document.createElement("p");
  box.setAttribute("role", "alert");
  box.className = "startup-error";
  box.textContent = `The page could not start: ${error instanceof Error ? error.message : String(error)}`;
  root.replaceChildren(box);
});
