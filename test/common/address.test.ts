// checksumAddress gives what ethers' getAddress gives, errors included, whether it remembers the address
// or not.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Wallet, getAddress } from "ethers";
import { checksumAddress } from "../../common/address.ts";

function same(input: string): void {
  let expected: string | Error;
  try {
    expected = getAddress(input);
  } catch (error) {
    expected = error as Error;
  }
  for (let round = 0; round < 2; round++) {
    if (expected instanceof Error) assert.throws(() => checksumAddress(input), /bad address checksum|invalid address/, input);
    else assert.equal(checksumAddress(input), expected, input);
  }
}

describe("checksumAddress", () => {
  it("agrees with getAddress on every spelling of an address, first seen and remembered", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), (bytes) => {
        const lower = "0x" + Buffer.from(bytes).toString("hex");
        const checksummed = getAddress(lower);
        same(lower);
        same(checksummed);
        same("0x" + lower.slice(2).toUpperCase());
        same(lower.slice(2));
        // A wrong checksum: one letter's case flipped, where there is a letter.
        const i = [...checksummed].findIndex((c, k) => k > 1 && /[a-fA-F]/.test(c));
        if (i > 0) {
          const c = checksummed[i]!;
          const flipped = checksummed.slice(0, i) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + checksummed.slice(i + 1);
          if (/[a-f]/.test(flipped.slice(2)) && /[A-F]/.test(flipped.slice(2))) same(flipped);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("refuses what is not an address", () => {
    const address = Wallet.createRandom().address;
    for (const bad of ["", "0x", address.slice(0, -1), address + "0", "0xZZ" + address.slice(4)]) same(bad);
  });
});
