// What a transfer moves: from whom on which chain, to whom on which chain, what was sent and what is
// received, each amount with its token and every digit.
import { formatAmount } from "../amounts.ts";
import type { TokenInfo, Transfer } from "../api/types.ts";
import { BTT_DECIMALS, bttName, chainLabel, TRC10_BTTOLD_DECIMALS, TRC10_BTTOLD_ID, tokenStandard } from "../chains.ts";
import { useLegacyDecimals } from "../hooks.ts";

export function TransferSummary({ transfer: t }: { transfer: Transfer }) {
  const src = t.source.chain ?? "";
  const dst = t.destination.chain ?? "";
  const legacy = useLegacyDecimals(t.kind === "swap" && !t.tokens ? src : "");
  const sentUnits = t.kind === "swap" ? BigInt(t.legacyAmount ?? "0") : BigInt(t.amount) + BigInt(t.fee);
  const sentDecimals =
    t.tokens?.sent.decimals ?? (t.kind === "swap" ? (src === "tron" ? TRC10_BTTOLD_DECIMALS : legacy.data) : BTT_DECIMALS);
  const sentName = t.tokens
    ? tokenName(t.tokens.sent)
    : t.kind === "swap"
      ? `BTTOLD (${src === "tron" ? `TRC-10 ${TRC10_BTTOLD_ID}` : tokenStandard(src)})`
      : bttName(src);
  const receivedName = t.tokens ? tokenName(t.tokens.received) : bttName(dst);
  return (
    <dl className="summary">
      <dt>Kind</dt>
      <dd>{t.kind === "swap" ? "Swap (1 BTTOLD = 1,000 BTT)" : "Bridge"}</dd>
      <dt>From</dt>
      <dd>
        {chainLabel(src)} · <code>{t.source.sender}</code>
      </dd>
      <dt>Source transaction</dt>
      <dd>
        <code className="hash">{t.source.txHash}</code> (block {t.source.blockNumber})
      </dd>
      <dt>To</dt>
      <dd>
        {chainLabel(dst)} · <code>{t.destination.recipient}</code>
      </dd>
      <dt>Sent</dt>
      <dd>
        {sentDecimals === undefined ? `${sentUnits} base units of ${sentName}` : `${formatAmount(sentUnits, sentDecimals)} ${sentName}`}
      </dd>
      {t.fee !== "0" && (
        <>
          <dt>Bridge fee</dt>
          <dd>{formatAmount(BigInt(t.fee), BTT_DECIMALS)} BTT</dd>
        </>
      )}
      <dt>Received</dt>
      <dd>
        {formatAmount(BigInt(t.amount), t.tokens?.received.decimals ?? BTT_DECIMALS)} {receivedName} on {chainLabel(dst)}
      </dd>
      {t.delivery && (
        <>
          <dt>Delivery</dt>
          <dd>
            <code className="hash">{t.delivery.txHash}</code> (block {t.delivery.blockNumber}
            {t.delivery.final ? ", final" : ", not final yet"})
          </dd>
        </>
      )}
    </dl>
  );
}

function tokenName(token: TokenInfo): string {
  if (token.standard === "native") return token.symbol;
  return `${token.symbol} (${token.standard}${token.tokenId ? ` ${token.tokenId}` : ""})`;
}
