// The deployer's signer sends the kind of transaction each chain takes (docs/operations.md, "Fees"):
// with `auto`, legacy on a Berlin chain (BTTC's rules, no base fee) and EIP-1559 on a Prague one; with
// `legacy` configured, legacy on Prague too; and its nonces follow one another.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { JsonRpcProvider, Wallet } from "ethers";
import { DeployerSigner } from "../../deploy/signer.ts";
import { startHardhatNode, type HardhatNode } from "../../testkit/hardhat-node.ts";
import { CHAIN_IDS, DEV_KEYS } from "../../testkit/constants.ts";

const SINK = "0x000000000000000000000000000000000000bEEF";

describe("DeployerSigner", () => {
  let berlin: HardhatNode;
  let prague: HardhatNode;
  const providers: JsonRpcProvider[] = [];

  before(async () => {
    [berlin, prague] = await Promise.all([
      startHardhatNode({ chainId: CHAIN_IDS.bttc }),
      startHardhatNode({ chainId: CHAIN_IDS.ethereum }),
    ]);
  });
  after(async () => {
    for (const p of providers) p.destroy();
    await Promise.all([berlin?.stop(), prague?.stop()]);
  });

  async function sentTypes(node: HardhatNode, feeType?: "auto" | "legacy"): Promise<number[]> {
    const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1 });
    providers.push(provider);
    const signer = new DeployerSigner(new Wallet(DEV_KEYS[8], provider), feeType);
    const sent = [await signer.sendTransaction({ to: SINK, value: 1n }), await signer.sendTransaction({ to: SINK, value: 1n })];
    assert.equal(sent[1]!.nonce, sent[0]!.nonce + 1);
    for (const tx of sent) assert.equal((await tx.wait())?.status, 1);
    return sent.map((tx) => tx.type);
  }

  it("sends legacy transactions on a Berlin chain (no base fee)", async () => {
    assert.deepEqual(await sentTypes(berlin), [0, 0]);
  });

  it("sends EIP-1559 transactions on a Prague chain, and legacy ones there when configured", async () => {
    assert.deepEqual(await sentTypes(prague), [2, 2]);
    assert.deepEqual(await sentTypes(prague, "legacy"), [0, 0]);
  });
});
