// Each transfer is delivered at most once, forever: a second single delivery reverts naming it, and a
// batch skips it with an event while delivering the rest.
import assert from "node:assert/strict";
import { before, beforeEach, describe, it } from "node:test";
import { parseEther } from "ethers";
import { transferId } from "../../common/transfer.ts";
import { assertRevert } from "../../testkit/errors.ts";
import { as, attest, createWorld, mined, submitDelivery, transfersSentBy, type World } from "../../testkit/world.ts";

describe("replay protection", () => {
  let world: World;
  before(async () => {
    world = await createWorld();
  });
  beforeEach(async () => world.reset());

  async function lockTwice() {
    const { bttc, ethereum } = world.chains;
    const recipient = await ethereum.signers[3]!.getAddress();
    const gateway = as(bttc.gateway, bttc.signers[2]!);
    const first = transfersSentBy(
      bttc,
      await mined(gateway.getFunction("bridge")(ethereum.chainId, recipient, { value: parseEther("1") })),
    );
    const second = transfersSentBy(
      bttc,
      await mined(gateway.getFunction("bridge")(ethereum.chainId, recipient, { value: parseEther("2") })),
    );
    return { recipient, transfers: [...first, ...second] };
  }

  it("refuses a second single delivery of the same transfer with AlreadyDelivered(id)", async () => {
    const { ethereum } = world.chains;
    const { recipient, transfers } = await lockTwice();
    const one = [transfers[0]!];
    const signatures = await attest(ethereum, one, world.validators.slice(0, 2));
    await submitDelivery(ethereum, one, signatures);
    await assertRevert(submitDelivery(ethereum, one, signatures), ethereum.gateway.interface, "AlreadyDelivered", [transferId(one[0]!)]);
    assert.equal(await ethereum.token!.getFunction("balanceOf")(recipient), parseEther("1"));
  });

  it("skips an already delivered transfer inside a batch and delivers the others", async () => {
    const { ethereum } = world.chains;
    const { recipient, transfers } = await lockTwice();
    await submitDelivery(ethereum, [transfers[0]!], await attest(ethereum, [transfers[0]!], world.validators.slice(0, 2)));

    const receipt = await submitDelivery(ethereum, transfers, await attest(ethereum, transfers, world.validators.slice(0, 2)));
    const events = receipt.logs.map((l) => ethereum.gateway.interface.parseLog(l)).filter((e) => e !== null);
    const skipped = events.filter((e) => e.name === "TransferSkipped");
    assert.equal(skipped.length, 1);
    assert.equal(skipped[0]!.args[0], transferId(transfers[0]!));
    assert.equal(skipped[0]!.args[1], 0n); // SkipReason.AlreadyDelivered
    const delivered = events.find((e) => e.name === "TransfersDelivered");
    assert.deepEqual([...(delivered!.args[0] as string[])], [transferId(transfers[1]!)]);
    assert.equal(await ethereum.token!.getFunction("balanceOf")(recipient), parseEther("3"));
    for (const t of transfers) {
      assert.equal(await ethereum.gateway.getFunction("isDelivered")(t.srcChainId, t.srcGateway, t.srcRef), true);
    }
  });
});
