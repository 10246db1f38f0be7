// Find transfers by id, by source transaction, or by address; and the connected wallets' history.
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ApiRequestError, type ApiClient } from "../api/client.ts";
import type { Transfer } from "../api/types.ts";
import { useApp } from "../app-context.tsx";
import { Field } from "../components/Field.tsx";
import { TransferList } from "../components/TransferList.tsx";
import { navigate } from "../router.ts";
import { useWallets } from "../wallet/wallet-context.tsx";

/** What the text names: a 32-byte hash may be a transfer id or a source transaction; an address, a history. */
async function search(api: ApiClient, text: string): Promise<Transfer[]> {
  const q = text.trim();
  if (/^0x[0-9a-fA-F]{64}$/.test(q)) {
    try {
      return [await api.transfer(q)];
    } catch (error) {
      if (!(error instanceof ApiRequestError && error.status === 404)) throw error;
    }
    return (await api.bySourceTx(q)).transfers;
  }
  if (/^[0-9a-fA-F]{64}$/.test(q)) return (await api.bySourceTx(q)).transfers; // a TRON transaction id
  if (/^(0x[0-9a-fA-F]{40}|T[1-9A-HJ-NP-Za-km-z]{33})$/.test(q)) return (await api.history(q)).transfers;
  throw new Error("Enter a transfer id or transaction hash (0x and 64 hex digits), a TRON transaction id, or an address.");
}

export function TransfersPage({ initialQuery }: { initialQuery: string | null }) {
  const { api } = useApp();
  const [text, setText] = useState(initialQuery ?? "");
  const [query, setQuery] = useState(initialQuery);
  const found = useQuery({ queryKey: ["search", query], enabled: !!query, queryFn: () => search(api, query!), retry: false });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setQuery(text.trim() || null);
    if (text.trim()) navigate(`#/transfers/${encodeURIComponent(text.trim())}`);
  };

  return (
    <section className="page" aria-labelledby="transfers-title">
      <h1 id="transfers-title">Transfers</h1>
      <p className="lead">Follow a swap or a bridge transfer by its id, its source transaction, or an address.</p>
      <form className="panel search" role="search" onSubmit={submit}>
        <Field id="search" label="Transfer id, source transaction or address" error={found.isError ? found.error.message : undefined}>
          {(aria) => (
            <input
              {...aria}
              className="mono"
              value={text}
              onChange={(e) => setText(e.target.value)}
              spellCheck={false}
              autoComplete="off"
            />
          )}
        </Field>
        <button type="submit" className="primary">
          Find
        </button>
      </form>
      {query && found.isPending && <p role="status">Searching…</p>}
      {found.data && (
        <>
          <h2>Results</h2>
          <TransferList transfers={found.data} label="Results" />
        </>
      )}
      <YourTransfers />
    </section>
  );
}

function YourTransfers() {
  const { api } = useApp();
  const { evm, tron } = useWallets();
  const addresses = [evm?.address, tron?.address].filter((a): a is string => !!a);
  const history = useQuery({
    queryKey: ["history", addresses],
    enabled: addresses.length > 0,
    refetchInterval: 10_000,
    queryFn: async () => {
      const pages = await Promise.all(addresses.map((a) => api.history(a)));
      const seen = new Map<string, Transfer>();
      for (const t of pages.flatMap((p) => p.transfers)) seen.set(t.id, t);
      return [...seen.values()].sort((a, b) => ((a.timeline[0]?.at ?? "") < (b.timeline[0]?.at ?? "") ? 1 : -1));
    },
  });
  if (addresses.length === 0) return <p className="muted">Connect a wallet to see your transfers.</p>;
  return (
    <>
      <h2>Your transfers</h2>
      {history.isError && (
        <p role="alert" className="form-error">
          {history.error.message}
        </p>
      )}
      {history.data && <TransferList transfers={history.data} label="Your transfers" />}
    </>
  );
}
