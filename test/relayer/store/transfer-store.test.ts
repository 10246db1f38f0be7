// The transfer store keeps each transfer's status moving only along the lifecycle (docs/protocol.md, "Lifecycle"), atomically,
// with a timeline and the indexes the API reads — against the machine's real Redis.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseEther } from "ethers";
import { TransferKind, addressToBytes32, sequenceToRef, transferId, type Transfer } from "../../../common/transfer.ts";
import type { ObservedTransfer } from "../../../relayer/chains/adapter.ts";
import { routeKey } from "../../../common/routes.ts";
import { TransferStore } from "../../../relayer/store/transfer-store.ts";
import { connectTestRedis, type TestRedis } from "../../../testkit/redis.ts";
import { CHAIN_IDS } from "../../../testkit/constants.ts";

const GATEWAY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const SENDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const RECIPIENT = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

function observed(sequence: bigint, overrides: Partial<ObservedTransfer> = {}): ObservedTransfer {
  const transfer: Transfer = {
    srcChainId: CHAIN_IDS.bttc,
    srcGateway: addressToBytes32(GATEWAY),
    srcRef: sequenceToRef(sequence),
    kind: TransferKind.Bridge,
    dstChainId: CHAIN_IDS.ethereum,
    recipient: RECIPIENT,
    amount: parseEther("1.5") + sequence,
  };
  return {
    id: transferId(transfer),
    transfer,
    sender: SENDER,
    fee: 10n ** 15n,
    sequence,
    srcTxHash: "0x" + sequence.toString(16).padStart(64, "a"),
    blockNumber: 100n + sequence,
    blockHash: "0x" + "b".repeat(64),
    logIndex: 3,
    ...overrides,
  };
}

describe("TransferStore", () => {
  let t: TestRedis;
  let store: TransferStore;
  before(async () => {
    t = await connectTestRedis("transfer-store");
    store = new TransferStore(t.redis, t.prefix);
  });
  after(async () => t.cleanup());

  it("records a transfer with every field exact (bigints beyond 2^53 included) and a timeline", async () => {
    const o = observed(1n, { transfer: { ...observed(1n).transfer, amount: 2n ** 200n + 7n }, legacyAmount: 12345n });
    o.id = transferId(o.transfer);
    assert.deepEqual(await store.observe(o, "pending", 1_000), { changed: true, previous: null });
    assert.deepEqual(await store.observe(o, "finalized", 2_000), { changed: true, previous: "pending" });
    const record = await store.get(o.id);
    assert.ok(record);
    assert.deepEqual(record.observed, o);
    assert.equal(record.status, "finalized");
    assert.deepEqual(
      record.timeline.map((e) => [e.status, e.at, e.txHash]),
      [
        ["pending", 1_000, o.srcTxHash],
        ["finalized", 2_000, o.srcTxHash],
      ],
    );
  });

  it("moves only along the lifecycle: never backwards, never twice, never out of a final state", async () => {
    const o = observed(2n);
    await store.observe(o, "finalized");
    assert.equal((await store.transition(o.id, "attested")).changed, true);
    assert.equal((await store.transition(o.id, "submitted", { txHash: "0xdead" })).changed, true);
    assert.deepEqual(await store.observe(o, "pending"), { changed: false, previous: "submitted" }); // no way back
    assert.deepEqual(await store.transition(o.id, "submitted"), { changed: false, previous: "submitted" });
    assert.equal((await store.transition(o.id, "completed")).changed, true);
    for (const status of ["finalized", "attested", "submitted", "delayed", "dropped", "pending"] as const) {
      assert.equal((await store.transition(o.id, status)).changed, false, `completed -> ${status}`);
    }
    assert.equal(await store.statusOf(o.id), "completed");
    assert.deepEqual(
      (await store.get(o.id))!.timeline.map((e) => e.status),
      ["finalized", "attested", "submitted", "completed"],
    );
  });

  it("drops a pending transfer that vanished, and takes it back if it reappears", async () => {
    const o = observed(3n);
    await store.observe(o, "pending");
    assert.equal((await store.transition(o.id, "dropped", { detail: "reorged out" })).changed, true);
    assert.equal((await store.transition(o.id, "attested")).changed, false); // a dropped transfer is never signed
    const moved = { ...o, blockNumber: 999n, blockHash: "0x" + "c".repeat(64) };
    assert.deepEqual(await store.observe(moved, "finalized"), { changed: true, previous: "dropped" });
    assert.equal((await store.get(o.id))!.observed.blockNumber, 999n); // where it is now
  });

  it("does not create a record from a bare transition", async () => {
    assert.deepEqual(await store.transition("0x" + "9".repeat(64), "completed"), { changed: false, previous: null });
    assert.equal(await store.get("0x" + "9".repeat(64)), null);
  });

  it("applies concurrent updates of one transfer exactly once", async () => {
    const o = observed(4n);
    await store.observe(o, "finalized");
    const results = await Promise.all(Array.from({ length: 20 }, () => store.transition(o.id, "attested")));
    assert.equal(results.filter((r) => r.changed).length, 1);
    assert.equal((await store.get(o.id))!.timeline.filter((e) => e.status === "attested").length, 1);
  });

  it("indexes by status, by source transaction and by address (newest first)", async () => {
    const recipient = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"; // this test's own
    const withRecipient = (o: ObservedTransfer): ObservedTransfer => {
      const transfer = { ...o.transfer, recipient };
      return { ...o, transfer, id: transferId(transfer) };
    };
    const a = withRecipient(observed(10n));
    const b = withRecipient(observed(11n, { srcTxHash: a.srcTxHash })); // two transfers from one transaction
    await store.observe(a, "finalized", 10_000);
    await store.observe(b, "finalized", 11_000);
    assert.deepEqual((await store.idsBySourceTx(a.srcTxHash.toUpperCase().replace("0X", "0x"))).sort(), [a.id, b.id].sort());
    assert.deepEqual(await store.idsByAddress(recipient.toLowerCase()), [b.id, a.id]);
    assert.deepEqual(await store.idsByAddress(recipient, 1, 5), [a.id]);
    assert.ok((await store.idsByAddress(SENDER)).includes(a.id));
    assert.ok((await store.idsWithStatus("finalized")).includes(a.id));
    await store.transition(a.id, "attested");
    assert.ok(!(await store.idsWithStatus("finalized")).includes(a.id));
    assert.ok((await store.idsWithStatus("attested")).includes(a.id));
  });

  it("lists the transfers waiting on a route, and only while they wait (finalized or delayed)", async () => {
    const gateway = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"; // this test's own route
    const onRoute = (sequence: bigint): ObservedTransfer => {
      const o = observed(sequence);
      const transfer = { ...o.transfer, srcGateway: addressToBytes32(gateway) };
      return { ...o, transfer, id: transferId(transfer) };
    };
    const [a, b, c] = [onRoute(30n), onRoute(31n), onRoute(32n)];
    const route = routeKey(a.transfer);
    await store.observe(a, "pending", 1_000);
    assert.deepEqual(await store.readyOnRoute(route, 10), []); // pending is not ready
    await store.observe(a, "finalized", 2_000);
    await store.observe(b, "finalized", 3_000);
    await store.observe(c, "finalized", 4_000);
    assert.deepEqual(await store.readyOnRoute(route, 10), [a.id, b.id, c.id]);
    assert.deepEqual(await store.readyOnRoute(route, 2), [a.id, b.id]);
    await store.transition(a.id, "attested");
    await store.transition(b.id, "delayed", { at: 5_000 });
    assert.deepEqual(await store.readyOnRoute(route, 10), [c.id, b.id]);
    await store.transition(c.id, "completed");
    assert.deepEqual(await store.readyOnRoute(route, 10), [b.id]);
    assert.deepEqual(await store.readyOnRoute(routeKey(observed(1n).transfer), 100).then((ids) => ids.includes(b.id)), false);
  });

  it("holds a transfer sent back to wait until its time, and moves and reads several at once", async () => {
    const gateway = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"; // this test's own route
    const onRoute = (sequence: bigint): ObservedTransfer => {
      const o = observed(sequence);
      const transfer = { ...o.transfer, srcGateway: addressToBytes32(gateway) };
      return { ...o, transfer, id: transferId(transfer) };
    };
    const [a, b, c] = [onRoute(40n), onRoute(41n), onRoute(42n)];
    const route = routeKey(a.transfer);
    const moved = await store.observeMany([a, b, c], "finalized", 1_000);
    assert.deepEqual(
      moved.map((m) => [m.changed, m.previous]),
      [
        [true, null],
        [true, null],
        [true, null],
      ],
    );
    const sorted = (ids: string[]) => [...ids].sort();
    assert.deepEqual(sorted(await store.readyOnRoute(route, 10, 1_000)), sorted([a.id, b.id, c.id]));
    assert.deepEqual(await store.readyOnRoute(route, 10, 999), []);

    const attested = await store.transitionMany([a.id, b.id, "0x" + "00".repeat(32)], "attested", { at: 2_000, detail: "2 signatures" });
    assert.deepEqual(
      attested.map((m) => [m.changed, m.previous]),
      [
        [true, "finalized"],
        [true, "finalized"],
        [false, null],
      ],
    );
    await store.transitionMany([a.id, b.id], "delayed", { at: 3_000, readyAt: 9_000, detail: "over the limit" });
    assert.deepEqual(await store.readyOnRoute(route, 10, 8_999), [c.id], "a delayed transfer waits for its time");
    const [first, ...later] = await store.readyOnRoute(route, 10, 9_000);
    assert.deepEqual([first, sorted(later)], [c.id, sorted([a.id, b.id])], "longest waiting first");
    assert.deepEqual((await store.readyOnRoute(route, 10)).length, 3);

    const [stateA, missing] = await store.getMany([a.id, "0x" + "00".repeat(32)]);
    assert.equal(missing, null);
    assert.equal(stateA?.status, "delayed");
    assert.equal(stateA?.observed.transfer.amount, a.transfer.amount);
    const [withTimeline] = await store.getManyWithTimelines([a.id]);
    assert.deepEqual(
      withTimeline?.timeline.map((e) => [e.status, e.at, e.detail]),
      [
        ["finalized", 1_000, undefined],
        ["attested", 2_000, "2 signatures"],
        ["delayed", 3_000, "over the limit"],
      ],
    );
  });

  it("notes progress on a route: a completion, or a batch co-signed for a peer", async () => {
    const gateway = "0x9A676e781A523b5d0C0e43731313A708CB607508";
    const o = observed(50n);
    const transfer = { ...o.transfer, srcGateway: addressToBytes32(gateway) };
    const moving = { ...o, transfer, id: transferId(transfer) };
    const route = routeKey(transfer);
    assert.equal(await store.lastProgressOn(route), null);
    await store.observe(moving, "finalized", 1_000);
    await store.transition(moving.id, "completed", { at: 5_000 });
    assert.equal(await store.lastProgressOn(route), 5_000);
    await store.noteProposal(route, 7_000);
    assert.equal(await store.lastProgressOn(route), 7_000);
  });

  it("keeps two nodes' records apart on one Redis", async () => {
    const other = new TransferStore(t.redis, t.prefix + "other-node:");
    const o = observed(20n);
    await store.observe(o, "finalized");
    assert.equal(await other.get(o.id), null);
    await other.observe(o, "pending");
    assert.equal(await store.statusOf(o.id), "finalized");
    assert.equal(await other.statusOf(o.id), "pending");
  });

  it("keeps a signed batch for its transfers, for 30 days, each pointing at the last batch that held it", async () => {
    const a = observed(901n);
    const b = observed(902n);
    const destination = { chainId: CHAIN_IDS.ethereum, gateway: GATEWAY };
    const pair = [{ r: "0x" + "11".repeat(32), vs: "0x" + "22".repeat(32) }];
    const alone = [{ r: "0x" + "33".repeat(32), vs: "0x" + "44".repeat(32) }];
    await store.recordAttestation(destination, [a.transfer, b.transfer], pair, 5_000);
    await store.recordAttestation(destination, [b.transfer], alone, 6_000);
    const ofA = await store.attestationOf(a.id);
    assert.ok(ofA);
    assert.deepEqual(
      ofA.items.map((i) => i.srcRef),
      [a.transfer.srcRef, b.transfer.srcRef],
    );
    assert.deepEqual(ofA.signatures, pair);
    assert.equal(ofA.dstChainId, CHAIN_IDS.ethereum);
    assert.equal(ofA.items[0]!.amount, a.transfer.amount);
    assert.equal(ofA.at, 5_000);
    const ofB = await store.attestationOf(b.id);
    assert.deepEqual(
      ofB?.items.map((i) => i.srcRef),
      [b.transfer.srcRef],
      "b points at the later batch of one",
    );
    assert.deepEqual(ofB?.signatures, alone);
    const ttl = await t.redis.ttl(store.keys.attestation(a.id));
    assert.ok(ttl > 29 * 24 * 3600 && ttl <= 30 * 24 * 3600, `ttl ${ttl}`);
    assert.equal(await store.attestationOf(observed(903n).id), null);
    // A pointer at a batch that is gone (expired), or at text that is not a batch, is no attestation.
    await t.redis.set(store.keys.attestation(a.id), "0x" + "55".repeat(32));
    assert.equal(await store.attestationOf(a.id), null);
    await t.redis.set(store.keys.attestedBatch("0x" + "55".repeat(32)), "{not json");
    assert.equal(await store.attestationOf(a.id), null);
  });
});
