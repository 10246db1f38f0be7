// Each chain under its own rules (docs/protocol.md, "Chains"): the in-process BTTC runs Berlin (no base
// fee, legacy transactions, no post-Berlin opcode), Ethereum Prague, BNB Chain Cancun; nothing the
// bridge deploys on BTTC holds an opcode BTTC does not have.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { getBytes, getCreateAddress, parseEther } from "ethers";
import { postBerlinOpcodes, withoutMetadata } from "../../testkit/opcodes.ts";
import { as, createWorld, mined, type Chain, type World } from "../../testkit/world.ts";

async function runtimeCode(chain: Chain, address: string): Promise<Uint8Array> {
  const code = getBytes(await chain.connection.ethers.provider.getCode(address));
  assert.ok(code.length > 0, `no code at ${address}`);
  return code;
}

async function scan(chain: Chain, address: string): Promise<Record<string, number>> {
  return Object.fromEntries(postBerlinOpcodes(withoutMetadata(await runtimeCode(chain, address))));
}

describe("chain rules", () => {
  let world: World;
  before(async () => {
    world = await createWorld();
  });

  it("runs BTTC under Berlin: blocks carry no base fee, transactions are legacy, a type-2 one is refused", async () => {
    const { bttc, ethereum } = world.chains;
    const provider = bttc.connection.ethers.provider;
    const block = await provider.getBlock("latest");
    assert.equal(block?.baseFeePerGas, null);
    const sent = await mined(
      as(bttc.gateway, bttc.signers[2]!).getFunction("bridge")(ethereum.chainId, await ethereum.signers[3]!.getAddress(), {
        value: parseEther("1"),
      }),
    );
    assert.equal(sent.type, 0, "ethers sends legacy transactions on a chain without a base fee");
    await assert.rejects(
      bttc.signers[2]!.sendTransaction({
        to: await bttc.signers[3]!.getAddress(),
        value: 1n,
        type: 2,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 1n,
      }),
    );
    // The remote chains have a base fee (London and later).
    assert.notEqual((await ethereum.connection.ethers.provider.getBlock("latest"))?.baseFeePerGas, null);
    assert.notEqual((await world.chains.bsc.connection.ethers.provider.getBlock("latest"))?.baseFeePerGas, null);
  });

  it("deploys nothing on BTTC with a post-Berlin opcode: gateway, timelock, validator-set data", async () => {
    const { bttc } = world.chains;
    assert.deepEqual(await scan(bttc, bttc.gatewayAddress), {});
    assert.deepEqual(await scan(bttc, await bttc.timelock.getAddress()), {});
    // The validator set of epoch 0 is the gateway's first CREATE. Its code is data behind a STOP: it is
    // never executed (the gateway only EXTCODECOPYs it), so its bytes are addresses, not opcodes.
    const store = await runtimeCode(bttc, getCreateAddress({ from: bttc.gatewayAddress, nonce: 1 }));
    assert.equal(store[0], 0x00);
    assert.equal(store.length, 1 + 20 * world.validators.length);
  });

  it("finds post-Berlin opcodes in code built for later forks (the scanner works)", async () => {
    const { ethereum } = world.chains;
    const remote = await scan(ethereum, ethereum.gatewayAddress); // built for Cancun
    assert.ok((remote.PUSH0 ?? 0) > 0, `PUSH0 in the remote gateway: ${JSON.stringify(remote)}`);
    assert.ok((remote.TSTORE ?? 0) > 0 && (remote.TLOAD ?? 0) > 0, "its transient reentrancy guard");
    const legacy = await scan(ethereum, await ethereum.legacyToken!.getAddress()); // built for Prague
    assert.ok((legacy.PUSH0 ?? 0) > 0, `PUSH0 in the Prague-built mock token: ${JSON.stringify(legacy)}`);
    // PUSH data is skipped: 0x5f inside a PUSH2's data is not an opcode, after it is.
    assert.deepEqual(Object.fromEntries(postBerlinOpcodes(Uint8Array.from([0x61, 0x5f, 0x5c, 0x5f]))), { PUSH0: 1 });
  });
});
