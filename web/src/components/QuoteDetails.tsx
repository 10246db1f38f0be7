// What the API's quote says beyond the conversion: minimum, fee, network fees, expected time, and why
// the transfer would wait now (a daily cap, the reserve), before anything is signed.
import type { Quote } from "../api/types.ts";
import { formatAmount } from "../amounts.ts";
import { BTT_DECIMALS } from "../chains.ts";

export function QuoteDetails({ quote, inDecimals, inSymbol }: { quote: Quote; inDecimals: number; inSymbol: string }) {
  return (
    <dl className="quote">
      {quote.fee !== "0" && (
        <>
          <dt>Bridge fee</dt>
          <dd>{formatAmount(BigInt(quote.fee), BTT_DECIMALS)} BTT</dd>
        </>
      )}
      <dt>Minimum</dt>
      <dd>
        {formatAmount(BigInt(quote.minimum), inDecimals)} {inSymbol}
      </dd>
      {quote.networkFees.map((f, i) => (
        <NetworkFee key={i} fee={f} />
      ))}
      <dt>Expected time</dt>
      <dd>about {duration(quote.expectedSeconds)}</dd>
      {quote.delayedBy && (
        <>
          <dt>It would wait</dt>
          <dd className="warning">{quote.delayedBy}</dd>
        </>
      )}
    </dl>
  );
}

function NetworkFee({ fee }: { fee: Quote["networkFees"][number] }) {
  const amount = fee.unit === "sun" ? `${formatAmount(BigInt(fee.amount), 6)} TRX` : `${fee.amount} ${fee.unit}`;
  return (
    <>
      <dt>Network fee</dt>
      <dd>
        {amount} <span className="muted">({fee.what})</span>
      </dd>
    </>
  );
}

export function duration(seconds: number): string {
  if (seconds < 90) return `${seconds} seconds`;
  const minutes = Math.round(seconds / 60);
  return minutes < 90 ? `${minutes} minutes` : `${Math.round(minutes / 60)} hours`;
}
