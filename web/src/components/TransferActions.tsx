// What the user can do for a waiting transfer: deliver it from their own wallet with the signatures the
// validators gave (GET /v1/transfers/:id/delivery), or claim a payout held on BTTC (GET /v1/claims/:address).
// Both are ordinary transactions anyone may send; the API builds them, the wallet sends them.
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { formatAmount } from "../amounts.ts";
import type { EvmTransaction, Transfer } from "../api/types.ts";
import { useApp } from "../app-context.tsx";
import { BTT_DECIMALS, chainLabel } from "../chains.ts";
import { chainFor } from "../wallet/evm-send.ts";
import { useWallets } from "../wallet/wallet-context.tsx";
import { shortError } from "./SwapForm.tsx";

export function TransferActions({ transfer: t }: { transfer: Transfer }) {
  const { api, evmChains } = useApp();
  const { evm } = useWallets();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const canDeliver = t.waiting?.actions.includes("deliver_yourself") ?? false;
  const claim = t.claimable ?? null;
  if (!canDeliver && !claim) return null;

  const run = async (build: () => Promise<{ transaction: EvmTransaction }>, what: string) => {
    setError(null);
    setDone(null);
    if (!evm) return setError(`Connect a wallet to ${what}.`);
    setBusy(true);
    try {
      const { transaction } = await build(); // an API refusal stops here: nothing is signed
      const entry = chainFor(evmChains, transaction.chainId);
      const hash = await evm.send(transaction);
      setDone(`Sent on ${chainLabel(entry.name)}: ${hash}; waiting for its block…`);
      const receipt = await entry.client.waitForTransactionReceipt({ hash: hash, timeout: 120_000 });
      if (receipt.status !== "success") throw new Error(`The transaction ${hash} failed on ${chainLabel(entry.name)}.`);
      setDone(`Done: ${hash}`);
      await queryClient.invalidateQueries({ queryKey: ["transfer", t.id] });
    } catch (e) {
      setError(shortError(e instanceof Error ? e.message : String(e)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="panel">
      <h2>What you can do</h2>
      {canDeliver && (
        <p>The validators have signed this transfer. Anyone may deliver it: send the delivery from your wallet and pay its gas.</p>
      )}
      {claim && (
        <p>
          {formatAmount(BigInt(claim.amount), BTT_DECIMALS)} BTT wait on {chainLabel(claim.chain)} for <code>{claim.recipient}</code>.
          Claiming pays them to the recipient.
        </p>
      )}
      <div className="actions">
        {canDeliver && (
          <button type="button" className="primary" disabled={busy} onClick={() => void run(() => api.delivery(t.id), "deliver it")}>
            Deliver it yourself
          </button>
        )}
        {claim && (
          <button type="button" className="primary" disabled={busy} onClick={() => void run(() => api.claim(claim.recipient), "claim")}>
            Claim
          </button>
        )}
      </div>
      {error && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
      {done && (
        <p role="status" aria-live="polite">
          {done}
        </p>
      )}
    </div>
  );
}
