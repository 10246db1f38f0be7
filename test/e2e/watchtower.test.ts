// The watchtower end to end: three real `hardhat node` chains (BTTC, Ethereum, BNB Chain) with the bridge
// deployed, three honest relayer nodes (threshold 2) on real Redis, and the watchtower running in `pause`
// mode with the guardian's key. Honest transfers raise nothing. Then two validator keys are stolen (a
// compromised quorum) and sign a delivery of a transfer that never happened: the watchtower raises the
// alarm and every gateway is paused within 10 s of that delivery's finality; a later delivery reverts
// GatewayPaused until the admin (the timelock; zero delay here) unpauses.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { Contract, parseEther } from "ethers";
import { pino } from "pino";
import { operationSalt, scheduleCall, executeCall } from "../../common/timelock.ts";
import {
  TransferKind,
  addressToBytes32,
  gatewayDomain,
  orderBySigner,
  sequenceToRef,
  signBatch,
  transferId,
  type Transfer,
} from "../../common/transfer.ts";
import type { RelayerNode } from "../../relayer/node.ts";
import { CHAIN_IDS } from "../../testkit/constants.ts";
import { connectTestRedis, type TestRedis } from "../../testkit/redis.ts";
import { startRelayerTrio } from "../../testkit/relayer-trio.ts";
import { until } from "../../testkit/wait.ts";
import { W_NAMES, account, bridgeFromBttc, deliver, startWatchWorld, type WatchWorld } from "../../testkit/watchtower-world.ts";
import { startHttp, type WatchtowerHttp } from "../../watchtower/http.ts";
import { Watchtower } from "../../watchtower/watchtower.ts";

describe("watchtower: a compromised quorum's delivery pauses every gateway", { timeout: 300_000 }, () => {
  let world: WatchWorld;
  let redis: TestRedis;
  let relayers: RelayerNode[] = [];
  let watchtower: Watchtower;
  let http: WatchtowerHttp;
  let miner: NodeJS.Timeout | undefined;
  const webhookBodies: unknown[] = [];
  let webhook: ReturnType<typeof createServer>;

  before(async () => {
    redis = await connectTestRedis("watchtower");
    world = await startWatchWorld();
    relayers = await startRelayerTrio(
      W_NAMES.map((name) => ({
        name,
        chainId: CHAIN_IDS[name],
        rpcUrl: world.chains[name].node.url,
        gateway: world.chains[name].gateway,
        start: world.chains[name].start,
      })),
      world.validators,
      redis.prefix,
    );
    webhook = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (c: Buffer) => chunks.push(c));
      request.on("end", () => {
        webhookBodies.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, "127.0.0.1", resolve));
    const config = world.config({
      mode: "pause",
      pollIntervalMs: 200,
      webhookUrl: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alarms`,
    });
    watchtower = new Watchtower({ config, log: pino({ level: "silent" }) });
    await watchtower.start();
    http = await startHttp(watchtower, "127.0.0.1", 0);
    miner = setInterval(() => {
      for (const name of W_NAMES) void world.chains[name].provider.send("evm_mine", []).catch(() => undefined);
    }, 200);
  });

  after(async () => {
    clearInterval(miner);
    await http?.close();
    await watchtower?.stop();
    for (const relayer of relayers) await relayer.stop();
    await redis?.cleanup();
    await new Promise((resolve) => webhook?.close(resolve));
    await world?.stop();
  });

  const paused = (name: (typeof W_NAMES)[number]) =>
    world.chains[name].gateway
      .getFunction("status")()
      .then((s: { paused: boolean }) => s.paused);

  it("raises nothing for honest transfers, then pauses BTTC, Ethereum and BSC within 10 s of a forged delivery's finality", async (t) => {
    // Honest transfers, relayed by the three nodes.
    const honest: Transfer[] = [
      await bridgeFromBttc(world, "ethereum", account(7).address, parseEther("3")),
      await bridgeFromBttc(world, "bsc", account(7).address, parseEther("2")),
    ];
    await until(
      "the honest transfers delivered",
      async () =>
        (await world.chains.ethereum.gateway.getFunction("balanceOf")(account(7).address)) === parseEther("3") &&
        (await world.chains.bsc.gateway.getFunction("balanceOf")(account(7).address)) === parseEther("2"),
      60_000,
    );
    const deliveredAt = await Promise.all(["ethereum", "bsc"].map((n) => world.chains[n as "ethereum"].provider.getBlockNumber()));
    await until(
      "the watchtower past the honest deliveries",
      () =>
        Promise.resolve(
          watchtower.state.next("ethereum") > BigInt(deliveredAt[0]!) && watchtower.state.next("bsc") > BigInt(deliveredAt[1]!),
        ),
      30_000,
    );
    assert.equal(watchtower.state.alarms.length, 0, "no alarm for honest transfers");
    assert.equal((await fetch(`${http.url}/health`)).status, 200);

    // Two stolen validator keys sign 500 BTT for the attacker, from a BTTC transfer that never happened.
    const bttc = world.chains.bttc;
    const forged: Transfer = {
      srcChainId: bttc.chainId,
      srcGateway: addressToBytes32(bttc.gateway.target as string),
      srcRef: sequenceToRef(777_777n),
      kind: TransferKind.Bridge,
      dstChainId: CHAIN_IDS.ethereum,
      recipient: account(13).address,
      amount: parseEther("500"),
    };
    const receipt = await deliver(world, "ethereum", [forged], { signers: world.validators.slice(1, 3), from: 13 });
    assert.equal(await world.chains.ethereum.gateway.getFunction("balanceOf")(account(13).address), parseEther("500"), "the forgery paid");
    const eth = world.chains.ethereum.provider;
    await until(
      "the forged delivery final",
      async () => BigInt(await eth.getBlockNumber()) >= BigInt(receipt.blockNumber) + 2n,
      10_000,
      10,
    );
    const finalAt = Date.now();
    await until("every gateway paused", async () => (await Promise.all(W_NAMES.map(paused))).every(Boolean), 20_000, 20);
    const pausedIn = Date.now() - finalAt;
    t.diagnostic(`every gateway (BTTC, Ethereum, BSC) paused ${pausedIn} ms after the forged delivery became final`);
    assert.ok(pausedIn <= 10_000, `paused ${pausedIn} ms after finality`);

    // The alarm names the forgery, and only it (plus the invariant it broke); the webhook had it.
    const alarms = watchtower.state.alarms;
    const forgedId = transferId(forged).toLowerCase();
    assert.equal(alarms[0]?.kind, "UNKNOWN_SOURCE");
    assert.equal(alarms[0]?.transferId, forgedId);
    assert.equal(alarms[0]?.txHash, receipt.hash);
    for (const h of honest) assert.ok(!alarms.some((a) => a.transferId === transferId(h).toLowerCase()));
    assert.deepEqual(new Set(alarms.map((a) => a.kind)), new Set(["UNKNOWN_SOURCE", "INVARIANT_BROKEN"]));
    await until("the webhook got the alarm", () => Promise.resolve(webhookBodies.length >= 1), 10_000);
    assert.equal((webhookBodies[0] as { alarm: { transferId: string } }).alarm.transferId, forgedId);
    await until(
      "the watchtower saw every gateway paused",
      () => Promise.resolve(W_NAMES.every((n) => watchtower.state.pause.paused[n])),
      10_000,
    );
    const metrics = await (await fetch(`${http.url}/metrics`)).text();
    assert.match(metrics, /bttb_watchtower_alarms_total\{kind="UNKNOWN_SOURCE"\} 1/);
    for (const name of W_NAMES) assert.match(metrics, new RegExp(`bttb_watchtower_paused\\{chain="${name}"\\} 1`));
    for (const name of W_NAMES) {
      const hash = watchtower.state.pause.paused[name]!;
      assert.ok(hash.startsWith("0x"), `${name} paused by the watchtower's transaction`);
      const tx = (await world.chains[name].provider.getTransaction(hash))!;
      assert.equal(tx.from, account(16).address, "sent by the guardian");
      if (name === "bttc") assert.equal(tx.type, 0, "a legacy transaction on BTTC (Berlin rules)");
    }
  });

  it("a later delivery reverts GatewayPaused until the admin (the timelock) unpauses", async () => {
    const bttc = world.chains.bttc;
    const late: Transfer = {
      srcChainId: bttc.chainId,
      srcGateway: addressToBytes32(bttc.gateway.target as string),
      srcRef: sequenceToRef(888_888n),
      kind: TransferKind.Bridge,
      dstChainId: CHAIN_IDS.bsc,
      recipient: account(13).address,
      amount: parseEther("1"),
    };
    const bsc = world.chains.bsc;
    const domain = gatewayDomain(bsc.chainId, bsc.gateway.target as string);
    const signatures = orderBySigner(await Promise.all(world.validators.slice(1, 3).map((v) => signBatch(v, domain, [late]))));
    const gateway = bsc.gateway.connect(account(13).connect(bsc.provider)) as Contract;
    const item = { srcRef: late.srcRef, kind: late.kind, recipient: late.recipient, amount: late.amount };
    await assert.rejects(
      gateway.getFunction("deliver").staticCall(late.srcChainId, late.srcGateway, item, signatures),
      (error: { revert?: { name?: string } }) => {
        assert.equal(error.revert?.name, "GatewayPaused");
        return true;
      },
    );
    // The admin unpauses through the timelock (schedule, then execute: zero delay on test deployments).
    const call = { target: bsc.gateway.target as string, data: bsc.gateway.interface.encodeFunctionData("unpause", []) };
    const salt = operationSalt("unpause after the watchtower's alarm");
    await scheduleCall(bsc.timelock, call, salt);
    await executeCall(bsc.timelock, call, salt);
    assert.equal(await paused("bsc"), false);
    await gateway.getFunction("deliver").staticCall(late.srcChainId, late.srcGateway, item, signatures); // would now go through
  });
});
