// The CLI's amounts: typed in tokens or base units, printed with every digit; exact both ways.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatTokenAmount, parseBaseUnits, parseTokenAmount, showAmount } from "../../cli/amounts.ts";
import { AmountError } from "../../cli/errors.ts";

describe("CLI amounts", () => {
  it("parses token amounts into base units exactly", () => {
    assert.equal(parseTokenAmount("1.5", 18, "x"), 1_500_000_000_000_000_000n);
    assert.equal(parseTokenAmount("0.000001", 6, "x"), 1n);
    assert.equal(parseTokenAmount("7", 6, "x"), 7_000_000n);
    assert.equal(
      parseTokenAmount("115792089237316195423570985008687907853269984665640564039457.584007913129639935", 18, "x"),
      (1n << 256n) - 1n,
    );
  });

  it("refuses what is not an amount, naming the option", () => {
    assert.throws(
      () => parseTokenAmount("1.0000001", 6, "--amount"),
      (e: unknown) => e instanceof AmountError && /--amount.*7 decimals, the token has 6/.test(e.message),
    );
    for (const bad of ["-1", "1e3", "", "0x10", "1.", ".5", "1,5", "NaN"]) {
      assert.throws(() => parseTokenAmount(bad, 18, "--amount"), AmountError, bad);
    }
    assert.throws(() => parseBaseUnits("1.5", "--amount"), AmountError);
    assert.equal(parseBaseUnits("1000", "--amount"), 1000n);
  });

  it("prints every significant digit and nothing more", () => {
    assert.equal(formatTokenAmount(1_500_000_000_000_000_000n, 18), "1.5");
    assert.equal(formatTokenAmount(1n, 18), "0.000000000000000001");
    assert.equal(formatTokenAmount(1000n * 10n ** 18n, 18), "1000");
    assert.equal(formatTokenAmount(0n, 6), "0");
    assert.equal(showAmount("7000000000000000", 18, "BTT", false), "0.007 BTT");
    assert.equal(showAmount("7000000000000000", 18, "BTT", true, "wei"), "7000000000000000 wei");
  });

  it("round-trips random amounts", () => {
    for (let i = 0; i < 200; i++) {
      const units = BigInt(Math.floor(Math.random() * 1e15)) * BigInt(Math.floor(Math.random() * 1e6));
      for (const decimals of [0, 6, 18]) assert.equal(parseTokenAmount(formatTokenAmount(units, decimals), decimals, "x"), units);
    }
  });
});
