// The operator's refund of a TRON deposit that will never be swapped (docs/protocol.md, "Refunds"): a deposit of BTTOLD the
// relayer `rejected` (memo missing or malformed, under the minimum), or anything else sent to the
// deposit address (TRX, another TRC-10 token). Everything is read from the chain, not from a relayer's
// Redis, so it holds after a loss of that data:
//
//   - the deposit must be in a solidified block, sent to the deposit address;
//   - a BTTOLD deposit is refunded only if the relayer's own rules reject it (the same TronSource
//     decoding); a valid swap is delivered on BTTC, never refunded;
//   - and only if it was not swapped under the rules of its day (a minimum raised since): refused if the
//     BTTC gateway has its transfer delivered, or a black-hole burn (`BURN:` memo) names it;
//   - the refund goes back to the sender, in the asset and amount deposited, from the deposit account,
//     with the memo `REFUND:<deposit tx id>`;
//   - it is refused if the deposit account already sent a transaction with that memo in any block after
//     the deposit (solidified or not): "refunded once" is on chain for anyone to check.
//
// The command waits until its refund is in a block before it returns, so running it again afterwards is
// refused. Two runs at the same moment are not guarded against: one operator runs refunds.
import { RelayerError } from "../errors.ts";
import type { TronChainConfig } from "../config.ts";
import { DepositWallet, type OutgoingPayment } from "../chains/tron/deposit-wallet.ts";
import type { TronSource } from "../chains/tron/source.ts";
import { tronEndpointOf, tronSourceFor } from "../chains/tron/configured.ts";
import { BttcDeliveries, burnsIn, type SwapChain } from "./swap-evidence.ts";

export const REFUND_MEMO_PREFIX = "REFUND:";

export function refundMemo(depositTxId: string): string {
  return REFUND_MEMO_PREFIX + depositTxId.replace(/^0x/, "").toLowerCase();
}

export const REFUND_REFUSALS = [
  "NO_DEPOSIT_KEY",
  "NOT_FINAL",
  "NOT_A_DEPOSIT",
  "VALID_SWAP",
  "ALREADY_SWAPPED",
  "UNSUPPORTED_ASSET",
  "ALREADY_REFUNDED",
] as const;
export type RefundRefusal = (typeof REFUND_REFUSALS)[number];

export class RefundRefusedError extends RelayerError {
  readonly reason: RefundRefusal;

  constructor(reason: RefundRefusal, message: string) {
    super("REFUND_REFUSED", `${reason}: ${message}`, false);
    this.reason = reason;
  }
}

export interface RefundResult {
  depositTxId: string;
  refundTxId: string;
  refundBlock: bigint;
  /** base58: the depositor. */
  to: string;
  asset: "TRX" | "TRC10";
  token: string;
  amount: bigint;
  /** Why the deposit was not swapped. */
  reason: string;
}

export interface RefundOptions {
  chain: TronChainConfig;
  /** The chain swaps land on (BTTC): its chain id decodes the deposit as the relayer does, its gateway
   * says whether the deposit was delivered. */
  swapTo: SwapChain;
  env: NodeJS.ProcessEnv;
  depositTxId: string;
}

export async function refundDeposit(options: RefundOptions): Promise<RefundResult> {
  const { chain } = options;
  const depositTxId = options.depositTxId.replace(/^0x/, "").toLowerCase();
  if (!chain.depositKey) {
    throw new RefundRefusedError(
      "NO_DEPOSIT_KEY",
      `${chain.name} has no depositKey in this configuration: only the operator holding the deposit account's key refunds`,
    );
  }
  const source = tronSourceFor(chain, options.swapTo.chainId);
  const wallet = new DepositWallet(
    { name: chain.name, depositAddress: chain.depositAddress, ...tronEndpointOf(chain) },
    chain.depositKey,
    options.env,
  );

  const block = await source.solidifiedBlockOf(depositTxId);
  if (block === null)
    throw new RefundRefusedError("NOT_FINAL", `transaction ${depositTxId} is not in a solidified block of ${chain.name} (yet)`);

  const scan = await source.scan(block, block);
  const payment = paymentFor(depositTxId, scan, chain);

  const { head } = await source.heads();
  const outgoing = await source.outgoingIn(block, head);
  if (payment.swapToken) {
    const bttc = new BttcDeliveries(source, options.swapTo);
    try {
      const because = await bttc.swappedBecause(depositTxId, burnsIn(outgoing));
      if (because !== null) {
        throw new RefundRefusedError(
          "ALREADY_SWAPPED",
          `deposit ${depositTxId} was swapped (${because}), though today's rules say ${payment.reason}: never refunded`,
        );
      }
    } finally {
      bttc.destroy();
    }
  }
  const memo = refundMemo(depositTxId);
  const earlier = outgoing.find((out) => out.memo === memo);
  if (earlier) {
    throw new RefundRefusedError(
      "ALREADY_REFUNDED",
      `deposit ${depositTxId} was refunded by transaction ${earlier.txId} in block ${earlier.blockNumber}`,
    );
  }

  const sent = await wallet.send({ ...payment.payment, memo });
  return { depositTxId, refundTxId: sent.txId, refundBlock: sent.blockNumber, ...payment.payment, reason: payment.reason };
}

function paymentFor(
  depositTxId: string,
  scan: Awaited<ReturnType<TronSource["scan"]>>,
  chain: TronChainConfig,
): { payment: Omit<OutgoingPayment, "memo">; reason: string; swapToken: boolean } {
  const ref = `0x${depositTxId}`;
  const swap = scan.transfers.find((t) => t.srcTxHash === ref);
  if (swap) {
    if (!swap.rejection) {
      throw new RefundRefusedError(
        "VALID_SWAP",
        `deposit ${depositTxId} is a valid swap to ${swap.transfer.recipient} on BTTC: it is delivered there, not refunded`,
      );
    }
    return {
      payment: { asset: "TRC10", token: chain.tokenId, to: swap.sender, amount: swap.legacyAmount },
      reason: `${swap.rejection.reason}: ${swap.rejection.detail}`,
      swapToken: true,
    };
  }
  const other = scan.others.find((o) => o.srcTxHash === ref);
  if (!other) throw new RefundRefusedError("NOT_A_DEPOSIT", `transaction ${depositTxId} sends nothing to ${chain.depositAddress}`);
  if (other.asset === "TRC20") {
    throw new RefundRefusedError("UNSUPPORTED_ASSET", `deposit ${depositTxId} is a TRC-20 transfer (${other.token}): refund it by hand`);
  }
  return {
    payment: { asset: other.asset, token: other.token, to: other.sender, amount: other.amount },
    reason: `not the swapped token: ${other.asset === "TRX" ? "TRX" : `TRC-10 ${other.token}`}`,
    swapToken: false,
  };
}
