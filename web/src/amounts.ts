// Amounts as people type and read them, converted to base units (bigint) and back with exact string
// arithmetic: no Number, no float, no rounding. A fraction longer than the token's decimals is refused,
// not rounded (viem's parseUnits rounds it), so what the user typed is exactly what is sent.

export const MAX_UINT256 = (1n << 256n) - 1n;

export type ParsedAmount = { ok: true; value: bigint } | { ok: false; message: string };

/** `text` (decimal, a dot for the fraction) in base units of a token with `decimals` decimals. */
export function parseAmount(text: string, decimals: number, symbol = "the token"): ParsedAmount {
  const t = text.trim();
  if (t === "") return { ok: false, message: "Enter an amount." };
  if (/^[+-]/.test(t)) return { ok: false, message: "Enter an amount without a sign." };
  if (/,/.test(t)) return { ok: false, message: "Use a dot for the fraction and no thousands separators (e.g. 1500.25)." };
  const match = /^(\d*)(?:\.(\d*))?$/.exec(t);
  if (!match || (match[1] === "" && (match[2] ?? "") === "")) {
    return { ok: false, message: "Enter a number in decimal digits, e.g. 1.5." };
  }
  const whole = match[1] ?? "";
  const fraction = match[2] ?? "";
  if (fraction.length > decimals) {
    return {
      ok: false,
      message:
        decimals === 0
          ? `${symbol} has no fraction: enter a whole number.`
          : `${symbol} has ${decimals} decimals: at most ${decimals} digits after the dot.`,
    };
  }
  const digits = (whole + fraction.padEnd(decimals, "0")).replace(/^0+/, "");
  if (digits === "") return { ok: false, message: "Enter an amount greater than zero." };
  if (digits.length > 78 || BigInt(digits) > MAX_UINT256) return { ok: false, message: "That amount is too large." };
  return { ok: true, value: BigInt(digits) };
}

/** Every digit of `value` base units as a decimal with `decimals` decimals: trailing zeros of the
 * fraction dropped, the whole part grouped by thousands with commas (1,500.25). */
export function formatAmount(value: bigint, decimals: number, group = true): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, "");
  const grouped = group ? groupThousands(whole) : whole;
  return `${negative ? "-" : ""}${grouped}${fraction ? `.${fraction}` : ""}`;
}

export function groupThousands(whole: string): string {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A decimal string of base units from the API, as bigint (null when it is not one). */
export function baseUnits(text: string | null | undefined): bigint | null {
  return typeof text === "string" && /^\d{1,78}$/.test(text) ? BigInt(text) : null;
}
