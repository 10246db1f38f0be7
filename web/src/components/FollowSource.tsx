// After the last transaction is sent: waits until the API knows the transfer it started (found by the
// source transaction's hash), then opens its page. Until then, the hash is shown with a link.
import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { useApp } from "../app-context.tsx";
import { navigate, transferHref } from "../router.ts";
import { chainLabel } from "../chains.ts";

export function FollowSource({ chain, txHash }: { chain: string; txHash: string }) {
  const { api } = useApp();
  const found = useQuery({
    queryKey: ["bySourceTx", txHash],
    queryFn: () => api.bySourceTx(txHash),
    refetchInterval: (q) => ((q.state.data?.transfers.length ?? 0) > 0 ? false : 1_500),
    retry: true,
  });
  const id = found.data?.transfers[0]?.id;
  useEffect(() => {
    if (id) navigate(transferHref(id));
  }, [id]);
  return (
    <div className="panel follow" role="status" aria-live="polite">
      <p>
        Sent on {chainLabel(chain)}:{" "}
        <a href={`#/transfers/${txHash}`}>
          <code className="hash">{txHash}</code>
        </a>
      </p>
      <p>{id ? "Found: opening the transfer…" : "Waiting for the bridge to see the transaction (a few blocks)…"}</p>
    </div>
  );
}
