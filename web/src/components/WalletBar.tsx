// The wallets: a browser wallet (one button per wallet announced through EIP-6963), TronLink, and on a
// devnet a demo account that stands for both. The connected addresses are shown in full.
import { useState } from "react";
import { useApp } from "../app-context.tsx";
import { useWallets } from "../wallet/wallet-context.tsx";
import { EvmWalletList } from "./EvmWalletList.tsx";

export function WalletBar() {
  const { config } = useApp();
  const wallets = useWallets();
  const [listOpen, setListOpen] = useState(false);
  const [tronError, setTronError] = useState<string | null>(null);

  const connectTron = async () => {
    setTronError(null);
    try {
      await wallets.connectTron();
    } catch (error) {
      setTronError(tronLinkMessage(error));
    }
  };

  return (
    <section className="wallet-bar" aria-label="Wallets">
      <div className="wallet-slot">
        {wallets.evm ? (
          <p className="account">
            <span className="account-kind">{wallets.evm.label}</span>
            <code data-testid="evm-account">{wallets.evm.address}</code>
            {wallets.evm.kind === "injected" && (
              <button type="button" className="link-button" onClick={() => wallets.disconnectEvm()}>
                Disconnect
              </button>
            )}
          </p>
        ) : (
          <button type="button" aria-expanded={listOpen} aria-controls="evm-wallets" onClick={() => setListOpen((o) => !o)}>
            Connect wallet
          </button>
        )}
        {listOpen && !wallets.evm && <EvmWalletList id="evm-wallets" onDone={() => setListOpen(false)} />}
      </div>

      <div className="wallet-slot">
        {wallets.tron ? (
          <p className="account">
            <span className="account-kind">{wallets.tron.kind === "tronlink" ? "TronLink" : wallets.tron.label} (TRON)</span>
            <code data-testid="tron-account">{wallets.tron.address}</code>
            {wallets.tron.kind === "tronlink" && (
              <button type="button" className="link-button" onClick={() => void wallets.disconnectTron()}>
                Disconnect
              </button>
            )}
          </p>
        ) : (
          <button type="button" onClick={() => void connectTron()}>
            Connect TronLink
          </button>
        )}
        {tronError && (
          <p role="alert" className="error">
            {tronError}
          </p>
        )}
      </div>

      {config.devnet && config.demoAccounts.length > 0 && (
        <div className="wallet-slot demo">
          <label htmlFor="demo-account">Demo account</label>
          <select
            id="demo-account"
            value={wallets.demoIndex ?? ""}
            onChange={(e) => wallets.chooseDemo(e.target.value === "" ? null : Number(e.target.value))}
          >
            <option value="">None (use a wallet)</option>
            {config.demoAccounts.map((a) => (
              <option key={a.index} value={a.index}>
                Demo account {a.index}
              </option>
            ))}
          </select>
        </div>
      )}
    </section>
  );
}

function tronLinkMessage(error: unknown): string {
  const name = error instanceof Error ? error.name : "";
  if (name === "WalletNotFoundError") return "TronLink was not found in this browser: install it, or use another wallet.";
  if (name === "WalletWindowClosedError" || name === "WalletConnectionError")
    return "TronLink did not connect: approve the request in TronLink.";
  return `TronLink did not connect: ${error instanceof Error ? error.message : String(error)}`;
}
