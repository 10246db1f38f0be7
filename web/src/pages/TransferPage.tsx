// One transfer: its status, what was sent and what is received, the timeline, the attestation, why it
// waits and what the user can do about it — live from the API's event stream.
import { useQuery } from "@tanstack/react-query";
import { ApiRequestError } from "../api/client.ts";
import { useApp } from "../app-context.tsx";
import { AttestationView } from "../components/AttestationView.tsx";
import { Timeline } from "../components/Timeline.tsx";
import { TransferActions } from "../components/TransferActions.tsx";
import { TransferSummary } from "../components/TransferSummary.tsx";
import { WaitingView } from "../components/WaitingView.tsx";
import { useTransferEvents } from "../flow/transfer-events.ts";

const FINAL = new Set(["completed", "dropped", "rejected"]);

export function TransferPage({ id }: { id: string }) {
  const { api } = useApp();
  const valid = /^0x[0-9a-fA-F]{64}$/.test(id);
  const transfer = useQuery({
    queryKey: ["transfer", id],
    enabled: valid,
    queryFn: () => api.transfer(id),
    retry: (count, error) => error instanceof ApiRequestError && error.status === 404 && count < 100,
    retryDelay: 2_000,
    // Polling backs the event stream up (a proxy may drop streams); a final status ends both, except while
    // a payout waits to be claimed: anyone may claim it (this page's "Claim" too, whose one refetch may
    // still get the API's cached read of the balance), so the page looks until it is gone.
    refetchInterval: (q) => (q.state.data && FINAL.has(q.state.data.status) && !q.state.data.claimable ? false : 4_000),
  });
  const stream = useTransferEvents(id, valid && transfer.isSuccess && !FINAL.has(transfer.data.status));
  const t = transfer.data;

  return (
    <section className="page" aria-labelledby="transfer-title">
      <h1 id="transfer-title">Transfer</h1>
      <p className="muted">
        <code className="hash">{id}</code>
      </p>
      {!valid && (
        <p role="alert" className="form-error">
          A transfer id is 0x and 64 hex digits.
        </p>
      )}
      {transfer.isPending && valid && (
        <p role="status">{transfer.failureCount > 0 ? "The bridge has not seen this transfer yet; looking again…" : "Loading…"}</p>
      )}
      {transfer.isError && (
        <p role="alert" className="form-error">
          {transfer.error.message}
        </p>
      )}
      {t && (
        <>
          <div className="panel">
            <p className="status-line">
              Status{" "}
              <span className={`status status-${t.status}`} data-testid="transfer-status" aria-live="polite">
                {t.status}
              </span>{" "}
              <span className="muted">{stream === "live" ? "· live" : FINAL.has(t.status) ? "" : "· updating every few seconds"}</span>
            </p>
            <TransferSummary transfer={t} />
          </div>
          <WaitingView transfer={t} />
          <AttestationView transfer={t} />
          <TransferActions transfer={t} />
          <div className="panel">
            <h2>Timeline</h2>
            <Timeline entries={t.timeline} />
          </div>
        </>
      )}
    </section>
  );
}
