// Whether a delivered transfer matches its source: the pure comparisons, apart from how the source was
// read. A delivery is honest only if a final source event exists with every field the gateway paid on:
// kind, destination chain, recipient and amount (the id already binds source chain, gateway and ref).
import { getAddress } from "ethers";
import { BTTOLD_TRC10_DECIMALS, legacyToBtt } from "../common/redenomination.ts";
import { decodeSwapMemo } from "../common/tron/memo.ts";
import { TransferKind, type Transfer } from "../common/transfer.ts";
import type { OpenTransfer } from "./state.ts";
import type { TronDeposit } from "./tron.ts";

/** What an alarm is about (the label of `bttb_watchtower_alarms_total`). */
export type AlarmKind =
  /** A delivered transfer differs from its source event (amount, recipient, kind or destination). */
  | "FIELD_MISMATCH"
  /** No source event with that reference (or from an unknown gateway, or already delivered elsewhere). */
  | "UNKNOWN_SOURCE"
  /** The source event exists but was not final when its delivery was. */
  | "SOURCE_NOT_FINAL"
  /** The delivery's transfers could not be read (made through a contract, and no trace to be had). */
  | "UNVERIFIABLE_DELIVERY"
  /** The accounting invariant does not hold at the final blocks. */
  | "INVARIANT_BROKEN";

export const ALARM_KINDS: readonly AlarmKind[] = [
  "FIELD_MISMATCH",
  "UNKNOWN_SOURCE",
  "SOURCE_NOT_FINAL",
  "UNVERIFIABLE_DELIVERY",
  "INVARIANT_BROKEN",
];

export interface Mismatch {
  kind: AlarmKind;
  /** What differs, for the operator. */
  message: string;
}

/** Compares a delivered transfer with the EVM source event it names; null when they agree. */
export function matchEvmSource(delivered: Transfer, source: OpenTransfer): Mismatch | null {
  const differences: string[] = [];
  if (delivered.kind !== source.kind) differences.push(`kind ${delivered.kind} (source ${source.kind})`);
  if (delivered.dstChainId !== source.dstChainId) differences.push(`destination ${delivered.dstChainId} (source ${source.dstChainId})`);
  if (getAddress(delivered.recipient) !== getAddress(source.recipient))
    differences.push(`recipient ${delivered.recipient} (source ${source.recipient})`);
  if (delivered.amount !== source.amount) differences.push(`amount ${delivered.amount} (source ${source.amount})`);
  return differences.length === 0 ? null : { kind: "FIELD_MISMATCH", message: `delivered with ${differences.join(", ")}` };
}

export interface TronRules {
  /** The deposit account, hex "41…" lower case. */
  depositHex: string;
  tokenId: string;
  minimumUnits: bigint;
  /** Swaps from TRON land on BTTC only. */
  bttcChainId: bigint;
}

/**
 * Compares a delivered TRON swap with its solidified deposit: a successful TRC-10 transfer of the swapped
 * token to the deposit address, at least the minimum, whose memo names the delivered recipient, and
 * amount × 10^15 (6-decimal BTTOLD to 18-decimal BTT, × 1,000) equal to the delivered amount.
 */
export function matchTronDeposit(delivered: Transfer, deposit: TronDeposit, rules: TronRules): Mismatch | null {
  const bad = (message: string): Mismatch => ({ kind: "FIELD_MISMATCH", message });
  if (delivered.kind !== TransferKind.Swap) return bad(`a TRON deposit delivered as kind ${delivered.kind}, not a swap`);
  if (delivered.dstChainId !== rules.bttcChainId) return bad(`a TRON swap delivered on chain ${delivered.dstChainId}, not BTTC`);
  if (!deposit.succeeded) return bad(`TRON transaction ${deposit.txId} failed`);
  if (deposit.contractType !== "TransferAssetContract" || deposit.tokenId !== rules.tokenId) {
    return bad(
      `TRON transaction ${deposit.txId} is a ${deposit.contractType}${deposit.tokenId ? ` of token ${deposit.tokenId}` : ""}, not a TRC-10 ${rules.tokenId} transfer`,
    );
  }
  if (deposit.to !== rules.depositHex) return bad(`TRON transaction ${deposit.txId} pays ${deposit.to}, not the deposit address`);
  if (deposit.amount === null || deposit.amount < rules.minimumUnits)
    return bad(`TRON deposit ${deposit.txId} of ${deposit.amount} units is under the minimum ${rules.minimumUnits}`);
  const memo = decodeSwapMemo(deposit.memo);
  if (!memo.ok) return bad(`TRON deposit ${deposit.txId} has no valid swap memo (${memo.reason}: ${memo.detail})`);
  const differences: string[] = [];
  if (memo.recipient !== getAddress(delivered.recipient)) differences.push(`recipient ${delivered.recipient} (memo ${memo.recipient})`);
  const owed = legacyToBtt(deposit.amount, BTTOLD_TRC10_DECIMALS);
  if (delivered.amount !== owed) differences.push(`amount ${delivered.amount} (deposit ${deposit.amount} units = ${owed})`);
  return differences.length === 0 ? null : bad(`delivered with ${differences.join(", ")}`);
}
