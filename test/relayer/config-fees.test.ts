// A chain's `fees` (relayer/config.ts, common/chains/config.ts; docs/operations.md, "Fees"): `auto` by
// default, `legacy` or `eip1559` when given, anything else refused at start-up with its path.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../common/schema.ts";
import { evmChains, parseRelayerConfig } from "../../relayer/config.ts";
import { CHAIN_IDS } from "../../testkit/constants.ts";

const evm = (name: string, chainId: bigint, extra: Record<string, unknown> = {}) => ({
  name,
  chainId: String(chainId),
  rpcUrl: "http://127.0.0.1:8545",
  gateway: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  ...extra,
});
const config = (bttcExtra: Record<string, unknown>) => ({
  id: "n1",
  attestationKey: { env: "A" },
  payerKey: { env: "P" },
  chains: [evm("bttc", CHAIN_IDS.bttc, bttcExtra), evm("ethereum", CHAIN_IDS.ethereum)],
});

describe("relayer config: fees", () => {
  it("is auto by default, and takes legacy or eip1559", () => {
    assert.deepEqual(
      evmChains(parseRelayerConfig(config({}))).map((c) => c.fees.type),
      ["auto", "auto"],
    );
    assert.equal(evmChains(parseRelayerConfig(config({ fees: { type: "legacy" } })))[0]!.fees.type, "legacy");
    assert.equal(evmChains(parseRelayerConfig(config({ fees: { type: "eip1559" } })))[0]!.fees.type, "eip1559");
  });

  it("refuses another type or an unknown key, naming where", () => {
    for (const fees of [{ type: "type2" }, { type: "legacy", gasPrice: "1" }]) {
      assert.throws(
        () => parseRelayerConfig(config({ fees })),
        (error: unknown) => error instanceof ConfigError && /chains\.0\.fees/.test(error.message),
      );
    }
  });
});
