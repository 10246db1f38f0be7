// Amounts on the command line: typed in whole tokens ("1.5" BTT, "0.000001" BTTOLD) or, with
// --base-units, in base units; printed in tokens with every digit, or in base units on request.
// Exact both ways: decimal strings and bigint, never floating point.
import { AmountError } from "./errors.ts";

export const BTT_DECIMALS = 18;

/** "1.5" with 18 decimals → 1500000000000000000n. Refuses more fractional digits than the token has. */
export function parseTokenAmount(text: string, decimals: number, what: string): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new AmountError(`${what}: "${text}" is not a non-negative decimal number`);
  const [, whole, fraction = ""] = match;
  if (fraction.length > decimals) {
    throw new AmountError(`${what}: "${text}" has ${fraction.length} decimals, the token has ${decimals}`);
  }
  return BigInt(whole! + fraction.padEnd(decimals, "0"));
}

export function parseBaseUnits(text: string, what: string): bigint {
  if (!/^\d+$/.test(text.trim())) throw new AmountError(`${what}: "${text}" is not a whole number of base units`);
  return BigInt(text.trim());
}

/** 1500000000000000000n with 18 decimals → "1.5"; every significant digit kept. */
export function formatTokenAmount(units: bigint, decimals: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? "." + fraction : ""}`;
}

/** An amount for people: "1.5 BTT", or "1500000000000000000 wei" with base units on. */
export function showAmount(units: bigint | string, decimals: number, symbol: string, baseUnits: boolean, baseName = "base units"): string {
  const value = typeof units === "string" ? BigInt(units) : units;
  return baseUnits ? `${value} ${baseName}` : `${formatTokenAmount(value, decimals)} ${symbol}`;
}
