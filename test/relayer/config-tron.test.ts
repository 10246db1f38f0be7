// The TRON chain entry of a relayer configuration (relayer/config.ts): defaults filled in, bigints from
// decimal strings, and start-up stopped with a message naming what is wrong.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../common/schema.ts";
import { parseRelayerConfig, tronChains } from "../../relayer/config.ts";
import { CHAIN_IDS } from "../../testkit/constants.ts";

const DEPOSIT = "TYBNgWfhGuNzdLtjKtxXTfskAhTbMcqbaG";
const evm = (name: string, chainId: string) => ({
  name,
  chainId,
  rpcUrl: "http://127.0.0.1:8545",
  gateway: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
});
const base = (tron: Record<string, unknown>) => ({
  id: "n1",
  attestationKey: { env: "A" },
  payerKey: { env: "P" },
  chains: [evm("bttc", String(CHAIN_IDS.bttc)), evm("ethereum", String(CHAIN_IDS.ethereum)), tron],
});
const tronEntry = {
  name: "tron",
  family: "tron",
  chainId: String(CHAIN_IDS.tron),
  fullHost: "http://127.0.0.1:9090",
  depositAddress: DEPOSIT,
};

function problems(raw: unknown): string {
  try {
    parseRelayerConfig(raw);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  assert.fail("the configuration was accepted");
}

describe("relayer config: TRON chain entry", () => {
  it("fills in TRON's defaults: token 1002000, solidified finality, swaps to bttc, no deposit key", () => {
    const [tron] = tronChains(parseRelayerConfig(base(tronEntry)));
    assert.deepEqual(
      { ...tron },
      {
        ...tronEntry,
        chainId: CHAIN_IDS.tron,
        tokenId: "1002000",
        minimumUnits: 1n,
        swapTo: "bttc",
        finality: { tag: "solidified" },
        startBlock: 0n,
        maxBlockRange: 100,
        pollIntervalMs: 3_000,
        burn: { batchSize: 20, intervalMs: 30_000, settleMs: 60_000 },
      },
    );
  });

  it("reads big numbers from decimal strings exactly and keeps the deposit key source", () => {
    const [tron] = tronChains(
      parseRelayerConfig(
        base({ ...tronEntry, chainId: "728126428", minimumUnits: "9007199254740993", depositKey: { file: "/keys/deposit" } }),
      ),
    );
    assert.equal(tron!.chainId, 728126428n);
    assert.equal(tron!.minimumUnits, 9007199254740993n);
    assert.deepEqual(tron!.depositKey, { file: "/keys/deposit" });
  });

  it("refuses a deposit address that is not base58check, naming it", () => {
    assert.match(
      problems(base({ ...tronEntry, depositAddress: "TYBNgWfhGuNzdLtjKtxXTfskAhTbMcqbaH" })),
      /chains\.2\.depositAddress: a base58 TRON address/,
    );
    assert.match(
      problems(base({ ...tronEntry, depositAddress: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" })),
      /chains\.2\.depositAddress/,
    );
  });

  it("refuses swaps to a chain that is not configured, EVM fields on a TRON entry, and no EVM chain at all", () => {
    assert.match(problems(base({ ...tronEntry, swapTo: "bttc-main" })), /chains\.2\.swapTo: no EVM chain named bttc-main/);
    assert.match(problems(base({ ...tronEntry, gateway: "0x5FbDB2315678afecb367f032d93F642f64180aa3" })), /Unrecognized key/);
    assert.match(problems(base({ ...tronEntry, maxBlockRange: 101 })), /chains\.2\.maxBlockRange/);
    const noEvm = { ...base(tronEntry), chains: [tronEntry, { ...tronEntry, name: "tron2", chainId: "1" }] };
    assert.match(problems(noEvm), /at least one EVM chain/);
    // BTTC and TRON alone: a swap-only bridge.
    assert.equal(
      tronChains(parseRelayerConfig({ ...base(tronEntry), chains: [evm("bttc", String(CHAIN_IDS.bttc)), tronEntry] })).length,
      1,
    );
  });

  it("refuses a TRON chain id that an EVM chain already has", () => {
    assert.match(problems(base({ ...tronEntry, chainId: "1337001" })), /duplicate chain id 1337001/);
  });
});
