// The refund list, read from the chain alone (docs/operations.md, "TRON deposits and refunds"): every deposit to the TRON
// deposit address in solidified blocks [from, to] that will never be swapped — BTTOLD the relayer's rules
// reject (bad memo, under the minimum) and anything else sent there — each with the refund that settled
// it, if the deposit account already sent one (memo `REFUND:<deposit tx id>`). A relayer node keeps the
// rejected swaps in its store too (status `rejected`); this list does not depend on that store.
// A BTTOLD deposit today's rules reject that was swapped all the same (delivered on BTTC, or burned:
// the minimum was lower when it came) is listed `swapped`, not for refund (see swap-evidence.ts).
import type { TronSource } from "../chains/tron/source.ts";
import { BttcDeliveries, burnsIn, type SwapChain } from "./swap-evidence.ts";
import { REFUND_MEMO_PREFIX } from "./tron-refund.ts";

export interface RefundableDeposit {
  /** 64 hex digits, no 0x: what `npm run tron:refund -- --deposit` takes. */
  depositTxId: string;
  blockNumber: bigint;
  /** base58. */
  sender: string;
  asset: "TRX" | "TRC10" | "TRC20";
  token: string;
  amount: bigint;
  reason: string;
  /** The refund's transaction id, once there is one. */
  refundTxId?: string;
  /** Swapped after all (`reason` says how): never to be refunded. */
  swapped?: true;
}

/** Refundable deposits in solidified blocks [from, to] (`to` default: the solidified block); swaps land
 * on `swapTo` (BTTC). */
export async function listRefundable(source: TronSource, swapTo: SwapChain, from: bigint, to?: bigint): Promise<RefundableDeposit[]> {
  const { head, finalized } = await source.heads();
  const last = to === undefined || to > finalized ? finalized : to;
  if (last < from) return [];
  const scan = await source.scan(from, last);
  const outgoing = await source.outgoingIn(from, head);
  const refunds = new Map<string, string>();
  for (const out of outgoing) {
    if (out.memo.startsWith(REFUND_MEMO_PREFIX)) refunds.set(out.memo.slice(REFUND_MEMO_PREFIX.length), out.txId);
  }
  const burns = burnsIn(outgoing);
  const bttc = new BttcDeliveries(source, swapTo);
  const list: RefundableDeposit[] = [];
  try {
    for (const t of scan.transfers) {
      if (!t.rejection) continue;
      const depositTxId = t.srcTxHash.slice(2);
      const rejected = `${t.rejection.reason}: ${t.rejection.detail}`;
      const swapped = await bttc.swappedBecause(depositTxId, burns);
      list.push({
        depositTxId,
        blockNumber: t.blockNumber,
        sender: t.sender,
        asset: "TRC10",
        token: source.tokenId,
        amount: t.legacyAmount,
        ...(swapped === null
          ? { reason: rejected }
          : { reason: `already swapped: ${swapped} (today's rules say ${rejected})`, swapped: true as const }),
      });
    }
  } finally {
    bttc.destroy();
  }
  for (const o of scan.others) {
    list.push({
      depositTxId: o.srcTxHash.slice(2),
      blockNumber: o.blockNumber,
      sender: o.sender,
      asset: o.asset,
      token: o.token,
      amount: o.amount,
      reason: `not the swapped token: ${o.asset} ${o.token}`,
    });
  }
  list.sort((a, b) => (a.blockNumber < b.blockNumber ? -1 : a.blockNumber > b.blockNumber ? 1 : 0));
  return list.map((d) => {
    const refund = refunds.get(d.depositTxId);
    return refund ? { ...d, refundTxId: refund } : d;
  });
}
