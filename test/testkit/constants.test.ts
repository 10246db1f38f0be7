// The shared test constants are what they say: the devnet's own chain ids, and the keys its mnemonic gives.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEVNET_CHAIN_IDS } from "../../common/chains/registry.ts";
import { hardhatAccount } from "../../devnet/accounts.ts";
import { CHAIN_IDS, DEV_KEYS } from "../../testkit/constants.ts";

describe("test constants", () => {
  it("names the devnet's chain ids", () => {
    assert.deepEqual(CHAIN_IDS, DEVNET_CHAIN_IDS);
  });

  it("lists the private keys of Hardhat's development accounts 0-19, in order", () => {
    assert.equal(DEV_KEYS.length, 20);
    DEV_KEYS.forEach((key, i) => assert.equal(key, hardhatAccount(i).privateKey, `account ${i}`));
  });
});
