// 1 BTTOLD = 1,000 BTT, scaled by decimals, exactly: the same rule as contracts/core/Redenomination.sol.

import { BridgeError } from "./errors.ts";

export const REDENOMINATION_RATIO = 1000n;
export const BTT_DECIMALS = 18;

/** BTTOLD on TRON: the TRC-10 token 1002000, with 6 decimals (precision 6): one unit is 10^15 wei of BTT. */
export const BTTOLD_TRC10_ID = "1002000";
export const BTTOLD_TRC10_DECIMALS = 6;

/** An amount that has no exact BTT value: a caller's mistake, never worth another try. */
export class RedenominationError extends BridgeError<"REDENOMINATION_INEXACT"> {
  constructor(message: string) {
    super("REDENOMINATION_INEXACT", message);
  }
}

/** BTT wei for `amount` base units of a legacy BTTOLD token with `legacyDecimals` decimals. */
export function legacyToBtt(amount: bigint, legacyDecimals: number): bigint {
  if (amount < 0n) throw new RedenominationError(`amount must not be negative: ${amount}`);
  if (!Number.isInteger(legacyDecimals) || legacyDecimals < 0 || legacyDecimals > 77) {
    throw new RedenominationError(`unsupported legacy decimals: ${legacyDecimals}`);
  }
  const shift = BTT_DECIMALS + 3 - legacyDecimals;
  if (shift >= 0) return amount * 10n ** BigInt(shift);
  const divisor = 10n ** BigInt(-shift);
  if (amount % divisor !== 0n) {
    throw new RedenominationError(`${amount} units of a ${legacyDecimals}-decimal token do not convert exactly`);
  }
  return amount / divisor;
}
