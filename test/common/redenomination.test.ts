// The TypeScript redenomination rule (used by the relayer and the API for TRON deposits and quotes) is
// the contracts' rule: exact 1:1000 scaled by decimals, refusing what cannot convert exactly.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RedenominationError, legacyToBtt } from "../../common/redenomination.ts";

describe("legacyToBtt", () => {
  it("turns one TRC-10 base unit (6 decimals) into 10^15 wei", () => {
    assert.equal(legacyToBtt(1n, 6), 10n ** 15n);
    assert.equal(legacyToBtt(1_000_000n, 6), 1000n * 10n ** 18n); // 1 BTTOLD = 1,000 BTT
    assert.equal(legacyToBtt(7n, 6), 7n * 10n ** 15n);
  });

  it("turns one base unit of an 18-decimal BTTOLD into 1,000 wei", () => {
    assert.equal(legacyToBtt(1n, 18), 1000n);
    assert.equal(legacyToBtt(2_000_000_000_000_000_007n, 18), 2_000_000_000_000_000_007_000n);
  });

  it("keeps amounts far beyond 2^53 exact", () => {
    const all = 990_000_000_000n * 10n ** 6n; // all TRC-10 BTTOLD ever issued
    assert.equal(legacyToBtt(all, 6), 990_000_000_000_000n * 10n ** 18n);
  });

  it("divides exactly for tokens with more than 21 decimals, and refuses a remainder", () => {
    assert.equal(legacyToBtt(5000n, 24), 5n);
    assert.throws(() => legacyToBtt(5001n, 24), RedenominationError);
  });

  it("refuses negative amounts and impossible decimals", () => {
    assert.throws(() => legacyToBtt(-1n, 6), RedenominationError);
    assert.throws(() => legacyToBtt(1n, 78), RedenominationError);
    assert.throws(() => legacyToBtt(1n, 6.5), RedenominationError);
  });
});
