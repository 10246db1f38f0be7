// common/tron/address.ts gives what TronWeb gives (base58check both ways, the checksum checked), and the
// same secp256k1 key is one account on TRON and on EVM chains.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { TronWeb } from "tronweb";
import { fromBase58, fromEvmAddress, isTronAddress, toBase58, toEvmAddress } from "../../../common/tron/address.ts";

// Hardhat's first development account, on both kinds of chain.
const HARDHAT_EVM = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const HARDHAT_TRON = "TYBNgWfhGuNzdLtjKtxXTfskAhTbMcqbaG";

describe("TRON addresses", () => {
  it("encodes and decodes as TronWeb does, for any account", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), (account) => {
        const hex = `41${Buffer.from(account).toString("hex")}`;
        const base58 = toBase58(hex);
        assert.equal(base58, TronWeb.address.fromHex(hex));
        assert.equal(fromBase58(base58), hex);
        assert.equal(isTronAddress(base58), TronWeb.isAddress(base58));
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a wrong checksum, another prefix, another length, and what is not base58", () => {
    const last = HARDHAT_TRON.at(-1) === "a" ? "b" : "a";
    for (const bad of [
      `${HARDHAT_TRON.slice(0, -1)}${last}`,
      toBase58(`42${"11".repeat(20)}`),
      HARDHAT_TRON.slice(1),
      "T" + "0".repeat(33),
      "",
    ]) {
      assert.equal(fromBase58(bad), undefined, bad);
      assert.equal(isTronAddress(bad), TronWeb.isAddress(bad), bad);
    }
  });

  it("is the same account as the EVM address of the same key", () => {
    assert.equal(toBase58(fromEvmAddress(HARDHAT_EVM)), HARDHAT_TRON);
    assert.equal(toEvmAddress(fromBase58(HARDHAT_TRON)!), HARDHAT_EVM);
    assert.throws(() => fromEvmAddress("0x1234"), /invalid EVM address/);
  });
});
