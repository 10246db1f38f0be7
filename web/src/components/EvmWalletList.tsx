// The browser wallets that announced themselves (EIP-6963), each a button with the wallet's own name
// and icon; choosing one asks it to connect.
import { useState } from "react";
import { useConnect, useConnectors } from "wagmi";
import { useWallets } from "../wallet/wallet-context.tsx";

export function EvmWalletList({ id, onDone }: { id: string; onDone: () => void }) {
  const connectors = useConnectors();
  const { mutateAsync: connect, isPending } = useConnect();
  const wallets = useWallets();
  const [error, setError] = useState<string | null>(null);

  const choose = async (connector: (typeof connectors)[number]) => {
    setError(null);
    try {
      await connect({ connector });
      wallets.chooseDemo(null);
      onDone();
    } catch (e) {
      setError(`${connector.name} did not connect: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    }
  };

  return (
    <div id={id} className="wallet-list" role="group" aria-label="Browser wallets">
      {connectors.length === 0 ? (
        <p>
          No browser wallet announced itself (EIP-6963). Install one, or{" "}
          {wallets.demoIndex === null ? "pick a demo account on a devnet" : "use the demo account"}.
        </p>
      ) : (
        <ul>
          {connectors.map((c) => (
            <li key={c.uid}>
              <button type="button" disabled={isPending} onClick={() => void choose(c)}>
                {c.icon && <img src={c.icon} alt="" width={20} height={20} />}
                {c.name}
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
