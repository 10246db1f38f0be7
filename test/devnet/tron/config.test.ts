// The node's configuration: flags over environment over defaults, parsed once; invalid values stop
// start-up naming the flag and variable; genesis files with amounts outside int64 or over a token's
// supply are refused, and a token's issuer holds the supply nobody else does.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TronNodeConfigError, parseConfig } from "../../../devnet/tron/config.ts";
import { BTTOLD_TOKEN } from "../../../devnet/tron/asset.ts";
import { GenesisFileSchema, genesisFromFile, hardhatAccounts, HARDHAT_MNEMONIC } from "../../../devnet/tron/genesis.ts";

describe("TRON development node configuration", () => {
  it("defaults to TRON's 3 s blocks, 19 blocks to solidity and Hardhat's 20 accounts", () => {
    const config = parseConfig([], {});
    assert.ok(config);
    assert.equal(config.port, 9090);
    assert.equal(config.blockIntervalMs, 3000);
    assert.equal(config.solidityDepth, 19);
    assert.equal(config.mining, "interval");
    assert.equal(config.accounts, 20);
    assert.equal(config.accountTrx, 1_000_000n * 1_000_000n);
    assert.equal(config.mnemonic, HARDHAT_MNEMONIC);
  });

  it("takes a flag over its environment variable", () => {
    const env = { TRON_DEVNET_PORT: "9191", TRON_DEVNET_SOLIDITY_DEPTH: "3", TRON_DEVNET_BLOCK_INTERVAL_MS: "1000" };
    const config = parseConfig(["--port", "9292", "--account-bttold", "5"], env);
    assert.equal(config?.port, 9292);
    assert.equal(config?.solidityDepth, 3);
    assert.equal(config?.blockIntervalMs, 1000);
    assert.equal(config?.accountBttold, 5_000_000n);
  });

  it("stops on an invalid value, naming the flag and the variable", () => {
    assert.throws(
      () => parseConfig(["--mining", "sometimes"], {}),
      (error: unknown) => {
        assert.ok(error instanceof TronNodeConfigError);
        assert.match(error.message, /--mining \(TRON_DEVNET_MINING\)/);
        return true;
      },
    );
    assert.throws(() => parseConfig([], { TRON_DEVNET_ACCOUNT_TRX: "9223372036854775807" }), /--account-trx .*too large for int64/);
    assert.throws(() => parseConfig([], { TRON_DEVNET_PORT: "70000" }), /--port \(TRON_DEVNET_PORT\)/);
    assert.throws(() => parseConfig(["--colour", "blue"], {}), TronNodeConfigError);
    assert.equal(parseConfig(["--help"], {}), undefined);
  });

  it("builds a genesis from a file, giving the token's issuer the rest of the supply", () => {
    const [alice, bob] = hardhatAccounts(HARDHAT_MNEMONIC, 2);
    const file = GenesisFileSchema.parse({
      timestamp: "1700000000000",
      parameters: { memoFee: "2000000" },
      accounts: [
        { address: alice!.base58, balance: "9223372036854775807", assets: { "1002000": "1000000" } },
        { address: bob!.address, assets: { "1002000": 2_000_000 } },
      ],
    });
    const genesis = genesisFromFile(file);
    assert.equal(genesis.timestamp, 1_700_000_000_000n);
    assert.equal(genesis.parameters.memoFee, 2_000_000n);
    assert.equal(genesis.parameters.transactionFee, 1_000n);
    const issuer = genesis.accounts.find((account) => account.address === BTTOLD_TOKEN.ownerAddress);
    assert.equal(issuer?.assets.get("1002000"), BTTOLD_TOKEN.totalSupply - 3_000_000n);
    assert.equal(genesis.accounts.find((account) => account.address === alice!.address)?.balance, 2n ** 63n - 1n);
  });

  it("refuses genesis amounts outside int64, over a token's supply, or for an unknown token", () => {
    const [alice] = hardhatAccounts(HARDHAT_MNEMONIC, 1);
    const parse = (account: object) => genesisFromFile(GenesisFileSchema.parse({ accounts: [{ address: alice!.base58, ...account }] }));
    assert.throws(() => parse({ balance: "9223372036854775808" }), /balance 9223372036854775808 is outside int64/);
    assert.throws(() => parse({ balance: 1.5 }), /balance must be an integer/);
    assert.throws(() => parse({ assets: { "1002000": BTTOLD_TOKEN.totalSupply + 1n + "" } }), /over its supply/);
    assert.throws(() => parse({ assets: { "1000001": "1" } }), /unknown token 1000001/);
    assert.throws(() => GenesisFileSchema.parse({ accounts: [{ address: "T123" }] }), /not a TRON address/);
  });
});
