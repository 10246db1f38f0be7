// Why the transfer waits, and until when, as the API explains it.
import type { Transfer } from "../api/types.ts";

const REASONS: Record<string, string> = {
  source_finality: "Waiting for the source chain to make its block final",
  attestation: "Waiting for the validators' signatures",
  delivery: "Waiting for delivery on the destination",
  destination_finality: "Waiting for the delivery to be final",
  daily_limit: "Held by the destination's daily limit",
  stuck: "Stuck",
  rejected: "Rejected",
};

export function WaitingView({ transfer }: { transfer: Transfer }) {
  const w = transfer.waiting;
  if (!w) return null;
  return (
    <div className="panel" data-testid="waiting" role="status">
      <h2>{REASONS[w.reason] ?? "Waiting"}</h2>
      <p>{w.message}</p>
      {w.until && (
        <p>
          Until <time dateTime={w.until}>{new Date(w.until).toLocaleString()}</time>
        </p>
      )}
    </div>
  );
}
