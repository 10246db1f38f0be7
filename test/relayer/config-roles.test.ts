// The roles of a relayer process (relayer/config.ts `roles`, `--roles` in relayer/main.ts): every role by
// default, a subset when given, start-up stopped with a message naming what is wrong.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, parseWith } from "../../common/schema.ts";
import { NODE_ROLES, parseRelayerConfig, rolesSchema } from "../../relayer/config.ts";
import { CHAIN_IDS } from "../../testkit/constants.ts";

const evm = (name: string, chainId: string) => ({
  name,
  chainId,
  rpcUrl: "http://127.0.0.1:8545",
  gateway: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
});
const base = {
  id: "n1",
  attestationKey: { env: "A" },
  payerKey: { env: "P" },
  chains: [evm("bttc", String(CHAIN_IDS.bttc)), evm("ethereum", String(CHAIN_IDS.ethereum))],
};

describe("relayer config: roles", () => {
  it("runs every role by default, with a 5 s watch lease", () => {
    const config = parseRelayerConfig(base);
    assert.deepEqual(config.roles, ["watch", "deliver", "http"]);
    assert.deepEqual(config.roles, [...NODE_ROLES]);
    assert.equal(config.watchLeaseMs, 5_000);
  });

  it("takes a subset, each role once", () => {
    assert.deepEqual(parseRelayerConfig({ ...base, roles: ["deliver", "deliver"] }).roles, ["deliver"]);
    assert.deepEqual(parseWith(rolesSchema, "watch,http".split(","), "--roles"), ["watch", "http"]);
  });

  it("refuses an unknown role or none, naming where", () => {
    for (const [raw, where] of [
      [{ ...base, roles: ["watch", "sign"] }, /roles\.1/],
      [{ ...base, roles: [] }, /roles/],
      [{ ...base, watchLeaseMs: 10 }, /watchLeaseMs/],
    ] as const) {
      assert.throws(
        () => parseRelayerConfig(raw),
        (error: unknown) => error instanceof ConfigError && where.test(error.message),
      );
    }
    assert.throws(
      () => parseWith(rolesSchema, ["delivr"], "--roles"),
      (error: unknown) => error instanceof ConfigError && /--roles/.test(error.message),
    );
  });
});
