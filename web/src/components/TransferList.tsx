// Transfers as links to their pages: status, route, amount received.
import { formatAmount } from "../amounts.ts";
import type { Transfer } from "../api/types.ts";
import { BTT_DECIMALS, chainLabel } from "../chains.ts";
import { transferHref } from "../router.ts";

export function TransferList({ transfers, label }: { transfers: Transfer[]; label: string }) {
  if (transfers.length === 0) return <p className="muted">No transfers.</p>;
  return (
    <ul className="results" aria-label={label}>
      {transfers.map((t) => (
        <li key={t.id}>
          <a href={transferHref(t.id)}>
            <span>
              <span className={`status status-${t.status}`}>{t.status}</span> {t.kind} from {chainLabel(t.source.chain)} to{" "}
              {chainLabel(t.destination.chain)}: {formatAmount(BigInt(t.amount), BTT_DECIMALS)} BTT
            </span>
            <code className="hash muted">{t.id}</code>
          </a>
        </li>
      ))}
    </ul>
  );
}
