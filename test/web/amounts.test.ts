// The web app's amount parsing and formatting (web/src/amounts.ts): exact in both directions, every
// digit kept, bad input refused with a message rather than rounded or guessed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { baseUnits, formatAmount, MAX_UINT256, parseAmount } from "../../web/src/amounts.ts";

function value(text: string, decimals: number): bigint {
  const parsed = parseAmount(text, decimals);
  assert.ok(parsed.ok, `${text} should parse: ${parsed.ok ? "" : parsed.message}`);
  return parsed.value;
}

function problem(text: string, decimals: number): string {
  const parsed = parseAmount(text, decimals, "BTTOLD");
  assert.ok(!parsed.ok, `${text} should be refused`);
  return parsed.message;
}

describe("web amounts: parseAmount", () => {
  it("converts decimal text to base units exactly", () => {
    assert.equal(value("1.5", 6), 1_500_000n);
    assert.equal(value("0.000001", 6), 1n);
    assert.equal(value("1", 18), 10n ** 18n);
    assert.equal(value(".5", 6), 500_000n);
    assert.equal(value("7.", 6), 7_000_000n);
    assert.equal(value("  42  ", 0), 42n);
    assert.equal(value("007.010", 6), 7_010_000n);
    // Past 2^53 and with all 18 decimals: a float would lose the last digits.
    assert.equal(value("123456789012345678.123456789012345678", 18), 123456789012345678123456789012345678n);
    assert.equal(value("0.000000000000000001", 18), 1n);
  });

  it("accepts 2^256 - 1 base units and refuses one more", () => {
    assert.equal(value(MAX_UINT256.toString(), 0), MAX_UINT256);
    assert.match(problem((MAX_UINT256 + 1n).toString(), 0), /too large/);
    assert.match(problem("9".repeat(100), 6), /too large/);
  });

  it("refuses a fraction longer than the decimals instead of rounding it", () => {
    assert.match(problem("1.0000001", 6), /6 decimals/);
    assert.match(problem("0.0000000000000000001", 18), /18 decimals/);
    assert.match(problem("1.5", 0), /whole number/);
  });

  it("refuses what is not a positive decimal number, saying why", () => {
    assert.match(problem("", 6), /Enter an amount/);
    assert.match(problem("0", 6), /greater than zero/);
    assert.match(problem("0.000000", 6), /greater than zero/);
    assert.match(problem("-1", 6), /sign/);
    assert.match(problem("+1", 6), /sign/);
    assert.match(problem("1,500", 6), /dot/);
    for (const bad of ["1e3", "abc", ".", "1.2.3", "0x10", "1 000", "NaN", "Infinity", "١٢"]) {
      assert.match(problem(bad, 6), /decimal digits/, bad);
    }
  });
});

describe("web amounts: formatAmount", () => {
  it("shows every digit, groups thousands, drops trailing zeros of the fraction", () => {
    assert.equal(formatAmount(1_500_000n, 6), "1.5");
    assert.equal(formatAmount(1_500n * 10n ** 18n, 18), "1,500");
    assert.equal(formatAmount(1n, 18), "0.000000000000000001");
    assert.equal(formatAmount(0n, 6), "0");
    assert.equal(formatAmount(1234567891234567n, 6), "1,234,567,891.234567");
    assert.equal(formatAmount(1234567n, 0), "1,234,567");
    assert.equal(formatAmount(1234567n, 0, false), "1234567");
    assert.equal(formatAmount(-1_500_000n, 6), "-1.5");
    assert.equal(formatAmount(MAX_UINT256, 18).replace(/[,.]/g, ""), MAX_UINT256.toString());
  });

  it("round-trips with parseAmount without losing a unit", () => {
    for (const [units, decimals] of [
      [1n, 6],
      [999_999_999_999_999_999_999n, 18],
      [10n ** 30n + 7n, 18],
      [MAX_UINT256, 18],
      [123n, 0],
    ] as const) {
      assert.equal(value(formatAmount(units, decimals, false), decimals), units);
    }
  });

  it("reads the API's decimal strings as bigint, and nothing else", () => {
    assert.equal(baseUnits("1000000000000000000000"), 10n ** 21n);
    assert.equal(baseUnits("1.5"), null);
    assert.equal(baseUnits("-1"), null);
    assert.equal(baseUnits(undefined), null);
    assert.equal(baseUnits(null), null);
  });
});
