// The page: header (name, navigation, wallets) and the current route's page.
import { useEffect, useRef } from "react";
import { Nav } from "./components/Nav.tsx";
import { WalletBar } from "./components/WalletBar.tsx";
import { BridgePage } from "./pages/BridgePage.tsx";
import { StatsPage } from "./pages/StatsPage.tsx";
import { SwapPage } from "./pages/SwapPage.tsx";
import { TransferPage } from "./pages/TransferPage.tsx";
import { TransfersPage } from "./pages/TransfersPage.tsx";
import { useRoute } from "./router.ts";
import { useApp } from "./app-context.tsx";

export function App() {
  const route = useRoute();
  const { config } = useApp();
  const main = useRef<HTMLElement>(null);
  // A new page moves focus to its content, so that keyboard and screen-reader users land there.
  useEffect(() => {
    main.current?.focus({ preventScroll: true });
  }, [route.page]);
  return (
    <>
      <a className="skip-link" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        Skip to content
      </a>
      <header className="site-header">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            ◆
          </span>
          BTT Bridge {config.devnet && <span className="badge">devnet</span>}
        </div>
        <Nav current={route.page} />
        <WalletBar />
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {route.page === "swap" && <SwapPage />}
        {route.page === "bridge" && <BridgePage />}
        {route.page === "transfers" && <TransfersPage initialQuery={route.query} />}
        {route.page === "transfer" && <TransferPage id={route.id} key={route.id} />}
        {route.page === "stats" && <StatsPage />}
      </main>
      <footer className="site-footer">
        API <code>{config.apiUrl}</code>
      </footer>
    </>
  );
}
