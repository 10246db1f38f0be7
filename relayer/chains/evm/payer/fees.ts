// Fees for a replacement transaction: what nodes want to let one replace another under the same nonce.
import type { FeeSettings } from "./types.ts";

/** Nodes (geth, Erigon, Nethermind, BSC) want ≥ 10–12.5% more on both fees to replace a transaction. */
const BUMP_PERMILLE = 125n;

/**
 * Fees for a replacement: at least 12.5% (and 1 wei) more than the last on both EIP-1559 fields, and no
 * less than the node asks now; null when the caps leave no room for that.
 */
export function replacementFees(last: FeeSettings, now: FeeSettings, feeCap: bigint, tipCap: bigint): FeeSettings | null {
  if (last.type === 0) {
    const floor = bump(last.gasPrice);
    const current = now.type === 0 ? now.gasPrice : now.maxFeePerGas;
    return floor > feeCap ? null : { type: 0, gasPrice: minOf(maxOf(floor, current), feeCap) };
  }
  const tipFloor = bump(last.maxPriorityFeePerGas);
  const feeFloor = bump(last.maxFeePerGas);
  const tipLimit = minOf(tipCap, feeCap);
  if (tipFloor > tipLimit || feeFloor > feeCap) return null;
  const tip = minOf(maxOf(tipFloor, now.type === 2 ? now.maxPriorityFeePerGas : 0n), tipLimit);
  const currentFee = now.type === 2 ? now.maxFeePerGas : now.gasPrice;
  return { type: 2, maxPriorityFeePerGas: tip, maxFeePerGas: minOf(maxOf(feeFloor, currentFee, tip), feeCap) };
}

function bump(value: bigint): bigint {
  const raised = (value * (1000n + BUMP_PERMILLE) + 999n) / 1000n;
  return raised > value ? raised : value + 1n;
}

export function minOf(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

export function maxOf(...values: bigint[]): bigint {
  return values.reduce((a, b) => (a > b ? a : b));
}
